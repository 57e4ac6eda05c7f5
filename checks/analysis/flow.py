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
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Callable, Iterable, Iterator

from checks.analysis import vocab
from checks.analysis.names import Candidates, Imports, candidates, dotted, last
from checks.analysis.walk import children

# Val flags, propagated eagerly from origins to derived values.
NOW = 1  # derived from a wall-clock read
DELTA = 2  # derived from (clock - data): an age, a recency
TEXT = 4  # formatted as text: a clock value here is a label, not a feature
FALLBACK = 8  # a clock read used as the default of a parameter (`as_of or now()`)
RESAMPLED = 16  # derived from an oversampler's output
LITERAL = 32  # a constant or a container of constants only
APPLIED = 64  # used as a model: a predict method was called on this very value (set on the value, not inherited)

_EMPTY: frozenset = frozenset()
_NO_VALS: tuple = ()
_UNSET = object()


class Val:
    __slots__ = ("id", "node", "parents", "index", "kw", "call", "ctor", "ctors", "key", "flags",
                 "roles", "name", "shape", "origin", "colvals", "fn")

    def __init__(self, node: ast.AST | None, parents=(), index=(), kw=(), call=None) -> None:
        # Hot: a module of a few hundred lines makes thousands. Empty `index`/`kw` share one tuple
        # (only `parents` is ever appended to, for a function's parameters).
        self.node = node
        self.parents: list[Val] = [p for p in parents if p is not None] if parents else []
        self.index: list[Val] | tuple = [p for p in index if p is not None] if index else _NO_VALS
        self.kw: list[Val] | tuple = [p for p in kw if p is not None] if kw else _NO_VALS
        self.call: CallSite | None = call
        self.ctor: str | None = None
        self.ctors: frozenset[str] = _EMPTY
        self.key: object = None  # column key when this is `frame[key]`
        self.name: str | None = None
        self.shape: str | None = None  # 'frame' | 'series' | None
        self.origin: Val | None = None  # for DELTA: the (clock - data) value it came from
        # For frames: the value last written to each column, so that reading `df['a']` carries
        # what was written to 'a' and not what was written to the other columns.
        self.colvals: dict[str, Val] | None = None
        self.fn: Function | None | object = _UNSET  # the function whose body computed it (None: module)
        flags = 0
        roles: frozenset = _EMPTY
        for p in self.parents:
            flags |= p.flags
            if p.roles:
                roles = roles | p.roles
            if p.origin is not None and self.origin is None and p.flags & DELTA:
                self.origin = p.origin
        flags &= NOW | DELTA | RESAMPLED | FALLBACK
        for p in self.kw:
            flags |= p.flags & (NOW | DELTA | FALLBACK)
            if p.origin is not None and self.origin is None and p.flags & DELTA:
                self.origin = p.origin
        for p in self.index:
            if p.roles:
                roles = roles | p.roles
        self.flags = flags
        self.roles: frozenset = roles

    @property
    def line(self) -> int:
        return getattr(self.node, "lineno", 0)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<Val {self.name or type(self.node).__name__} L{self.line} flags={self.flags}>"


@dataclass(eq=False)
class CallSite:
    node: ast.Call
    qualname: str | None  # resolved through imports, e.g. 'sklearn.model_selection.train_test_split'
    spelled: str | None  # as written, e.g. 'ms.train_test_split' or 'model.fit'
    method: str | None  # attribute name for `receiver.method(...)` calls on values
    receiver: Val | None
    args: list[Val | None]
    kwargs: dict[str, Val | None]
    scope: str
    val: Val | None = None
    callee: "Function | None" = None  # the module function or method called, when known

    def __post_init__(self) -> None:
        # The name's last component (`train_test_split`, `fit` for `model.fit`): rules ask for it
        # of every call, and `is_` rejects most calls on it before comparing whole names.
        self.short: str = last(self.qualname or self.spelled)

    @property
    def name(self) -> str | None:
        """Qualified name when resolved, else the written spelling."""
        return self.qualname or self.spelled

    @property
    def line(self) -> int:
        return self.node.lineno

    def is_(self, *names: str) -> bool:
        """Does this call denote one of `names` (fully qualified; the rule is `names.Candidates`)?
        A method called on a value never does."""
        return self.is_in(candidates(*names))

    def is_in(self, known: Candidates) -> bool:
        """`is_` for names built once (`candidates(...)` at import): code that asks of every call."""
        if self.short not in known.shorts or (self.method is not None and self.qualname is None):
            return False
        return known.match(self.qualname, self.spelled, self.short)

    def kwarg_node(self, name: str) -> ast.expr | None:
        for kw in self.node.keywords:
            if kw.arg == name:
                return kw.value
        return None

    def arg_node(self, pos: int, name: str | None = None) -> ast.expr | None:
        if name is not None:
            found = self.kwarg_node(name)
            if found is not None:
                return found
        args = [a for a in self.node.args if not isinstance(a, ast.Starred)]
        return args[pos] if pos < len(args) else None

    def arg(self, pos: int, name: str | None = None) -> Val | None:
        if name is not None and name in self.kwargs:
            return self.kwargs[name]
        return self.args[pos] if pos < len(self.args) else None


@dataclass(eq=False)
class Split:
    kind: str  # 'function' | 'splitter' | 'mask' | 'slice' | 'sample' | 'random_split'
    node: ast.AST
    call: CallSite | None
    inputs: list[Val]
    outputs: list[tuple[Val, str]] = field(default_factory=list)  # (value, 'train'|'test'|'validation')
    shuffled: bool | None = None
    temporal: bool = False  # ordered by time: TimeSeriesSplit, a date cut-off, an unshuffled slice
    splitter: str | None = None

    @property
    def line(self) -> int:
        return self.node.lineno


@dataclass(eq=False)
class ColumnWrite:
    frame: Val | None  # the frame before the write
    column: str
    value: Val | None
    node: ast.AST
    scope: str

    @property
    def line(self) -> int:
        return self.node.lineno


@dataclass(eq=False)
class DictEntry:
    key: str
    value: Val | None
    node: ast.AST  # the value expression
    dict_node: ast.Dict


@dataclass(eq=False)
class Function:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    qualname: str
    params: dict[str, Val] = field(default_factory=dict)
    returns: list[Val] = field(default_factory=list)
    returned_tuples: list[list[Val | None]] = field(default_factory=list)  # `return a, b`: per position
    cls: str | None = None
    analysed: bool = False
    calls: int = 0  # call sites seen in the module


SPLIT_NAME_ROLES = (("val", "validation"), ("valid", "validation"), ("dev", "validation"), ("va", "validation"),
                    ("cal", "validation"), ("calib", "validation"), ("calibration", "validation"),
                    ("tune", "validation"), ("tuning", "validation"), ("es", "validation"),
                    ("test", "test"), ("holdout", "test"), ("hold_out", "test"), ("oot", "test"),
                    ("train", "train"), ("trn", "train"), ("tr", "train"), ("te", "test"))


def role_from_name(name: str | None) -> str | None:
    if not name:
        return None
    return _role_from_name(name)


@lru_cache(maxsize=4096)
def _role_from_name(name: str) -> str | None:  # the same names come back many times
    parts = [p for p in re.split(r"[^a-z]+", name.lower()) if p]  # whole tokens: `X_test`, not `contest`
    for token, role in SPLIT_NAME_ROLES:
        if token in parts:
            return role
    return None


_CONTAINER_ADDS = {"append", "extend", "add", "update", "appendleft"}
_HEAD_OPS = (ast.Lt, ast.LtE)
_TAIL_OPS = (ast.Gt, ast.GtE)


def row_part_roles(scope: ast.AST) -> dict[int, str]:
    """Subscripts of one scope (a function's body, or the module outside its functions) that cut
    complementary parts of the same rows, by node id, with their role.

    Parts are the values of assignments and returns, grouped by what is cut: a head and a tail of
    the same array (`X[:n]`, `X[n:]`; a middle `X[n:m]` between them is validation), the two sides
    of one cut on one column (`df[df.day < c]`, `df[df.day >= c]`: the earlier rows train), a mask
    and its negation (`df[m]`, `df[~m]`; the first written trains). The part the scope fits a model
    on trains, whatever its position. A part alone is a filter, not a split."""
    groups: dict[tuple, list[tuple[ast.Subscript, str]]] = {}
    targets: dict[int, str] = {}  # part node id -> the name it is bound to
    fitted: set[str] = set()  # the names given as the data (X, y) of a `fit` call
    stack = children(scope)
    while stack:
        child = stack.pop()
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue  # another scope
        if isinstance(child, (ast.Assign, ast.Return)) and child.value is not None:
            value = child.value
            items = [_rows_kept(v) for v in (value.elts if isinstance(value, ast.Tuple) else [value])]
            for item in items:
                _add_row_part(groups, item)
            if isinstance(child, ast.Assign):
                _note_targets(targets, child.targets[0], items)
        elif isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute) and child.func.attr in vocab.FIT_METHODS:
            fitted.update(a.id for a in child.args[:2] if isinstance(a, ast.Name))
        stack += children(child)
    roles: dict[int, str] = {}
    for parts in groups.values():
        kinds = {kind for _, kind in parts}
        if not ({"head", "tail"} <= kinds or {"pos", "neg"} <= kinds):
            continue
        # the part a model is fitted on trains, whatever its position; else the earlier rows train
        trained = {kind for node, kind in parts if targets.get(id(node)) in fitted}
        if len(trained) == 1:
            train_kind = trained.pop()
        elif {"head", "tail"} <= kinds:
            train_kind = "head"
        else:
            train_kind = min(parts, key=lambda p: (p[0].lineno, p[0].col_offset))[1]
        for node, kind in parts:
            roles[id(node)] = "train" if kind == train_kind else "validation" if kind == "middle" else "test"
    return roles


def shape_key(node: ast.AST) -> tuple:
    """A hashable key for an expression's structure (`ast.dump` leaves a reference cycle per call)."""
    return tuple((type(n).__name__, getattr(n, "id", None) or getattr(n, "attr", None)
                  or (repr(n.value) if isinstance(n, ast.Constant) else None)) for n in ast.walk(node))


def _note_targets(targets: dict[int, str], target: ast.expr, items: list[ast.expr]) -> None:
    if isinstance(target, ast.Name) and len(items) == 1:
        targets[id(items[0])] = target.id
    elif isinstance(target, ast.Tuple) and len(target.elts) == len(items):
        for name, item in zip(target.elts, items):
            if isinstance(name, ast.Name):
                targets[id(item)] = name.id


ROW_KEEPING = {"copy", "reset_index", "sort_index", "astype", "infer_objects"}


def _rows_kept(node: ast.expr) -> ast.expr:
    """`df[mask].copy()`, `X[:n].reset_index(drop=True)`: the rows cut, through methods that keep them."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ROW_KEEPING:
        node = node.func.value
    return node


def _add_row_part(groups: dict, node: ast.expr) -> None:
    if not isinstance(node, ast.Subscript):
        return
    base = node.value
    if isinstance(base, ast.Attribute) and base.attr in ("iloc", "loc"):
        base = base.value
    key = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) and node.slice.elts else node.slice
    part = _row_part(key)
    if part is not None:
        groups.setdefault((shape_key(base), part[1]), []).append((node, part[0]))


def _row_part(key: ast.expr) -> tuple[str, tuple] | None:
    """(which part, what it is a part of) for a row selector, else None."""
    if isinstance(key, ast.Slice):
        if key.step is not None:
            return None
        if key.lower is None and key.upper is not None:
            return "head", ("slice",)
        if key.lower is not None and key.upper is None:
            return "tail", ("slice",)
        return ("middle", ("slice",)) if key.lower is not None else None
    if isinstance(key, ast.Compare) and len(key.ops) == 1:
        op, left, right = key.ops[0], key.left, key.comparators[0]
        if isinstance(left, ast.Constant):  # `cutoff > df.day` reads `df.day < cutoff`
            left, op = right, {ast.Lt: ast.Gt(), ast.LtE: ast.GtE(), ast.Gt: ast.Lt(), ast.GtE: ast.LtE()}.get(type(op), op)
        if isinstance(op, _HEAD_OPS):
            return "head", ("cut", shape_key(left))
        if isinstance(op, _TAIL_OPS):
            return "tail", ("cut", shape_key(left))
        if isinstance(op, (ast.Eq, ast.NotEq)):
            return ("pos" if isinstance(op, ast.Eq) else "neg"), ("eq", shape_key(key.left), shape_key(right))
        return None
    if isinstance(key, ast.UnaryOp) and isinstance(key.op, (ast.Invert, ast.Not)):
        return "neg", ("mask", shape_key(key.operand))
    if isinstance(key, (ast.Name, ast.Attribute, ast.Call, ast.BoolOp)):
        return "pos", ("mask", shape_key(key))
    return None


def _annotatedshape_key(annotation: ast.expr, imports: Imports) -> str | None:
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return None
    name = imports.resolve(annotation) or dotted(annotation) or ""
    short = last(name)
    if short == "DataFrame" and (name == short or name.startswith(("pandas.", "polars.", "pyspark.", "modin.", "cudf."))):
        return "frame"
    if short == "Series" and (name == short or name.startswith(("pandas.", "polars.", "modin.", "cudf."))):
        return "series"
    return None


def _nested_role(role: str, split: Split) -> str:
    """A part's role from what was split: a cross-validation fold's held-out rows, and the held-out
    part of a split of training rows, are validation rows; a split of held-out rows makes a
    validation part and a test part."""
    if split.kind == "splitter":
        return "train" if role == "train" else "validation"
    cut = {r for value in split.inputs[:1] for _, r in value.roles}
    if cut == {"train"} and role == "test":
        return "validation"
    if cut and "train" not in cut and role == "train":
        return "validation"
    return role


def _const_str(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def str_list(node: ast.AST | None) -> list[str] | None:
    """The strings of a literal list/tuple of strings (or a single string), else None."""
    single = _const_str(node)
    if single is not None:
        return [single]
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = [_const_str(e) for e in node.elts]
        if all(i is not None for i in items):
            return items  # type: ignore[return-value]
    return None


FRAME_FUNCS = ("pandas.read_csv", "pandas.read_parquet", "pandas.read_sql", "pandas.read_sql_query",
               "pandas.read_excel", "pandas.read_json", "pandas.DataFrame", "pandas.read_feather",
               "pandas.read_table", "pandas.concat", "pandas.merge", "polars.read_csv", "polars.DataFrame")
FRAME_METHODS = {"fillna", "drop", "dropna", "assign", "copy", "sort_values", "reset_index", "set_index",
                 "merge", "join", "rename", "astype", "replace", "query", "drop_duplicates", "ffill",
                 "bfill", "select_dtypes", "sample", "head", "tail", "pipe", "clip", "interpolate"}
_BLOCK_STATEMENTS = (ast.If, ast.Try, getattr(ast, "TryStar", ast.Try), ast.With, ast.AsyncWith, ast.For, ast.AsyncFor,
                     ast.While, ast.Match)
_SPLIT_SHORTS = {last(n) for n in (*vocab.SPLIT_FUNCS, *vocab.RANDOM_SPLIT_FUNCS)}
# The names every call is checked against as it is made, built once.
_NOW_CALLS, _NOW_STRING_CALLS = candidates(*vocab.NOW_CALLS), candidates(*vocab.NOW_STRING_CALLS)
_FRAME_FUNCS, _RESAMPLE = candidates(*FRAME_FUNCS), candidates("sklearn.utils.resample")
_CONCAT = candidates("pandas.concat", "polars.concat")
TEXT_METHODS = {"strftime", "isoformat", "format", "ctime", "__str__", "date_format"}


class FlowAnalysis:
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
            val.shape = _annotatedshape_key(arg.annotation, self.imports)
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
        fallback_param = self._none_test_param(stmt.test)
        if fallback_param:
            before = len(self.calls)
            self._block(stmt.body)
            bound = self._env.get(fallback_param)
            if bound is not None and bound.flags & NOW and any(c.val is bound or c.val in bound.parents for c in self.calls[before:]):
                bound.flags |= FALLBACK
        else:
            self._block(stmt.body)
        self._block(stmt.orelse)

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

    # ------------------------------------------------------------------ binding
    def _bind(self, target: ast.expr, val: Val | None, value_node: ast.expr | None, stmt: ast.stmt) -> None:
        if isinstance(target, ast.Name):
            bound = val if val is not None else self._leaf(value_node or target)
            if val is not None and val.name is None:
                val.name = target.id
            self._env[target.id] = bound
            self.bindings.append((target.id, bound))
            self._maybe_slice_split(value_node, bound, scope=self._function.node if self._function else self._tree)
        elif isinstance(target, (ast.Tuple, ast.List)):
            self._bind_tuple(target, val, value_node, stmt)
        elif isinstance(target, ast.Subscript):
            self._bind_subscript(target, val, stmt)
        elif isinstance(target, ast.Attribute):
            self._bind_attribute(target, val, value_node)
        elif isinstance(target, ast.Starred):
            self._bind(target.value, val, value_node, stmt)

    def _env_defining(self, name: str) -> dict[str, Val]:
        """The env that holds `name` (`resources["model"] = ...` in a function fills the module's
        `resources`), or the current one."""
        frame = self._scope_stack[-1]
        for env in (frame[0], *frame[4]):
            if name in env:
                return env
        return frame[0]

    def _leaf(self, node: ast.AST) -> Val:
        """A value with no tracked origin: a literal, or a library attribute (`request.json`),
        which is data, not a constant."""
        val = Val(node)
        if _is_literal(node):
            val.flags |= LITERAL
        return val

    def _bind_attribute(self, target: ast.Attribute, val: Val | None, value_node) -> None:
        base = target.value
        if isinstance(base, ast.Name) and base.id == "self" and self._class is not None:
            bound = val if val is not None else self._leaf(value_node or target)
            self.classes.setdefault(self._class, {})[target.attr] = bound
        elif isinstance(base, ast.Name) and base.id in self._env and val is not None:
            holder = self._env[base.id]
            self._env[base.id] = self._derived(target, [holder, val])

    def _bind_subscript(self, target: ast.Subscript, val: Val | None, stmt: ast.stmt) -> None:
        """`df['c'] = v`, `df.loc[:, 'c'] = v`, `df[['a', 'b']] = v`: column writes on a frame."""
        frame_node = target.value
        key_node = target.slice
        if isinstance(frame_node, ast.Attribute) and frame_node.attr in ("loc", "at", "iloc"):
            frame_node = frame_node.value
            if isinstance(key_node, ast.Tuple) and len(key_node.elts) == 2:
                key_node = key_node.elts[1]
            else:
                key_node = None
        columns = str_list(key_node) if key_node is not None else None
        frame = self._eval(frame_node)
        if columns:
            for column in columns:
                self.column_writes.append(ColumnWrite(frame, column, val, stmt, self._scope))
        if isinstance(frame_node, ast.Name):
            env = self._env_defining(frame_node.id)
            new = self._derived(stmt, [frame])
            new.shape = frame.shape if frame is not None and frame.shape else "frame"
            new.name = frame_node.id
            new.colvals = dict(frame.colvals or {}) if frame is not None else {}
            for column in columns or ():
                if val is not None:
                    new.colvals[column] = val
            if not columns and val is not None:
                new.parents.append(val)
            env[frame_node.id] = new
        elif isinstance(frame_node, ast.Attribute) and isinstance(frame_node.value, ast.Name) \
                and frame_node.value.id == "self" and self._class:
            new = self._derived(stmt, [frame, val])
            self.classes.setdefault(self._class, {})[frame_node.attr] = new

    def _bind_tuple(self, target: ast.Tuple | ast.List, val: Val | None, value_node, stmt) -> None:
        elts = target.elts
        call = val.call if val is not None else None
        split = self._split_for_call(call) if call is not None else None
        if split is not None:
            self._bind_split_outputs(split, elts, val, stmt)
            return
        callee = call.callee if call is not None else None
        if callee is not None and callee.returned_tuples and all(len(t) == len(elts) for t in callee.returned_tuples):
            # `dev, test = split(df)` where split() ends in `return dev, test`: position by position
            for pos, sub_target in enumerate(elts):
                parts = [t[pos] for t in callee.returned_tuples]
                child = self._derived(sub_target, parts)
                child.ctor = next((p.ctor for p in parts if p is not None and p.ctor), None)
                self._bind(sub_target, child, None, stmt)
                self._returned_row_split(sub_target, parts, child)
            return
        if isinstance(value_node, (ast.Tuple, ast.List)) and len(value_node.elts) == len(elts) \
                and not any(isinstance(e, ast.Starred) for e in value_node.elts):
            for sub_target, sub_node in zip(elts, value_node.elts):
                self._bind(sub_target, self._eval(sub_node), sub_node, stmt)
            return
        for sub_target in elts:
            child = self._derived(sub_target, [val]) if val is not None else None
            self._bind(sub_target, child, None, stmt)

    def _bind_split_outputs(self, split: Split, elts: list[ast.expr], val: Val | None, stmt) -> None:
        roles = self._positional_roles(split, len(elts))
        for pos, sub_target in enumerate(elts):
            # each part derives from the array it was cut from, not from the other arrays split with it
            index = pos // 2 if split.kind == "function" else 0
            source = split.inputs[index] if index < len(split.inputs) and split.kind == "function" else val
            child = self._derived(sub_target, [source] if source is not None else [])
            name = dotted(sub_target)
            role = _nested_role(roles[pos], split)
            child.roles = child.roles | {(id(split), role)}
            child.name = name
            if split.inputs and split.inputs[0].shape:
                child.shape = split.inputs[min(pos // 2, len(split.inputs) - 1)].shape
            split.outputs.append((child, role))
            self._bind(sub_target, child, None, stmt)

    @staticmethod
    def _positional_roles(split: Split, count: int) -> list[str]:
        if split.kind == "function":  # train_test_split: a_train, a_test, b_train, b_test, ...
            return ["train" if i % 2 == 0 else "test" for i in range(count)]
        return ["train"] + ["test"] * (count - 1)

    def _bind_for_target(self, target: ast.expr, iter_node: ast.expr, iter_val: Val | None, stmt) -> None:
        inner = iter_node
        inner_target = target
        # for i, (tr, te) in enumerate(kf.split(X)):
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "enumerate" \
                and inner.args and isinstance(target, ast.Tuple) and len(target.elts) == 2:
            self._bind(target.elts[0], None, None, stmt)
            inner = inner.args[0]
            inner_target = target.elts[1]
        call = self._call_of(inner)
        split = self._split_for_call(call) if call is not None else None
        if split is not None and isinstance(inner_target, (ast.Tuple, ast.List)):
            self._bind_split_outputs(split, inner_target.elts, call.val, stmt)
            return
        element = self._derived(target, [iter_val]) if iter_val is not None else None
        self._bind(target, element, None, stmt)

    def _call_of(self, node: ast.expr) -> CallSite | None:
        return self._calls_by_node.get(id(node))

    @cached_property
    def bindings_by_name(self) -> dict[str, list[Val]]:
        """Every value bound to each name, in walk order."""
        out: dict[str, list[Val]] = {}
        for name, val in self.bindings:
            out.setdefault(name, []).append(val)
        return out

    def call_at(self, node: ast.AST) -> CallSite | None:
        """The call recorded for a syntax node, if any."""
        return self._calls_by_node.get(id(node))

    # ------------------------------------------------------------------ splits
    def _split_for_call(self, call: CallSite) -> Split | None:
        for split in reversed(self.splits):
            if split.call is call:
                return split
        return None

    def _register_split(self, call: CallSite) -> None:
        if call.short not in _SPLIT_SHORTS and call.method not in ("split", "drop"):
            return
        if call.is_(*vocab.SPLIT_FUNCS):
            shuffle = call.kwarg_node("shuffle")
            shuffled = not (isinstance(shuffle, ast.Constant) and shuffle.value is False)
            inputs = [a for a in call.args if a is not None]
            self.splits.append(Split("function", call.node, call, inputs, shuffled=shuffled,
                                     temporal=not shuffled, splitter=call.name))
        elif call.is_(*vocab.RANDOM_SPLIT_FUNCS):
            inputs = [a for a in call.args[:1] if a is not None]
            self.splits.append(Split("random_split", call.node, call, inputs, shuffled=True, splitter=call.name))
        elif call.method == "split" and call.receiver is not None and call.receiver.ctor \
                and last(call.receiver.ctor) in vocab.SPLITTER_CLASSES:
            cls = last(call.receiver.ctor)
            inputs = [a for a in call.args[:1] if a is not None]
            self.splits.append(Split("splitter", call.node, call, inputs, shuffled=self._splitter_shuffles(call.receiver),
                                     temporal=cls in vocab.TEMPORAL_SPLITTERS, splitter=call.receiver.ctor))
        elif call.method == "drop" and call.receiver is not None:
            self._sample_drop_split(call)

    @staticmethod
    def _splitter_shuffles(splitter: Val) -> bool:
        cls = last(splitter.ctor)
        if cls in vocab.SHUFFLED_SPLITTERS:
            return True
        node = splitter.node
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg == "shuffle":
                    return not (isinstance(kw.value, ast.Constant) and not kw.value.value)
        return False

    def _sample_drop_split(self, call: CallSite) -> None:
        """`train = df.sample(frac=0.8); test = df.drop(train.index)`."""
        arg = call.arg(0, "index") or call.arg(0, "labels")
        if arg is None:
            return
        sampled = next((p for p in [arg, *arg.parents] if p.call is not None and p.call.method == "sample"), None)
        if sampled is None:
            return
        split = Split("sample", sampled.call.node, sampled.call, [sampled.call.receiver] if sampled.call.receiver else [],
                      shuffled=True, splitter="DataFrame.sample")
        sampled.roles = sampled.roles | {(id(split), "train")}
        split.outputs.append((sampled, "train"))
        if call.val is not None:
            call.val.roles = call.val.roles | {(id(split), "test")}
            split.outputs.append((call.val, "test"))
        self.splits.append(split)

    def _returned_row_split(self, target: ast.expr, parts: list[Val | None], val: Val) -> None:
        """`train, test = time_split(df)` where the helper ends in
        `return df[df.date < cut], df[df.date >= cut]`: a split by rows, made in the helper."""
        part = parts[0] if len(parts) == 1 else None
        if not isinstance(target, ast.Name) or part is None or not isinstance(part.node, ast.Subscript) \
                or not part.parents:
            return
        base = part.parents[0]
        if isinstance(base.node, ast.Attribute) and base.node.attr in ("loc", "iloc") and base.parents:
            base = base.parents[0]
        self._maybe_slice_split(part.node, val, base, scope=getattr(part.fn, "node", None) or self._tree)

    def _maybe_slice_split(self, value_node: ast.expr | None, val: Val, base: Val | None = None,
                           scope: ast.AST | None = None) -> None:
        """`a = df[df.date < cutoff]` with `b = df[df.date >= cutoff]`, `a = X[:n]` with `b = X[n:]`: a
        split by rows, when the code takes complementary parts (`row_part_roles`). `base` is the
        frame cut, when it was evaluated elsewhere (in a helper's body)."""
        value_node = _rows_kept(value_node) if value_node is not None else None
        if not isinstance(value_node, ast.Subscript):
            return
        key = value_node.slice.elts[0] if isinstance(value_node.slice, ast.Tuple) and value_node.slice.elts \
            else value_node.slice
        if _row_part(key) is None:
            return  # not a head, tail or mask: most subscripts (`df["a"]`, `X[:, 0]`) end here
        scope = scope if scope is not None else self._tree
        roles = self._part_roles.get(id(scope))
        if roles is None:
            roles = self._part_roles[id(scope)] = row_part_roles(scope)
        role = roles.get(id(value_node))
        if role is None:
            return
        base_node = value_node.value
        is_iloc = isinstance(base_node, ast.Attribute) and base_node.attr in ("iloc", "loc")
        if is_iloc:
            base_node = base_node.value
        key = value_node.slice
        if isinstance(key, ast.Tuple) and key.elts:
            key = key.elts[0]
        if isinstance(key, ast.Slice):
            kind, temporal = "slice", True
        else:
            kind, temporal = "mask", _mentions_time(key)
        base = base if base is not None else self._eval(base_node)
        if base is None or base.roles:
            return  # a filter on a split's output is not another split
        split = self._slice_splits.get(id(base))
        if split is None:
            split = Split(kind, value_node, None, [base], shuffled=False, temporal=temporal, splitter=kind)
            self._slice_splits[id(base)] = split
            self.splits.append(split)
        val.roles = val.roles | {(id(split), role)}
        split.outputs.append((val, role))

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
        return merged

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
        columns = str_list(node.slice)
        written = [base.colvals[c] for c in columns or () if base is not None and base.colvals and c in base.colvals]
        val = Val(node, [base, *written], index=[key])
        if base is not None:
            val.ctors = base.ctors
            if columns is None or not isinstance(node.slice, ast.Constant):
                val.colvals = base.colvals
        if columns is not None:
            val.key = columns[0] if isinstance(node.slice, ast.Constant) else tuple(columns)
            val.shape = "series" if isinstance(node.slice, ast.Constant) else "frame"
        elif base is not None and base.shape == "frame":
            val.shape = "frame"
        return val

    def _eval_BinOp(self, node: ast.BinOp) -> Val | None:
        left, right = self._eval(node.left), self._eval(node.right)
        val = self._merge(node, [left, right])
        if left is not None and right is not None and isinstance(node.op, (ast.Sub, ast.Add)):
            self._mark_delta(val, left, right)
        if left is not None and right is not None and isinstance(node.op, (ast.Sub, ast.Div)):
            stat = right.call
            window = stat.receiver.call if stat is not None and stat.receiver is not None else None
            if stat is not None and stat.method in _SCALING_STATS and stat.receiver is not None \
                    and not isinstance(node.left, ast.Constant) \
                    and not (window is not None and window.method in _WINDOWS):
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
            if not callee.analysed:
                self._analyse_function(callee, args, kwargs)
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
        elif call.method is None and short[:1].isupper() or (
                call.qualname and short in ("make_pipeline", "make_column_transformer", "make_union")):
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
        if call.method in vocab.FIT_METHODS and call.method == "fit_resample" and call.receiver is not None \
                and any(vocab.is_resampler(c) for c in call.receiver.ctors):
            val.flags |= RESAMPLED
        if call.is_in(_RESAMPLE) or _duplicates_rows(call):
            val.flags |= RESAMPLED
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
        if call.method == "insert" and call.receiver is not None and len(node.args) >= 3:
            column = _const_str(node.args[1])
            if column and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
                self.column_writes.append(ColumnWrite(call.receiver, column, call.args[2], node, self._scope))
        self._register_split(call)

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

    @cached_property
    def _children(self) -> dict[int, list[int]]:
        """The reverse of `parents` and `kw` over every value of the module, built once."""
        stack: list[Val] = list(self._vals_by_node.values())
        for fn in [*self.functions.values(), *self.nested]:
            stack += fn.params.values()
        seen: set[int] = set()
        children: dict[int, list[int]] = {}
        while stack:
            val = stack.pop()
            if id(val) in seen:
                continue
            seen.add(id(val))
            for parent in (*val.parents, *val.kw):
                children.setdefault(id(parent), []).append(id(val))
                if id(parent) not in seen:
                    stack.append(parent)
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
        if val is None or other is None:
            return False
        return any(a is other for a in self.ancestors(val, rows=rows))

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


def _is_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(_is_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is None or _is_literal(k) for k in node.keys) and all(_is_literal(v) for v in node.values)
    if isinstance(node, ast.UnaryOp):
        return _is_literal(node.operand)
    if isinstance(node, ast.JoinedStr):
        return all(isinstance(v, ast.Constant) for v in node.values)
    return not isinstance(node, ast.expr)  # a statement or a target: nothing flows into it


def _duplicates_rows(call: CallSite) -> bool:
    """Oversampling by hand: `pd.concat([df, minority, minority])`, `pd.concat([df] + [minority] * 3)`,
    `minority.sample(frac=3, replace=True)`."""
    if call.is_in(_CONCAT):
        items = call.arg_node(0, "objs")
        if isinstance(items, ast.BinOp) and isinstance(items.op, (ast.Mult, ast.Add)):
            return any(isinstance(side, ast.BinOp) and isinstance(side.op, ast.Mult) for side in (items.left, items.right)) \
                or isinstance(items.op, ast.Mult)
        if isinstance(items, (ast.List, ast.Tuple)):
            names = [dotted(e) for e in items.elts]
            named = [n for n in names if n]
            return len(named) != len(set(named))
    if call.method == "sample":
        replace = call.kwarg_node("replace")
        frac = call.kwarg_node("frac")
        return isinstance(replace, ast.Constant) and replace.value is True and (
            frac is None or (isinstance(frac, ast.Constant) and isinstance(frac.value, (int, float)) and frac.value > 1))
    return False


def _mentions_time(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        text = None
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            text = sub.value
        elif isinstance(sub, ast.Attribute):  # a column (`df.day`); a variable's name is no evidence
            text = sub.attr
        if text and is_time_name(text):
            return True
    return False


_TIME_TOKENS = {"date", "time", "timestamp", "datetime", "ts", "dt", "month", "year", "week", "day", "period",
                "cutoff", "asof", "snapshot", "yyyymm", "yyyymmdd"}


_UNIT_WORDS = {"per", "within", "each", "every", "a", "one", "next", "last", "in"}


def is_time_name(text: str) -> bool:
    """A column or variable naming a point in time: `signup_date`, `ts`, `created_at`, `month`
    (not a duration such as `contract_months` or `tenure_days`)."""
    low = text.lower()
    if "date" in low or "timestamp" in low:
        return True
    parts = [p for p in low.replace("-", "_").split("_") if p]
    # `visits_per_week` is a rate, `left_within_year` a horizon: neither is a point in time
    timed = [p for i, p in enumerate(parts) if p in _TIME_TOKENS and (i == 0 or parts[i - 1] not in _UNIT_WORDS)]
    return bool(timed) or (len(parts) > 1 and parts[-1] == "at")


_WINDOWS = {"rolling", "expanding", "ewm", "groupby", "resample", "transform"}  # per-row statistics
_MODEL_METHODS = {"predict", "predict_proba", "decision_function", "fit", "fit_transform", "transform", "score"}
_LIBRARY_ROOTS = {"sklearn", "numpy", "pandas", "scipy", "torch", "tensorflow", "keras", "xgboost", "lightgbm",
                  "catboost", "imblearn", "statsmodels", "joblib", "mlflow"}
_APPLY_METHODS = {"predict", "predict_proba", "decision_function", "predict_log_proba", "transform", "score",
                  "evaluate", "inverse_transform"}
_SCALING_STATS = {"mean", "std", "min", "max", "median", "var", "quantile"}
_ROW_KWARGS = {"X", "y", "X_train", "y_train", "data", "df", "frame", "objs", "left", "right", "other",
               "x", "arrays", "dataset", "features", "labels", "train_set", "dtrain", "index"}
_FRAME_ATTRS = {"values", "shape", "columns", "index", "dtypes", "loc", "iloc", "at", "iat", "T", "size",
                "empty", "str", "dt", "cat", "plot", "ndim", "axes", "name", "array"}
_BUILTINS = set(dir(__import__("builtins")))
