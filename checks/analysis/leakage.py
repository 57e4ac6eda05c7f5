"""Shared questions the leakage rules ask: did a fit see rows of a split's held-out part, which
columns does a feature matrix keep, which columns derive from which."""
from __future__ import annotations

import ast
from dataclasses import dataclass

from wicked_data.checks.analysis import libraries
from wicked_data.checks.analysis.flowtypes import LITERAL, Split, Val, str_list
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.names import last

STAT_METHODS = {"mean", "median", "mode", "std", "var", "quantile", "min", "max", "sum", "nunique"}


def roles_of(val: Val | None) -> set[str]:
    return {role for _, role in val.roles} if val is not None else set()


def sees_held_out_rows(module: ModuleAnalysis, fitted_on: Val, split: Split) -> str | None:
    """'whole' when `fitted_on` holds all rows that the split later divides, 'held-out' when it
    holds only the held-out part, None when it is restricted to the training part or unrelated."""
    own = {role for key, role in fitted_on.roles if key == id(split)}
    if own:
        if own == {"train"}:
            return None
        return "held-out" if "train" not in own else "whole"  # train and test put back together
    if "train" in roles_of(fitted_on):
        return None  # trained on the training part of another split
    sources = module.flow.data_sources(fitted_on)
    for inp in split.inputs:
        if sources & module.flow.data_sources(inp):
            return "whole"
    return None


def is_literal(val: Val | None) -> bool:
    return val is None or bool(val.flags & LITERAL)


@dataclass
class FeatureSelection:
    """How a feature matrix picks its columns from a frame."""

    node: ast.AST
    explicit: list[str] | None = None  # X = df[[...]]
    dropped: list[str] | None = None  # X = df.drop(columns=[...])
    frame: Val | None = None


def column_list(module: ModuleAnalysis, val: Val | None, depth: int = 8) -> list[str] | None:
    """The column names a list value holds: a literal, lists joined with `+` or `+=`, and what
    `.append(...)`/`.extend(...)` added to it (`cols.extend(lag_cols)`; the flow rebinds the list
    to the call)."""
    if val is None or val.node is None or depth == 0:
        return None
    node = val.node
    cols = str_list(node)
    if cols is not None:
        return cols
    if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)
            or isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add)) and len(val.parents) == 2:
        parts = [column_list(module, p, depth - 1) for p in val.parents]
        return parts[0] + parts[1] if parts[0] is not None and parts[1] is not None else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("extend", "append") \
            and len(val.parents) == 2:  # `cols.extend(more)`: the list rebound to (list, what was added)
        base = column_list(module, val.parents[0], depth - 1)
        arg = val.parents[1]
        added = column_list(module, arg, depth - 1) if node.func.attr == "extend" else (
            str_list(arg.node) if arg.node is not None else None)
        if base is None or added is None:
            return base  # what was added is not known: the literal part still holds
        return base + [c for c in added if c not in base]
    return None


def feature_selection(module: ModuleAnalysis, X: Val | None, depth: int = 8) -> FeatureSelection | None:
    """Follow `X` back through `.values`, `.copy()`, `astype` to where its columns are chosen."""
    val = X
    while val is not None and depth > 0:
        depth -= 1
        node = val.node
        if isinstance(node, ast.Subscript):
            picked = node.slice
            if isinstance(node.value, ast.Attribute) and node.value.attr == "loc" and isinstance(picked, ast.Tuple) \
                    and len(picked.elts) == 2:
                picked = picked.elts[1]  # `df.loc[rows, cols]`: the columns are the second part
            cols = str_list(picked)
            key = module.flow.val_at(picked)
            if cols is None and key is not None and key.node is not None:
                cols = column_list(module, key)
            frame = val.parents[0] if val.parents else None
            if isinstance(node.value, ast.Attribute) and node.value.attr == "loc" and frame is not None \
                    and isinstance(frame.node, ast.Attribute) and frame.parents:
                frame = frame.parents[0]
            if cols is not None and not isinstance(picked, ast.Constant):
                return FeatureSelection(node, explicit=cols, frame=frame)
            excluded = _all_columns_but(module, key)
            if excluded is not None:
                return FeatureSelection(node, dropped=excluded, frame=frame)
            if isinstance(node.value, ast.Attribute) and node.value.attr in ("iloc", "loc") and val.parents \
                    and not isinstance(node.slice, ast.Tuple):
                val = val.parents[0]  # `grid.iloc[rows]`: rows picked, columns kept
                if isinstance(val.node, ast.Attribute) and val.parents:
                    val = val.parents[0]
                continue
            return None
        call = val.call
        if call is not None and call.method == "select" and call.node.args:
            # polars/Spark `frame.select(["a", "b"])` or `frame.select("a", "b")`: the columns kept
            cols = str_list(call.node.args[0]) if len(call.node.args) == 1 else None
            if cols is None and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in call.node.args):
                cols = [a.value for a in call.node.args]
            if cols is None and call.args and call.args[0] is not None and call.args[0].node is not None:
                cols = str_list(call.args[0].node)  # a name bound to a literal list
            return FeatureSelection(call.node, explicit=cols, frame=call.receiver) if cols else None
        if call is not None and call.method == "drop":
            dropped = _dropped_columns(call.node)
            if dropped is None:
                return None
            # `X = train.drop("label", axis=1); X = X.drop("id", axis=1)`: the drops add up
            earlier = feature_selection(module, call.receiver, depth - 1) if call.receiver is not None else None
            if earlier is not None and earlier.explicit is not None:
                return FeatureSelection(call.node, explicit=[c for c in earlier.explicit if c not in dropped],
                                        frame=earlier.frame)
            if earlier is not None and earlier.dropped is not None:
                return FeatureSelection(call.node, dropped=[*earlier.dropped, *(c for c in dropped if c not in earlier.dropped)],
                                        frame=earlier.frame)
            return FeatureSelection(call.node, dropped=dropped, frame=call.receiver)
        if call is not None and call.method in _COLUMN_KEEPING:
            val = call.receiver
            continue
        if call is not None and call.method in ("fit_transform", "transform") and call.receiver is not None \
                and last(call.receiver.ctor or "") in libraries.shorts("columnwise") and call.args:
            val = call.args[0]  # `scaler.fit_transform(df[cols])`: each column scaled in place
            continue
        if call is not None and call.callee is not None and len(call.callee.returns) == 1:
            val = call.callee.returns[0]
            continue
        if isinstance(node, ast.Attribute) and node.attr in ("values",) and val.parents:
            val = val.parents[0]
            continue
        if isinstance(node, ast.Name) or (isinstance(node, ast.arg)):
            val = val.parents[0] if len(val.parents) == 1 else None
            continue
        return None
    return None


def _all_columns_but(module: ModuleAnalysis, val: Val | None, depth: int = 4) -> list[str] | None:
    """The column names a list of "every column except ..." leaves out: `[c for c in df.columns if c
    not in ("y", "week")]`, `df.columns.drop(["y"])`, `df.columns.difference(["y"])`, `if c != "y"`."""
    while val is not None and isinstance(val.node, ast.Name) and len(val.parents) == 1 and depth > 0:
        val, depth = val.parents[0], depth - 1  # (a name bound to the list)
    node = val.node if val is not None else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("drop", "difference") \
            and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "columns" and node.args:
        return str_list(node.args[0]) or (column_list(module, module.flow.val_at(node.args[0])) or None)
    if not isinstance(node, ast.ListComp) or len(node.generators) != 1:
        return None
    gen = node.generators[0]
    if not (isinstance(gen.iter, ast.Attribute) and gen.iter.attr == "columns" and isinstance(gen.target, ast.Name)):
        return None
    out: list[str] = []
    for test in gen.ifs:
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.left, ast.Name)
                and test.left.id == gen.target.id):
            return None  # another condition (a dtype, a prefix): the columns kept are not known
        other = test.comparators[0]
        if isinstance(test.ops[0], ast.NotIn):
            names = str_list(other) or column_list(module, module.flow.val_at(other))
        elif isinstance(test.ops[0], ast.NotEq) and isinstance(other, ast.Constant) and isinstance(other.value, str):
            names = [other.value]
        else:
            return None
        if names is None:
            return None
        out += names
    return out or None


def _dropped_columns(call: ast.Call) -> list[str] | None:
    axis_columns = any(kw.arg == "axis" and isinstance(kw.value, ast.Constant) and kw.value.value in (1, "columns")
                       for kw in call.keywords)
    for kw in call.keywords:
        if kw.arg == "columns" or (kw.arg == "labels" and axis_columns):
            return str_list(kw.value)
    if call.args and (axis_columns or (len(call.args) > 1 and isinstance(call.args[1], ast.Constant)
                                       and call.args[1].value in (1, "columns"))):
        return str_list(call.args[0])
    return None


def column_reads(module: ModuleAnalysis, val: Val | None, limit: int = 400) -> set[str]:
    """Columns a value is computed from: every `frame['c']` / `frame.c` among its ancestors (not
    the columns the frame itself was built from: `merged['fee']` holds the fee, whatever was joined)."""
    cols: set[str] = set()
    if val is None:
        return cols
    seen = {id(val)}
    stack = [val]
    while stack and len(seen) < limit:
        anc = stack.pop()
        if isinstance(anc.key, (str, tuple)):
            cols.update([anc.key] if isinstance(anc.key, str) else anc.key)
            if isinstance(anc.node, (ast.Subscript, ast.Attribute)):
                continue  # the column read: how its frame was built (a join, another frame's column) is not what it holds
        if _is_lag(anc):
            continue  # a lag reads past values only: a lagged target is a legitimate feature
        for parent in [*anc.parents, *anc.kw]:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    if stack:
        module.limit_reached(val.node, f"which columns a value is computed from (over {limit} values)")
    return cols


def _is_lag(val: Val) -> bool:
    """`s.shift(7)`, or a callback that lags what it is given before anything else reads it
    (`g["units"].transform(lambda s: s.shift(1).rolling(7).mean())`)."""
    call = val.call
    if call is None:
        return False
    if call.method == "shift":
        return _lag_periods(call.node)
    if call.method in ("transform", "apply", "pipe", "agg") and call.node.args and isinstance(call.node.args[0], ast.Lambda):
        return _lags_its_input(call.node.args[0])
    return False


def _lag_periods(node: ast.Call) -> bool:
    periods = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "periods"), None)
    if periods is None:
        return True
    return isinstance(periods, ast.Constant) and isinstance(periods.value, int) and periods.value > 0


def _lags_its_input(fn: ast.Lambda) -> bool:
    """Every read of the lambda's parameter sits under a positive `.shift(...)`: the values it
    returns come from earlier rows only."""
    params = {a.arg for a in fn.args.args}
    if len(params) != 1:
        return False
    lagged: set[int] = set()
    for node in ast.walk(fn.body):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "shift" \
                and _lag_periods(node):
            lagged |= {id(n) for n in ast.walk(node.func.value)}
    reads = [n for n in ast.walk(fn.body) if isinstance(n, ast.Name) and n.id in params]
    return bool(reads) and all(id(n) in lagged for n in reads)


def column_derivations(module: ModuleAnalysis, frame: Val | None = None) -> dict[str, tuple[set[str], int]]:
    """column -> (columns it is computed from, line of the write), for every column write; with
    `frame`, only the writes to frames that `frame` derives from (another frame's column of the same
    name is another column)."""
    out: dict[str, tuple[set[str], int]] = {}
    lineage = {id(a) for a in module.flow.ancestors(frame, rows=True)} if frame is not None else None
    for write in module.flow.column_writes:
        if lineage is not None and write.frame is not None and id(write.frame) not in lineage:
            continue
        reads = column_reads(module, write.value) - {write.column}
        previous = out.get(write.column)
        out[write.column] = ((previous[0] if previous else set()) | reads, write.line)
    return out


def derived_from(derivations: dict[str, tuple[set[str], int]], column: str) -> set[str]:
    """Every column whose value depends (transitively) on `column`."""
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for col, (reads, _) in derivations.items():
            if col not in found and col != column and (column in reads or reads & found):
                found.add(col)
                changed = True
    return found


# Methods that keep a frame's columns (or, like select_dtypes("number"), keep a numeric target).
_COLUMN_KEEPING = {"copy", "astype", "to_numpy", "fillna", "reset_index", "values", "select_dtypes", "dropna",
                   "sort_values", "query", "head", "tail", "sample", "infer_objects", "convert_dtypes"}


def is_forecast_label(module: ModuleAnalysis, column: str) -> bool:
    """A label built from later rows (`df['up_next'] = df['close'].shift(-1) > df['close']`): its
    source series is what is being forecast, and features from that series' past are legitimate."""
    for write in module.flow.column_writes:
        if write.column != column:
            continue
        for anc in module.flow.ancestors(write.value, values=True):
            call = anc.call
            if call is not None and call.method in ("shift", "diff", "pct_change"):
                periods = call.arg_node(0, "periods")
                if isinstance(periods, ast.UnaryOp) and isinstance(periods.op, ast.USub):
                    return True
    return False
