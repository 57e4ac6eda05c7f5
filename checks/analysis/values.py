"""What a name can hold, read from the code around it: a positive number (a constant, a parameter
whose default or every in-file caller gives one). Shared by the division and non-finite checks."""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from wicked_data.checks.analysis.syntax import FunctionNode, Syntax

if TYPE_CHECKING:
    from wicked_data.checks.analysis.module import ModuleAnalysis


def positive(syn: Syntax, fn: FunctionNode | None, node: ast.AST, depth: int = 2) -> bool:
    """A positive number, or a name that holds one: a constant assigned in scope, or a parameter
    whose default is one (`smoothing: float = 20.0`) or that every caller in the module gives one."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool) and node.value > 0
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return _positive_attribute(syn, fn, node.attr) if depth >= 0 else False
    if not isinstance(node, ast.Name):
        return False
    params = parameters(fn) if fn is not None else {}
    if node.id not in params:
        own = syn.assigned_values(fn, node.id)
        values = own or syn.assigned_values(None, node.id)
        return bool(values) and all(positive(syn, fn if own else None, v, 0) for v in values)
    position, default = params[node.id]
    if default is not None:
        return positive(syn, None, default, 0)
    passed = passed_by_callers(syn, fn, node.id, position) if depth > 0 else []
    return bool(passed) and all(caller is not None and positive(syn, caller, arg, depth - 1) for caller, arg in passed)


def _positive_attribute(syn: Syntax, fn: FunctionNode | None, attr: str) -> bool:
    """`self.<attr>` in a method: every assignment of it in the class gives a positive number (a
    constant, or an `__init__` parameter whose default is one: `self.prior = prior`, `prior=0.5`)."""
    owner = syn.parent.get(id(fn)) if fn is not None else None
    if not isinstance(owner, ast.ClassDef):
        return False
    assigned = []
    for method in owner.body:
        if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for stmt in ast.walk(method):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(
                stmt, (ast.AnnAssign, ast.AugAssign)) and stmt.value is not None else []
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == attr and isinstance(target.value, ast.Name) \
                        and target.value.id == "self":
                    if isinstance(stmt, ast.AugAssign):
                        return False
                    assigned.append((method, stmt.value))
    return bool(assigned) and all(positive(syn, method, value, 0) for method, value in assigned)


def parameters(fn: FunctionNode) -> dict[str, tuple[int | None, ast.expr | None]]:
    """name -> (position, default) of each parameter (position None for keyword-only ones)."""
    args = fn.args
    positional = [*args.posonlyargs, *args.args]
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    out = {a.arg: (i, d) for i, (a, d) in enumerate(zip(positional, defaults))}
    out.update((a.arg, (None, d)) for a, d in zip(args.kwonlyargs, args.kw_defaults))
    return out


def passed_by_callers(syn: Syntax, fn: FunctionNode, name: str, position: int | None):
    """(calling function, argument) for each call of `fn` in the module; empty when a call's
    argument cannot be told (`*args`, `**kwargs`, left to the default)."""
    out = []
    for ref in syn.loads_of(fn.name):
        call = syn.parent.get(id(ref))
        if not isinstance(call, ast.Call) or call.func is not ref:
            continue
        arg = next((kw.value for kw in call.keywords if kw.arg == name), None)
        if arg is None and position is not None and position < len(call.args):
            arg = call.args[position]
        if arg is None or any(isinstance(a, ast.Starred) for a in call.args[:(position or 0) + 1]) \
                or any(kw.arg is None for kw in call.keywords):
            return []
        out.append((syn.function_of(call), arg))
    return out


def written_column(module, node: ast.AST) -> ast.AST | None:
    """For a column read `df["rate"]`, the expression the column was last written with in the data
    flow (`df["rate"] = (df["n"] + 0.5) / total`), else None."""
    if not (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)):
        return None
    frame = module.flow.val_at(node.value)
    written = frame.colvals.get(node.slice.value) if frame is not None and frame.colvals else None
    return written.node if written is not None and written.node is not None and written.node is not node else None



# pandas calls that split rows into groups (time buckets and windows too)
GROUPINGS = frozenset({"groupby", "pivot", "pivot_table", "crosstab", "resample", "rolling"})
AGGREGATES = GROUPINGS - {"rolling"} | {"agg", "aggregate", "describe", "value_counts"}


def aggregated(module: ModuleAnalysis, frame: ast.expr) -> bool:
    """The frame is a summary of groups of rows (a groupby sum, a pivot of means): its columns are
    statistics of the data, not fields of a record (a share of a group's total, a report table)."""
    val = module.flow.val_at(frame)
    if val is None:
        return False
    calls = {a.call.short for a in module.flow.ancestors(val, rows=True) if a.call is not None}
    return bool(calls & AGGREGATES) and "transform" not in calls  # (`groupby().transform` keeps the rows)


def fixed_categories(module: ModuleAnalysis, frame, columns: list[str] | None) -> bool:
    """The categorical columns an encoding reads were given their categories in the code
    (`pd.Categorical(df["shop"], categories=[...])`, `.astype(CategoricalDtype([...]))`,
    `.cat.set_categories([...])`): the codes and dummy columns are the same for any batch. With
    `columns`, each of them; without, at least one column of the frame."""
    if frame is None:
        return False
    held = {id(a) for a in module.flow.ancestors(frame, rows=True)}
    fixed = {w.column for w in module.flow.column_writes
             if w.frame is not None and id(w.frame) in held and _declares_categories(w.node)}
    return bool(fixed) and (columns is None or set(columns) <= fixed)


def _declares_categories(node: ast.AST) -> bool:
    value = node.value if isinstance(node, ast.Assign) else node
    for sub in ast.walk(value):
        if isinstance(sub, ast.Call):
            name = sub.func.attr if isinstance(sub.func, ast.Attribute) else getattr(sub.func, "id", "")
            if name in ("Categorical", "CategoricalDtype") and (any(k.arg == "categories" for k in sub.keywords)
                                                                 or (name == "CategoricalDtype" and sub.args)):
                return True
            if name == "set_categories" and (sub.args or sub.keywords):
                return True
    return False


def filters_rows(value: ast.AST, denominator: ast.expr) -> bool:
    """`frame[frame["d"] > 0]`, `frame.loc[frame["d"] != 0]`, `frame.query("d > 0")`: a row filter
    that keeps only rows whose column `d` (the denominator's) is not zero."""
    while isinstance(denominator, ast.BinOp) and isinstance(denominator.op, (ast.Div, ast.Mult)) \
            and isinstance(denominator.right, ast.Constant) and denominator.right.value:
        denominator = denominator.left  # `d / 60` is zero where `d` is
    column = denominator.slice.value if isinstance(denominator, ast.Subscript) \
        and isinstance(denominator.slice, ast.Constant) else None
    if not isinstance(column, str):
        return False
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "query" \
            and value.args and isinstance(value.args[0], ast.Constant) and isinstance(value.args[0].value, str):
        try:  # the query language is Python's expressions over bare column names
            condition = ast.parse(value.args[0].value.replace("`", ""), mode="eval").body
        except SyntaxError:
            return False
        return _excludes_zero(condition, lambda side: isinstance(side, ast.Name) and side.id == column)
    if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Attribute) and value.value.attr == "loc":
        value = ast.Subscript(value=value.value.value, slice=value.slice)
    if not isinstance(value, ast.Subscript):
        return False
    return _excludes_zero(value.slice, lambda side: isinstance(side, ast.Subscript)
                          and isinstance(side.slice, ast.Constant) and side.slice.value == column)


def _excludes_zero(condition: ast.AST, is_column) -> bool:
    """A comparison inside `condition` that keeps only the column's rows on one side of zero
    (`c > 0`, `c != 0`, `c >= 1`, `c < 0`, or the same written `0 < c`)."""
    flipped = {ast.Gt: ast.Lt, ast.Lt: ast.Gt, ast.GtE: ast.LtE, ast.LtE: ast.GtE}
    for cmp in ast.walk(condition):
        if not (isinstance(cmp, ast.Compare) and len(cmp.ops) == 1):
            continue
        left, op, right = cmp.left, cmp.ops[0], cmp.comparators[0]
        if is_column(right) and isinstance(left, ast.Constant) and type(op) in flipped:
            left, right, op = right, left, flipped[type(op)]()
        if not (is_column(left) and isinstance(right, ast.Constant) and isinstance(right.value, (int, float))):
            continue
        bound = right.value
        if isinstance(op, ast.Gt) and bound >= 0 or isinstance(op, ast.GtE) and bound > 0 \
                or isinstance(op, ast.NotEq) and bound == 0 or isinstance(op, ast.Lt) and bound <= 0:
            return True
    return False
