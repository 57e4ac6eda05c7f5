"""Data flow over one module, computed in one walk of its syntax tree.

Every expression that matters evaluates to a `Val`; names bind to Vals; a Val remembers the Vals it
derives from. Three kinds of edges, because rows and values travel differently:
- `parents`: the data the value is computed from (operands, receiver, positional arguments);
- `index`: what selects rows (`X.iloc[train_idx]`, `df[mask]`): it restricts rows but is not a value;
- `kw`: keyword arguments (`random_state=SEED`, `fill_value=...`): values, but not rows.

Along the walk the analysis records what rules ask about: calls (with qualified names), column
writes (`df['c'] = ...`, `assign`, `loc`), dict entries with string keys, train/test splits and their
outputs, and string constants. Functions are summarised once (analysed at their first call, with
parameters bound to that call's arguments; later calls add their arguments as more origins of the
parameters), so values flow through helpers and back out of their returns. Control flow is read
in source order: a branch's bindings are visible after it, which over-approximates flow, never
under-approximates it.

The parts: `flowtypes.py` (Val, CallSite, Split and the other records, flags, per-node helpers),
`rowparts.py` (complementary row cuts), `flow_bind.py` (binding and split registration),
`flow_expr.py` (expression handlers); this module drives the walk, dispatches statements and
expressions, and answers the queries (`ancestors`, `downstream`, `val_at`, `data_sources`...).
"""
from __future__ import annotations

import ast
from functools import cached_property
from typing import Callable, Iterable, Iterator

from wicked_data.checks.analysis.flow_bind import Bindings
from wicked_data.checks.analysis.flow_expr import Expressions
from wicked_data.checks.analysis.flowtypes import (
    _BLOCK_STATEMENTS,
    _UNSET,
    FALLBACK,
    LITERAL,
    NOW,
    CallSite,
    ColumnWrite,
    DictEntry,
    Function,
    Split,
    Val,
    _annotated_shape,
)
from wicked_data.checks.analysis.names import Imports


class FlowAnalysis(Bindings, Expressions):
    """The whole-module flow facts. Build with `FlowAnalysis(tree)`; then read its lists."""

    def __init__(self, tree: ast.Module, imports: Imports | None = None) -> None:
        self.imports = imports or Imports()
        self.calls: list[CallSite] = []
        self.column_writes: list[ColumnWrite] = []
        self.dict_entries: list[DictEntry] = []
        self.splits: list[Split] = []
        self.strings: list[ast.Constant] = []
        self.bindings: list[tuple[str, Val]] = []  # every `name = value`, in walk order
        self.compares: list[ast.Compare] = []
        self.loops: list[ast.For | ast.AsyncFor | ast.While] = []
        self._calls_by_node: dict[int, CallSite] = {}
        self._vals_by_node: dict[int, Val] = {}  # every evaluated expression's value (the last evaluation)
        self.own_origins: list[Val] = []  # values that are their own `origin` (a reference cycle)
        # `(X - X.mean()) / X.std()`: data rescaled with its own statistics (node, statistic call)
        self.stat_ops: list[tuple[ast.BinOp, CallSite]] = []
        self.functions: dict[str, Function] = {}
        self.nested: list[Function] = []  # functions defined inside functions (routes in an app factory)
        self.classes: dict[str, dict[str, Val]] = {}
        self.module_env: dict[str, Val] = {}
        self._slice_splits: dict[int, Split] = {}
        self._ancestor_ids: dict[tuple[int, bool], frozenset[int]] = {}  # `derives_from`'s answers, once built
        self._call_depth = 0  # helpers being analysed from their call sites, one inside another
        self.deep_calls: list[int] = []  # lines of calls not followed: the chain was deeper than MAX_CALL_DEPTH
        # (env, scope name, function, class, enclosing envs): names resolve lexically, in the scope's
        # own env, then its enclosing functions' (for nested functions), then the module's.
        self._scope_stack: list[tuple[dict[str, Val], str, Function | None, str | None, list[dict[str, Val]]]] = []
        self._bodies_seen = 0
        self._run(tree)

    # ------------------------------------------------------------------ driving the walk
    def _run(self, tree: ast.Module) -> None:
        self._tree = tree
        self._part_roles: dict[int, dict[int, str]] = {}  # per scope, `row_part_roles`, when first needed
        self._collect_defs(tree.body, prefix="", cls=None)
        self._push(self.module_env, "<module>", None, None, [])
        self._block(tree.body)
        for fn in list(self.functions.values()):
            if not fn.analysed:
                self._analyse_function(fn)
        self._pop()
        # A row filter named `train...` with no held-out counterpart is a filter, not a split.
        self.splits = [s for s in self.splits if s.kind not in ("mask", "slice")
                       or len({r == "train" for _, r in s.outputs}) == 2]

    def _collect_defs(self, body: list[ast.stmt], prefix: str, cls: str | None) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}{stmt.name}"
                self.functions.setdefault(name, Function(stmt, name, cls=cls))
            elif isinstance(stmt, ast.ClassDef) and not prefix:
                self.classes.setdefault(stmt.name, {})
                self._collect_defs(stmt.body, prefix=f"{stmt.name}.", cls=stmt.name)
            elif isinstance(stmt, _BLOCK_STATEMENTS) and not prefix:
                # definitions under `if TYPE_CHECKING`, `try: ... except ImportError`, `with
                # mlflow.start_run():` or a loop are module functions all the same
                blocks = [getattr(stmt, "body", []), getattr(stmt, "orelse", []), getattr(stmt, "finalbody", [])]
                blocks += [h.body for h in getattr(stmt, "handlers", [])] + [c.body for c in getattr(stmt, "cases", [])]
                for sub in blocks:
                    self._collect_defs(sub, prefix, cls)

    def _push(self, env, scope, fn, cls, outer: list[dict[str, Val]] | None = None) -> None:
        self._scope_stack.append((env, scope, fn, cls, outer if outer is not None else [self.module_env]))

    def _pop(self) -> None:
        self._scope_stack.pop()

    @property
    def _env(self) -> dict[str, Val]:
        return self._scope_stack[-1][0]

    @property
    def _scope(self) -> str:
        return self._scope_stack[-1][1]

    @property
    def _function(self) -> Function | None:
        return self._scope_stack[-1][2]

    @property
    def _class(self) -> str | None:
        return self._scope_stack[-1][3]

    def _analyse_function(self, fn: Function, call_args: list[Val | None] | None = None,
                          call_kwargs: dict[str, Val | None] | None = None,
                          outer: list[dict[str, Val]] | None = None) -> None:
        fn.analysed = True
        cls = fn.cls
        env: dict[str, Val] = {}
        args = fn.node.args
        positional = [*args.posonlyargs, *args.args]
        if cls and positional and positional[0].arg in ("self", "cls"):
            positional = positional[1:]
        defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        for i, arg in enumerate(positional):
            bound = call_args[i] if call_args and i < len(call_args) else None
            if call_kwargs and arg.arg in call_kwargs:
                bound = call_kwargs[arg.arg]
            default = self._eval(defaults[i]) if defaults[i] is not None else None
            fn.params[arg.arg] = self._param(arg, bound, default)
        for arg, default_node in zip(args.kwonlyargs, args.kw_defaults):
            bound = call_kwargs.get(arg.arg) if call_kwargs else None
            default = self._eval(default_node) if default_node is not None else None
            fn.params[arg.arg] = self._param(arg, bound, default)
        for arg in (args.vararg, args.kwarg):
            if arg is not None:
                fn.params[arg.arg] = self._param(arg, None, None)
        env.update(fn.params)
        self._push(env, fn.qualname, fn, cls, outer)
        for deco in fn.node.decorator_list:
            self._eval(deco)
        self._block(fn.node.body)
        self._pop()

    def _param(self, arg: ast.arg, bound: Val | None, default: Val | None) -> Val:
        val = Val(arg, parents=[bound, default])
        val.name = arg.arg
        if bound is not None and bound.shape:
            val.shape = bound.shape
        elif arg.annotation is not None:  # `df: pd.DataFrame`: the annotation, not the name, says so
            val.shape = _annotated_shape(arg.annotation, self.imports)
        return val

    # ------------------------------------------------------------------ statements
    def _block(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self._stmt(stmt)

    def _stmt(self, stmt: ast.stmt) -> None:
        method = _STMT_HANDLERS.get(type(stmt))
        if method is not None:
            method(self, stmt)
            return
        # Anything else: evaluate its expressions, then walk its nested blocks in order.
        for name in ("test", "subject"):
            sub = getattr(stmt, name, None)
            if isinstance(sub, ast.expr):
                self._eval(sub)
        for name in ("body", "orelse", "finalbody"):
            sub = getattr(stmt, name, None)
            if isinstance(sub, list):
                self._block(sub)
        for handler in getattr(stmt, "handlers", []) or []:
            if handler.name:
                self._env[handler.name] = Val(handler)
            self._block(handler.body)
        for case in getattr(stmt, "cases", []) or []:
            self._block(case.body)

    def _stmt_Import(self, stmt: ast.Import) -> None:
        self.imports.add(stmt)

    _stmt_ImportFrom = _stmt_Import

    def _stmt_FunctionDef(self, stmt) -> None:
        """Module functions and methods are analysed at their first call, or after the module body.
        A function nested in another one is analysed where it is defined, seeing its enclosing names."""
        if self._function is None or any(fn.node is stmt for fn in self.functions.values()):
            return
        fn = Function(stmt, f"{self._scope}.{stmt.name}")
        self.nested.append(fn)
        frame = self._scope_stack[-1]
        self._analyse_function(fn, outer=[frame[0], *frame[4]])
        self._env[stmt.name] = fn.returns[0] if fn.returns else Val(stmt)

    _stmt_AsyncFunctionDef = _stmt_FunctionDef

    def _stmt_ClassDef(self, stmt: ast.ClassDef) -> None:
        """The class body runs where the class is defined (at import time for a module class): its
        attributes (`model = joblib.load(PATH)`) are values like any other, which `self.model` in a
        method reads. Methods of a module class are module functions (`_collect_defs`); those of a
        class defined in a function are analysed here, seeing the function's names."""
        for expr in (*stmt.decorator_list, *stmt.bases, *(kw.value for kw in stmt.keywords)):
            self._eval(expr)
        frame = self._scope_stack[-1]
        outer = [frame[0], *frame[4]]
        env: dict[str, Val] = {}
        self._push(env, self._scope, self._function, stmt.name, outer)
        methods = []
        for sub in stmt.body:
            if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                methods.append(sub)
            else:
                self._stmt(sub)
        self._pop()
        attrs = self.classes.setdefault(stmt.name, {})
        for name, val in env.items():
            attrs.setdefault(name, val)
        if self._function is not None:
            for method in methods:
                fn = Function(method, f"{self._scope}.{stmt.name}.{method.name}", cls=stmt.name)
                self.nested.append(fn)
                self._analyse_function(fn, outer=outer)

    def _stmt_Expr(self, stmt: ast.Expr) -> None:
        self._eval(stmt.value)

    def _stmt_Return(self, stmt: ast.Return) -> None:
        fn = self._function
        if isinstance(stmt.value, ast.Tuple) and fn is not None and not any(isinstance(e, ast.Starred) for e in stmt.value.elts):
            parts = [self._eval(e) for e in stmt.value.elts]
            fn.returned_tuples.append(parts)
            val = self._merge(stmt.value, parts)
        else:
            val = self._eval(stmt.value) if stmt.value is not None else None
        if fn is not None and val is not None:
            fn.returns.append(val)

    def _stmt_Assign(self, stmt: ast.Assign) -> None:
        val = self._eval(stmt.value)
        for target in stmt.targets:
            self._bind(target, val, stmt.value, stmt)

    def _stmt_AnnAssign(self, stmt: ast.AnnAssign) -> None:
        if stmt.value is not None:
            self._bind(stmt.target, self._eval(stmt.value), stmt.value, stmt)

    def _stmt_AugAssign(self, stmt: ast.AugAssign) -> None:
        current = self._eval(stmt.target)
        val = self._merge(stmt, [current, self._eval(stmt.value)])
        self._bind(stmt.target, val, stmt.value, stmt)

    def _stmt_For(self, stmt: ast.For) -> None:
        self.loops.append(stmt)
        iter_val = self._eval(stmt.iter)
        self._bind_for_target(stmt.target, stmt.iter, iter_val, stmt)
        self._block(stmt.body)
        self._block(stmt.orelse)

    _stmt_AsyncFor = _stmt_For

    def _stmt_With(self, stmt: ast.With) -> None:
        for item in stmt.items:
            val = self._eval(item.context_expr)
            if item.optional_vars is not None:
                self._bind(item.optional_vars, val, item.context_expr, stmt)
        self._block(stmt.body)

    _stmt_AsyncWith = _stmt_With

    def _stmt_While(self, stmt: ast.While) -> None:
        self.loops.append(stmt)
        self._eval(stmt.test)
        self._block(stmt.body)
        self._block(stmt.orelse)

    def _stmt_If(self, stmt: ast.If) -> None:
        self._eval(stmt.test)
        env = self._env
        before = dict(env)
        fallback_param = self._none_test_param(stmt.test)
        if fallback_param:
            first = len(self.calls)
            self._block(stmt.body)
            bound = env.get(fallback_param)
            if bound is not None and bound.flags & NOW and any(c.val is bound or c.val in bound.parents for c in self.calls[first:]):
                bound.flags |= FALLBACK
        else:
            self._block(stmt.body)
        after_body = dict(env)
        env.clear()
        env.update(before)
        self._block(stmt.orelse)
        after_else = dict(env)
        # the names after the statement: either branch's values, from the branches that fall through
        paths = [e for e, block in ((after_body, stmt.body), (after_else, stmt.orelse)) if not _ends(block)]
        env.clear()
        env.update(self._join(stmt, paths or [after_body, after_else]))

    def _join(self, stmt: ast.stmt, paths: list[dict[str, Val]]) -> dict[str, Val]:
        """The environment after branches: a name bound to different values on different paths
        holds either (a value derived from both); one bound on a single path keeps that value."""
        if len(paths) == 1:
            return paths[0]
        out: dict[str, Val] = {}
        for name in sorted({n for p in paths for n in p}):  # (a fixed order: ids and reports stay stable)
            vals = [p[name] for p in paths if name in p]
            distinct = list({id(v): v for v in vals}.values())
            if len(distinct) == 1:
                out[name] = distinct[0]
                continue
            joined = Val(stmt, distinct)
            joined.name = name
            joined.ctors = frozenset().union(*(v.ctors for v in distinct))
            ctors = {v.ctor for v in distinct}
            joined.ctor = ctors.pop() if len(ctors) == 1 else None
            shapes = {v.shape for v in distinct}
            joined.shape = shapes.pop() if len(shapes) == 1 else None
            if all(v.flags & LITERAL for v in distinct):
                joined.flags |= LITERAL
            columns = [v.colvals for v in distinct if v.colvals]
            if columns:
                joined.colvals = {}
                for key in {k for c in columns for k in c}:
                    held = list({id(c[key]): c[key] for c in columns if key in c}.values())
                    joined.colvals[key] = held[0] if len(held) == 1 else Val(stmt, held)
            joined.fn = self._function
            out[name] = joined
        return out

    def _none_test_param(self, test: ast.expr) -> str | None:
        """`if as_of is None:` / `if not as_of:` on a parameter: the body supplies its default."""
        fn = self._function
        if fn is None:
            return None
        name = None
        if isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and len(test.ops) == 1 \
                and isinstance(test.ops[0], (ast.Is, ast.Eq)) and isinstance(test.comparators[0], ast.Constant) \
                and test.comparators[0].value is None:
            name = test.left.id
        elif isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(test.operand, ast.Name):
            name = test.operand.id
        return name if name in fn.params else None

    # ------------------------------------------------------------------ evaluation (the handlers: flow_expr.py)
    def _eval(self, node: ast.expr | None) -> Val | None:
        if node is None:
            return None
        method = _EVAL_HANDLERS.get(type(node))
        if method is not None:
            val = method(self, node)
        else:  # generic expression: the merge of its children
            val = self._merge(node, [self._eval(c) for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr)])
        if val is not None:
            if val.fn is _UNSET:
                val.fn = self._function
            self._vals_by_node[id(node)] = val
        return val


    # ------------------------------------------------------------------ queries
    def ancestors(self, val: Val | None, rows: bool = False, values: bool = False) -> Iterator[Val]:
        """`val` and every Val it derives from. `rows` also follows row selectors (index); `values`
        also follows keyword arguments."""
        if val is None:
            return
        seen = {id(val)}
        stack = [val]
        while stack:
            cur = stack.pop()
            yield cur
            nexts = cur.parents
            if rows and cur.index:
                nexts = [*nexts, *cur.index]
            if values and cur.kw:
                nexts = [*nexts, *cur.kw]
            for p in nexts:
                if id(p) not in seen:
                    seen.add(id(p))
                    stack.append(p)

    @property
    def evaluated(self) -> Iterable[Val]:
        """Every value an expression of the module evaluated to."""
        return self._vals_by_node.values()

    def val_at(self, node: ast.AST) -> Val | None:
        """The value an expression evaluated to (None for constants, imports, unevaluated code)."""
        return self._vals_by_node.get(id(node))

    def downstream(self, seeds: Iterable[Val]) -> set[int]:
        """Ids of the seeds and every value computed from them (through data, keyword values,
        helper parameters and returns; not through row selectors: `df[p > .5]` holds rows, not p)."""
        children = self._children
        out: set[int] = set()
        stack = [id(s) for s in seeds]
        while stack:
            key = stack.pop()
            if key in out:
                continue
            out.add(key)
            stack += children.get(key, ())
        return out

    @staticmethod
    def upstream(seeds: Iterable[Val | None], kw: bool = True, columns: bool = False,
                 text: bool = True) -> list[Val]:
        """The seeds and every value they derive from, each once: through data (`parents`), row
        selectors (`index`), keyword values (`kw`, unless turned off) and, with `columns`, the
        values written to a frame's columns; without `text`, not through a value formatted into a
        string (`f"mean {x.mean():.2f}"` carries words, not the data). The one backward closure the
        queries share."""
        seen: set[int] = set()
        out: list[Val] = []
        stack = [s for s in seeds if s is not None]
        while stack:
            cur = stack.pop()
            if id(cur) in seen:
                continue
            seen.add(id(cur))
            out.append(cur)
            if not text and _formats_text(cur):
                continue
            stack += cur.parents
            stack += cur.index
            if kw:
                stack += cur.kw
            if columns and cur.colvals:
                stack += [v for v in cur.colvals.values() if v is not None]
        return out

    @cached_property
    def _children(self) -> dict[int, list[int]]:
        """The reverse of `parents` and `kw` over every value of the module, built once."""
        seeds: list[Val] = list(self._vals_by_node.values())
        for fn in [*self.functions.values(), *self.nested]:
            seeds += fn.params.values()
        children: dict[int, list[int]] = {}
        for val in self.upstream(seeds):
            for parent in (*val.parents, *val.kw):
                children.setdefault(id(parent), []).append(id(val))
        return children

    def bound_only_to(self, name: str, holds: Callable[[Val], bool], scope: ast.AST | None | object = _UNSET) -> bool | None:
        """Does every value bound to `name` derive from a value for which `holds` is true (`cfg`
        only ever bound to what `yaml.safe_load` returned)? Only the bindings made in `scope`'s
        body (a function node, None for the module) when given; None when the name is bound nowhere
        there. What a name is bound to decides, never the name."""
        bound = self.bindings_by_name.get(name, ())
        if scope is not _UNSET:
            bound = [v for v in bound if getattr(v.fn, "node", None) is scope]
        if not bound:
            return None
        return all(any(holds(a) for a in self.ancestors(v)) for v in bound)

    def derives_from(self, val: Val | None, other: Val | None, rows: bool = True) -> bool:
        """`other` is `val` or one of its ancestors. The ancestor set of each `val` asked about is kept:
        rules ask it of one value against many (every read against every saved model), and a walk
        per question is quadratic in a long script (2,500 models each trained on its own file)."""
        if val is None or other is None:
            return False
        key = (id(val), rows)
        found = self._ancestor_ids.get(key)
        if found is None:
            found = self._ancestor_ids[key] = frozenset(id(a) for a in self.ancestors(val, rows=rows))
        return id(other) in found

    def data_sources(self, val: Val | None) -> set[int]:
        """Ids of the non-literal Vals `val` derives its rows from. A parameter that received
        arguments, and values computed inside a function called from several places, stand for
        whatever their callers passed, so they are looked through rather than counted: two
        different files loaded by one helper do not share rows."""
        out: set[int] = set()
        if val is None:
            return out
        seen = {id(val)}
        stack = [val]
        while stack:
            a = stack.pop()
            if isinstance(a.fn, Function) and a.fn.calls > 1 and a is not val:
                continue  # another caller's rows, seen through a shared helper's body
            if not a.flags & LITERAL and not (isinstance(a.node, ast.arg) and a.parents):
                out.add(id(a))
            for p in (*a.parents, *a.index):
                if id(p) not in seen:
                    seen.add(id(p))
                    stack.append(p)
        return out

    def split_of(self, key: int) -> Split | None:
        for split in self.splits:
            if id(split) == key:
                return split
        return None


def _handlers(prefix: str) -> dict[type, Callable]:
    """`FlowAnalysis._eval_Name` for `ast.Name`...: the methods by node type, looked up per node."""
    return {getattr(ast, name[len(prefix):]): getattr(FlowAnalysis, name) for name in dir(FlowAnalysis)
            if name.startswith(prefix) and isinstance(getattr(ast, name[len(prefix):], None), type)}


_STMT_HANDLERS = _handlers("_stmt_")
_EVAL_HANDLERS = _handlers("_eval_")


def _formats_text(val: Val) -> bool:
    """A string built by formatting values: an f-string, `"...".format(...)`, `"..." % ...`."""
    node = val.node
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) \
            and isinstance(node.left.value, str):
        return True
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format" \
        and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str)


def _ends(block: list[ast.stmt]) -> bool:
    """The block never falls through to the statement after it: it ends in `return`, `raise`,
    `continue` or `break`."""
    return bool(block) and isinstance(block[-1], (ast.Return, ast.Raise, ast.Continue, ast.Break))
