"""Evaluating expressions to values: names, attributes, subscripts, operators, comprehensions and
calls (a mixin of `FlowAnalysis`)."""
from __future__ import annotations

import ast

from wicked_data.checks.analysis import vocab
from wicked_data.checks.analysis.flowtypes import (
    _APPLY_METHODS,
    _BUILTINS,
    _FRAME_ATTRS,
    _COLUMN_FUNCS,
    _FRAME_FUNCS,
    _LIBRARY_ROOTS,
    _MODEL_METHODS,
    _NOW_CALLS,
    _NOW_STRING_CALLS,
    _RESAMPLE,
    _ROW_KWARGS,
    _WINDOWS,
    APPLIED,
    DELTA,
    FALLBACK,
    FRAME_METHODS,
    LITERAL,
    NOW,
    REBALANCED,
    RESAMPLED,
    SCALING_STATS,
    TEXT,
    TEXT_METHODS,
    CallSite,
    ColumnWrite,
    DictEntry,
    Function,
    Val,
    _const_str,
    _draws_one_class,
    _masked_rows,
    _without_replacement,
    _duplicates_rows,
    str_list,
)
from wicked_data.checks.analysis.names import dotted, last
from wicked_data.checks.analysis.rowparts import _CONTAINER_ADDS

# Helpers analysed from their call sites, one inside another: deeper chains are not followed from
# the call (Python's recursion limit would end the whole file's analysis instead).
MAX_CALL_DEPTH = 40


# Element-wise conversions: the result has the shape of what they are given (a column stays one).
_SHAPE_KEEPING = frozenset({"pandas.to_numeric", "pandas.to_datetime", "pandas.to_timedelta"})


def _one_name_at_a_time(key: Val | None) -> bool:
    """A loop variable over a literal list of column names (`for c in ["a", "b"]`)."""
    if key is None or not isinstance(key.node, ast.Name) or len(key.parents) != 1:
        return False
    items = key.parents[0].node
    return isinstance(items, (ast.List, ast.Tuple)) and bool(items.elts) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in items.elts)


class Expressions:
    """Expression evaluation (reads and extends the walk state of `FlowAnalysis`)."""

    # ------------------------------------------------------------------ expressions
    def _derived(self, node, parents, index=(), kw=()) -> Val:
        return Val(node, parents, index, kw)

    def _merge(self, node, vals: list[Val | None]) -> Val | None:
        present = [v for v in vals if v is not None]
        if not present:
            return None
        if len(present) == 1:
            return present[0]
        merged = Val(node, present)
        if all(v.flags & LITERAL for v in present):
            merged.flags |= LITERAL
        merged.ctors = frozenset().union(*(v.ctors for v in present))
        shapes = {v.shape for v in present}
        if len(shapes) == 1 and None not in shapes:
            merged.shape = shapes.pop()  # (a column or a default column: still a column)
        return merged

    def _eval_Constant(self, node: ast.Constant) -> Val | None:
        if isinstance(node.value, str) and len(node.value) > 12 and "select" in node.value.lower():
            self.strings.append(node)
        return None

    def _eval_Name(self, node: ast.Name) -> Val | None:
        if isinstance(node.ctx, ast.Store):
            return None
        name = node.id
        frame = self._scope_stack[-1]
        for env in (frame[0], *frame[4]):
            if name in env:
                return env[name]
        if self.imports.is_imported(name) or name in self.functions or name in self.classes:
            return None
        if name in _BUILTINS:
            return None
        # A name defined nowhere in view (a star import, another notebook, a typo): an unknown
        # value of its own, kept in the scope that used it so two functions do not share it.
        ext = Val(node)
        ext.name = name
        frame[0][name] = ext
        return ext

    def _eval_Attribute(self, node: ast.Attribute) -> Val | None:
        if self.imports.resolve(node) is not None:
            return None
        base = node.value
        if isinstance(base, ast.Name) and base.id == "self" and self._class is not None:
            attrs = self.classes.get(self._class, {})
            if node.attr in attrs:
                return attrs[node.attr]
            val = Val(node)
            val.name = f"self.{node.attr}"
            attrs[node.attr] = val
            return val
        base_val = self._eval(base)
        if base_val is None:
            return None
        written = base_val.colvals.get(node.attr) if base_val.colvals else None
        val = Val(node, [base_val, written])
        if base_val.shape == "frame" and node.attr not in _FRAME_ATTRS:
            val.shape = "series"
            val.key = node.attr
        elif node.attr in ("loc", "iloc", "at"):
            val.colvals = base_val.colvals
        return val

    def _eval_Subscript(self, node: ast.Subscript) -> Val | None:
        base = self._eval(node.value)
        key = self._eval(node.slice)
        if base is None and key is None:
            return None
        picked = node.slice
        if isinstance(node.value, ast.Attribute) and node.value.attr == "loc" and isinstance(picked, ast.Tuple) \
                and len(picked.elts) == 2 and isinstance(picked.elts[1], (ast.Constant, ast.List)):
            picked = picked.elts[1]  # `df.loc[rows, "units"]`: rows chosen, then the columns named
        columns = str_list(picked)
        written = [base.colvals[c] for c in columns or () if base is not None and base.colvals and c in base.colvals]
        val = Val(node, [base, *written], index=[key])
        if base is not None:
            val.ctors = base.ctors
            if columns is None or not isinstance(picked, ast.Constant):
                val.colvals = base.colvals
        if columns is not None:
            val.key = columns[0] if isinstance(picked, ast.Constant) else tuple(columns)
            val.shape = "series" if isinstance(picked, ast.Constant) else "frame"
        elif base is not None and base.shape == "frame":
            # `for c in ["a", "b"]: df[c]`: the loop variable holds one name at a time, a column
            val.shape = "series" if _one_name_at_a_time(key) else "frame"
        if base is not None and base.call is not None and isinstance(node.slice, ast.Constant) \
                and isinstance(node.slice.value, int) and not isinstance(node.slice.value, bool):
            self._split_part(val, base.call, node.slice.value)
        return val

    def _split_part(self, val: Val, call, position: int) -> None:
        """`parts = df.randomSplit([0.9, 0.1]); parts[0]`: a part of a split taken by position."""
        split = self._split_for_call(call)
        if split is None or split.kind not in ("function", "random_split"):
            return
        if split.kind == "function":
            count = 2 * max(len(split.inputs), 1)
        else:
            weights = call.node.args[0] if call.node.args else None
            count = len(weights.elts) if isinstance(weights, (ast.List, ast.Tuple)) else 2
        if not -count <= position < count:
            return
        role = self._positional_roles(split, count)[position]
        val.roles = val.roles | {(id(split), role)}
        split.outputs.append((val, role))

    def _eval_BinOp(self, node: ast.BinOp) -> Val | None:
        left, right = self._eval(node.left), self._eval(node.right)
        if isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
            if right is None:
                return None
            text = Val(node, [right])  # `"%.2f" % x`: words about x, as an f-string
            text.flags = (right.flags & ~(NOW | DELTA)) | TEXT
            return text
        val = self._merge(node, [left, right])
        if left is not None and right is not None and isinstance(node.op, ast.Sub):
            self._mark_delta(val, left, right)
        if left is not None and right is not None and isinstance(node.op, (ast.Sub, ast.Div)):
            stat = right.call
            window = stat.receiver.call if stat is not None and stat.receiver is not None else None
            axis = stat.kwarg_node("axis") if stat is not None else None
            if stat is not None and stat.method in SCALING_STATS and stat.receiver is not None \
                    and not isinstance(node.left, ast.Constant) \
                    and not (window is not None and window.method in _WINDOWS) \
                    and not (isinstance(axis, ast.Constant) and axis.value in (1, "columns")):
                # (`frame[cols].max(axis=1)`: each row's own maximum, nothing learned from other rows)
                self.stat_ops.append((node, stat))
        return val

    def _mark_delta(self, val: Val, left: Val | None, right: Val | None) -> None:
        """clock - data (an age, a recency): the value is a clock-relative feature."""
        sides = [(left, right), (right, left)]
        for clock, other in sides:
            if clock is None or other is None:
                continue
            if clock.flags & NOW and not clock.flags & TEXT and not other.flags & (NOW | LITERAL):
                val.flags |= DELTA
                val.origin = val
                self.own_origins.append(val)
                return

    def _eval_Compare(self, node: ast.Compare) -> Val | None:
        self.compares.append(node)
        return self._merge(node, [self._eval(node.left), *(self._eval(c) for c in node.comparators)])

    def _eval_JoinedStr(self, node: ast.JoinedStr) -> Val | None:
        val = self._merge(node, [self._eval(v) for v in node.values])
        if val is None:
            return None
        text = Val(node, [val])
        text.flags = (text.flags & ~(NOW | DELTA)) | TEXT
        return text

    def _eval_Lambda(self, node: ast.Lambda) -> Val | None:
        return self._eval(node.body)

    def _eval_NamedExpr(self, node: ast.NamedExpr) -> Val | None:
        val = self._eval(node.value)
        if isinstance(node.target, ast.Name) and val is not None:
            self._env[node.target.id] = val
        return val

    def _eval_comprehension(self, node) -> Val | None:
        parts = []
        for gen in node.generators:
            it = self._eval(gen.iter)
            self._bind(gen.target, self._derived(gen.target, [it]) if it is not None else None, None, node)
            for cond in gen.ifs:
                self._eval(cond)
            parts.append(it)
        if isinstance(node, ast.DictComp):
            parts += [self._eval(node.key), self._eval(node.value)]
        else:
            parts.append(self._eval(node.elt))
        return self._merge(node, parts)

    _eval_ListComp = _eval_SetComp = _eval_GeneratorExp = _eval_DictComp = _eval_comprehension

    def _eval_List(self, node) -> Val | None:
        vals = [self._eval(e) for e in node.elts]
        if not any(v is not None for v in vals):
            return self._leaf(node) if node.elts else None
        return self._merge(node, vals)

    _eval_Tuple = _eval_Set = _eval_List

    def _eval_Dict(self, node: ast.Dict) -> Val | None:
        vals = []
        for key, value in zip(node.keys, node.values):
            if key is not None:
                self._eval(key)
            val = self._eval(value)
            vals.append(val)
            key_text = _const_str(key)
            if key_text is not None:
                self.dict_entries.append(DictEntry(key_text, val, value, node))
        return self._merge(node, vals)

    def _eval_BoolOp(self, node: ast.BoolOp) -> Val | None:
        vals = [self._eval(v) for v in node.values]
        merged = self._merge(node, vals)
        # `as_of or pd.Timestamp.now()`: the clock is only the default of a caller's value.
        if merged is not None and isinstance(node.op, ast.Or) and len(vals) == 2 and vals[1] is not None \
                and vals[1].flags & NOW and vals[0] is not None and not vals[0].flags & NOW:
            merged.flags |= FALLBACK
        return merged

    def _eval_IfExp(self, node: ast.IfExp) -> Val | None:
        self._eval(node.test)
        body, orelse = self._eval(node.body), self._eval(node.orelse)
        merged = self._merge(node, [body, orelse])
        if merged is not None and merged is not body and merged is not orelse and \
                sum(1 for v in (body, orelse) if v is not None and v.flags & NOW) == 1:
            merged.flags |= FALLBACK
        return merged

    def _eval_Call(self, node: ast.Call) -> Val | None:
        func = node.func
        spelled = dotted(func)
        qualname = self.imports.resolve_dotted(spelled)
        receiver = None
        method = None
        if qualname is None and isinstance(func, ast.Attribute):
            receiver = self._eval(func.value)
            # `Class.method(...)` or a builtin's method is not a call on a tracked value.
            method = func.attr if receiver is not None else None
        elif qualname is None and not isinstance(func, (ast.Name, ast.Attribute)):
            receiver = self._eval(func)
        elif qualname is None and isinstance(func, ast.Name) and self._scope_stack[-1][2] is not None \
                and func.id in self._scope_stack[-1][2].params:
            # `def train(df, KFold=WeeksKFold): KFold(n_splits=5)`: the caller's value is called, not the
            # library class its parameter happens to be named after
            receiver, spelled = self._eval(func), None
        elif self._imported_object(func):
            # `from app.state import model; model.predict(x)`: an object of the project, not a library
            qualname, method = None, func.attr
            receiver = self.module_env.setdefault(f"<import {func.value.id}>", Val(func.value))
            receiver.name = func.value.id
        args = [self._eval(a.value if isinstance(a, ast.Starred) else a) for a in node.args]
        kwargs = {kw.arg or "**": self._eval(kw.value) for kw in node.keywords}
        call = CallSite(node, qualname, spelled, method, receiver, args, kwargs, self._scope)
        self.calls.append(call)
        self._calls_by_node[id(node)] = call
        callee = self._callee(func)
        call.callee = callee
        returns: list[Val] = []
        reused: list[Val] = []
        if callee is not None:
            callee.calls += 1
            if not callee.analysed and self._call_depth >= MAX_CALL_DEPTH:
                # a chain of helpers deeper than this is not followed from here (the helper is still
                # analysed on its own afterwards); the limit is reported as a blind spot
                self.deep_calls.append(node.lineno)
            elif not callee.analysed:
                self._call_depth += 1
                try:
                    self._analyse_function(callee, args, kwargs)
                finally:
                    self._call_depth -= 1
                returns = callee.returns
            else:
                # The body was analysed with the first caller's arguments: its returns carry that
                # caller's rows. Later callers take only what the body computes (a clock read, say),
                # as a value edge, and their rows from their own arguments.
                self._add_bindings(callee, args, kwargs)
                reused = callee.returns
        if isinstance(func, ast.Name) and func.id in self.classes:
            returns = [*returns, *self.classes[func.id].values()]  # an instance carries what __init__ stored
        kw_vals = [v for k, v in kwargs.items() if k not in _ROW_KWARGS]
        row_kw = [v for k, v in kwargs.items() if k in _ROW_KWARGS]
        val = Val(node, [receiver, *args, *row_kw, *returns], kw=[*kw_vals, *reused], call=call)
        if method in _APPLY_METHODS and receiver is not None and receiver.roles:
            # `model.predict(X_test)` holds X_test's rows, not those the model was fitted on
            val.roles = frozenset().union(*(a.roles for a in [*args, *row_kw] if a is not None))
        call.val = val
        self._annotate_call(call, val)
        return val

    def _expression_columns(self, call: CallSite, node: ast.Call, val: Val) -> None:
        """Columns written by expressions: polars `with_columns(expr.alias("c"), d=expr)`, Spark
        `withColumn("c", expr)`. The new frame keeps the receiver's columns."""
        written: list[tuple[str, Val | None, ast.AST]] = []
        if call.method == "withColumn" and len(node.args) >= 2 and _const_str(node.args[0]):
            written.append((_const_str(node.args[0]), call.args[1] if len(call.args) > 1 else None, node))
        else:
            for arg, arg_val in zip(node.args, call.args):
                for item, item_val in _expression_items(arg, arg_val, self._vals_by_node):
                    name = _alias(item)
                    if name:
                        written.append((name, item_val, item))
            for kw in node.keywords:
                if kw.arg:
                    written.append((kw.arg, call.kwargs.get(kw.arg), kw.value))
        for column, value, where in written:
            self.column_writes.append(ColumnWrite(call.receiver, column, value, where, self._scope))
        val.shape = "frame"
        val.colvals = dict(call.receiver.colvals or {})
        val.colvals.update({c: v for c, v, _ in written if v is not None})

    def _imported_object(self, func: ast.expr) -> bool:
        """A model-like method called on a lower-case name imported from a module (an instance the
        project built elsewhere), as opposed to a library function."""
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.attr in _MODEL_METHODS):
            return False
        target = self.imports.aliases.get(func.value.id, "")
        return "." in target and func.value.id[:1].islower() and last(target)[:1].islower() \
            and target.split(".")[0] not in _LIBRARY_ROOTS

    def _callee(self, func: ast.expr) -> Function | None:
        if isinstance(func, ast.Name):
            if func.id in self.classes:  # constructing a module class runs its __init__
                return self.functions.get(f"{func.id}.__init__")
            return self.functions.get(func.id)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls") \
                and self._class is not None:
            return self.functions.get(f"{self._class}.{func.attr}")
        return None

    @staticmethod
    def _add_bindings(fn: Function, args, kwargs) -> None:
        names = list(fn.params)
        for i, val in enumerate(args):
            if val is not None and i < len(names):
                fn.params[names[i]].parents.append(val)
        for key, val in kwargs.items():
            if val is not None and key in fn.params:
                fn.params[key].parents.append(val)

    def _annotate_call(self, call: CallSite, val: Val) -> None:
        name = call.name
        short = call.short
        node = call.node
        # Wall-clock reads.
        if call.is_in(_NOW_CALLS) or (
            call.is_in(_NOW_STRING_CALLS) and node.args and _const_str(node.args[0]) in vocab.NOW_STRINGS
        ):
            val.flags |= NOW
            val.origin = val
            self.own_origins.append(val)
        # Text formatting stops a clock value from being a number.
        if call.method in TEXT_METHODS or (call.spelled in ("str", "repr") and call.method is None):
            val.flags = (val.flags & ~(NOW | DELTA)) | TEXT
        # Constructors: remember the class and the classes nested in it (pipeline steps).
        if call.callee is not None and call.callee.returns:
            made = next((r for r in call.callee.returns if r.ctor), None)
            if made is not None:  # `model = build_model()`: the helper's estimator
                val.ctor, val.ctors = made.ctor, made.ctors
        elif call.method is None and (short[:1].isupper() or isinstance(node.func, ast.Name) and node.func.id in self.classes) \
                or (call.qualname and short in ("make_pipeline", "make_column_transformer", "make_union")):
            # (a class of this module is a constructor whatever its name's case)
            val.ctor = name
            nested = frozenset().union(*(a.ctors for a in [*call.args, *call.kwargs.values()] if a is not None))
            val.ctors = nested | {last(name)}
        elif call.method in ("fit", "set_params", "set_output") and call.receiver is not None:
            val.ctor = call.receiver.ctor
            val.ctors = call.receiver.ctors
        # Shapes, for telling a frame from a column.
        if call.is_in(_FRAME_FUNCS) or (call.method in FRAME_METHODS and call.receiver is not None
                                       and call.receiver.shape in ("frame", "series")):
            val.shape = "frame" if call.method is None or call.receiver.shape == "frame" else "series"
            if call.receiver is not None and call.receiver.colvals:
                val.colvals = call.receiver.colvals
        if call.method is None and call.is_in(_COLUMN_FUNCS):
            val.shape = "series"  # `pd.Series(0, index=df.index)`: one column
        if call.method == "get" and call.receiver is not None and call.receiver.shape == "frame" and call.node.args \
                and isinstance(call.node.args[0], ast.Constant) and isinstance(call.node.args[0].value, str):
            val.shape = "series"  # `df.get("quantity")`: one column, or None
        elif call.method is None and call.qualname in _SHAPE_KEEPING and call.args and call.args[0] is not None \
                and call.args[0].shape is not None:
            val.shape = call.args[0].shape  # `pd.to_numeric(col, errors="coerce")`: the column converted
        if call.method in vocab.FIT_METHODS and call.method == "fit_resample" and call.receiver is not None \
                and any(vocab.is_resampler(c) for c in call.receiver.ctors):
            val.flags |= RESAMPLED
        if call.is_in(_RESAMPLE) and _without_replacement(call):
            if _masked_rows(call.args[0] if call.args else None):
                val.flags |= REBALANCED  # `resample(majority, replace=False, n_samples=len(minority))`: a class sampled down
        elif call.is_in(_RESAMPLE) or _duplicates_rows(call):
            val.flags |= RESAMPLED
        elif _draws_one_class(call):
            val.flags |= REBALANCED
        # In-place edits rebind the receiver's name to the edited value.
        inplace = call.kwarg_node("inplace")
        if isinstance(inplace, ast.Constant) and inplace.value is True and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name):
            val.shape = call.receiver.shape if call.receiver is not None else None
            self._env[node.func.value.id] = val
        if call.method in vocab.PREDICT_METHODS and call.receiver is not None:
            call.receiver.flags |= APPLIED
        # `scores.append(x)`: the container now holds what was put in it.
        if call.method in _CONTAINER_ADDS and call.receiver is not None and call.receiver.shape is None \
                and call.args and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) \
                and self._env.get(node.func.value.id) is call.receiver:
            grown = Val(node, [call.receiver, *call.args])
            grown.name = call.receiver.name
            self._env[node.func.value.id] = grown
        if call.method == "assign" and call.receiver is not None:
            for kw in node.keywords:
                if kw.arg:
                    self.column_writes.append(ColumnWrite(call.receiver, kw.arg, call.kwargs.get(kw.arg), kw.value, self._scope))
            val.shape = "frame"
            val.flags &= ~(NOW | DELTA)
            val.colvals = dict(call.receiver.colvals or {})
            val.colvals.update({k: v for k, v in call.kwargs.items() if v is not None})
        if call.method in ("with_columns", "with_column", "withColumn") and call.receiver is not None:
            self._expression_columns(call, node, val)
        if call.method in ("merge", "join") and call.receiver is not None and call.receiver.shape == "frame":
            other_node = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg in ("right", "other")), None)
            other = call.args[0] if call.args else call.kwargs.get("right") or call.kwargs.get("other")
            column = _series_name(other_node) if other_node is not None else None
            if column is None and other is not None and isinstance(other.node, ast.Call):
                column = _series_name(other.node)  # (bound to a name first: `hourly = ...rename("c")`)
            if column is not None and other is not None and any(a is call.receiver for a in self.ancestors(other)):
                # a named column computed from the frame's own rows and joined back in
                # (`hits.groupby(k)["click"].mean().rename("k_ctr")`): a column write; one computed from
                # another table (last year's claims) is that table's, not these rows' own
                self.column_writes.append(ColumnWrite(call.receiver, column, other, other_node, self._scope))
        if call.method is None and call.is_("polars.col") and node.args and _const_str(node.args[0]):
            val.key = _const_str(node.args[0])  # `pl.col("amount")` reads the column
        if call.method == "insert" and call.receiver is not None and len(node.args) >= 3:
            column = _const_str(node.args[1])
            if column and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
                self.column_writes.append(ColumnWrite(call.receiver, column, call.args[2], node, self._scope))
        self._register_split(call)


def _series_name(node: ast.AST) -> str | None:
    """The column a joined series brings in, when the code names it: `.rename("c")`,
    `.to_frame("c")`, `.reset_index(name="c")` at the end of its chain (through a variable bound to
    such a chain is read from its value)."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        method = node.func.attr
        if method in ("rename", "to_frame") and node.args and _const_str(node.args[0]):
            return _const_str(node.args[0])
        if method == "reset_index":
            named = next((k.value for k in node.keywords if k.arg == "name"), None)
            if named is not None and _const_str(named):
                return _const_str(named)
        node = node.func.value
    return None


def _alias(node: ast.AST) -> str | None:
    """The output name of a polars expression: `<expr>.alias("c")` (or `.name.suffix(...)`, not read)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "alias" and node.args:
        return _const_str(node.args[0])
    return None


def _expression_items(arg: ast.AST, val: Val | None, evaluated: dict[int, Val]) -> list[tuple[ast.AST, Val | None]]:
    """The expressions of one `with_columns` argument: the expression itself, or each element of
    a list of them, with the value it evaluated to."""
    if isinstance(arg, (ast.List, ast.Tuple)):
        return [(elt, evaluated.get(id(elt), val)) for elt in arg.elts]
    return [(arg, val)]
