"""The values, calls and splits the data flow records (`flow.py`), and the small per-node facts
they are built from: flags, names of split parts, string lists, structural keys, literal tests."""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import lru_cache

from wicked_data.checks.analysis import libraries, vocab
from wicked_data.checks.analysis.names import Candidates, Imports, candidates, dotted, last

# Val flags, propagated eagerly from origins to derived values.
NOW = 1  # derived from a wall-clock read
DELTA = 2  # derived from (clock - data): an age, a recency
TEXT = 4  # formatted as text: a clock value here is a label, not a feature
FALLBACK = 8  # a clock read used as the default of a parameter (`as_of or now()`)
RESAMPLED = 16  # derived from an oversampler's output
LITERAL = 32  # a constant or a container of constants only
APPLIED = 64  # used as a model: a predict method was called on this very value (set on the value, not inherited)
REBALANCED = 128  # derived from rows whose classes were evened out by hand (each class sampled down to a size)

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
        flags &= NOW | DELTA | RESAMPLED | FALLBACK | REBALANCED
        for p in self.kw:
            flags |= p.flags & (NOW | DELTA | FALLBACK)
            if p.origin is not None and self.origin is None and p.flags & DELTA:
                self.origin = p.origin
        for p in self.index:
            if p.roles:
                roles = roles | p.roles
            # rows picked by resampled positions (`rare.loc[rare.index.repeat(5)]`) are resampled rows
            flags |= p.flags & (RESAMPLED | REBALANCED)
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
        if self.callee is not None and self.qualname is None:
            return False  # the module's own function of that name (a date split called `train_test_split`)
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
    kind: str  # 'function' | 'splitter' | 'holdout' (a splitter with one split) | 'mask' | 'slice' | 'sample' | 'random_split'
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



def shape_key(node: ast.AST) -> tuple:
    """A hashable key for an expression's structure (`ast.dump` leaves a reference cycle per call)."""
    return tuple((type(n).__name__, getattr(n, "id", None) or getattr(n, "attr", None)
                  or (repr(n.value) if isinstance(n, ast.Constant) else None)) for n in ast.walk(node))


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
    if call.method in ("union", "unionAll", "unionByName") and call.node.args \
            and dotted(call.node.args[0]) is not None and dotted(call.node.args[0]) == dotted(call.node.func.value):
        return True  # `rare.union(rare)`: the same rows twice
    if call.method in ("withColumn", "select") and any(_explodes_copies(a) for a in call.node.args):
        return True  # Spark: `rare.withColumn("k", explode(array([lit(i) for i in range(n)])))`, n copies of each row
    if call.method == "repeat" and isinstance(call.node.func, ast.Attribute) \
            and isinstance(call.node.func.value, ast.Attribute) and call.node.func.value.attr == "index":
        return True  # `rare.index.repeat(n)`: each row's label n times, for `rare.loc[...]`
    if call.method == "sample":
        replace = call.kwarg_node("replace")
        frac = call.kwarg_node("frac")
        return isinstance(replace, ast.Constant) and replace.value is True and (
            frac is None or (isinstance(frac, ast.Constant) and isinstance(frac.value, (int, float)) and frac.value > 1))
    return False


def _takes_fixed_count(call: CallSite) -> bool:
    """`part.sample(n=k)`, `part.sample(k)`, `part.sample(frac=0.1)` without replacement,
    `rng.choice(idx, k, replace=False)`: a smaller draw of the rows, not a shuffle or an upsample."""
    replace = call.kwarg_node("replace")
    if isinstance(replace, ast.Constant) and replace.value is True:
        return False
    if (call.method or call.short) == "choice":
        return isinstance(replace, ast.Constant) and replace.value is False and len(call.node.args) + len(
            [k for k in call.node.keywords if k.arg == "size"]) >= 2
    frac = call.kwarg_node("frac") or call.kwarg_node("fraction")
    if frac is not None:
        return isinstance(frac, ast.Constant) and isinstance(frac.value, (int, float)) and 0 < frac.value < 1
    return bool(call.node.args) or call.kwarg_node("n") is not None


def _without_replacement(call: CallSite) -> bool:
    replace = call.kwarg_node("replace")
    return isinstance(replace, ast.Constant) and replace.value is False


def _masked_rows(val: Val | None, limit: int = 40) -> bool:
    """Rows chosen by a condition on a column: `df[df.label == 0]`, `df.loc[mask]`, `df.query("y == 1")`,
    `np.where(y == 0)[0]` (the positions of one class)."""
    stack, seen = [val], set()
    while stack and len(seen) < limit:
        cur = stack.pop()
        if cur is None or id(cur) in seen:
            continue
        seen.add(id(cur))
        node = cur.node
        if isinstance(node, ast.Subscript) and (
                any(isinstance(n, (ast.Compare, ast.BoolOp)) for n in ast.walk(node.slice))
                or any(_is_mask(i) for i in cur.index)):
            return True
        if cur.call is not None and (cur.call.method == "query" or cur.call.short in ("where", "flatnonzero", "nonzero")
                                     and any(isinstance(n, ast.Compare) for n in ast.walk(cur.call.node))):
            return True
        stack += cur.parents
    return False


_MASK_METHODS = {"eq", "ne", "lt", "le", "gt", "ge", "isin", "between", "isna", "notna", "isnull", "notnull"}


def _is_mask(val: Val, depth: int = 4) -> bool:
    """A row selector that is a condition: a column compared (`y == 1`, `col.eq(0)`, `col.isin(...)`)."""
    for _ in range(depth):
        if val.shape == "series" or isinstance(val.node, (ast.Compare, ast.BoolOp)) \
                or val.call is not None and val.call.method in _MASK_METHODS:
            return True
        if isinstance(val.node, ast.UnaryOp) and val.parents:
            val = val.parents[0]
            continue
        return False
    return False


def _draws_one_class(call: CallSite) -> bool:
    """Undersampling by hand: a fixed-size draw from the rows of one class (`majority.sample(n=len(minority))`,
    `rng.choice(np.where(y == 0)[0], k, replace=False)`), or one per class (`df.groupby("y").sample(n=k)`)."""
    if (call.method or call.short) not in ("sample", "choice") or call.callee is not None or not _takes_fixed_count(call):
        return False
    if call.method == "sample" and call.receiver is not None and call.receiver.call is not None \
            and call.receiver.call.method == "groupby":
        return True
    # `rng.choice(positions, k)`, `np.random.choice(...)`, `random.sample(positions, k)`: the population is the first argument
    rows = call.args[0] if ((call.method or call.short) == "choice" or call.method is None) and call.args else call.receiver
    return _masked_rows(rows)


def _explodes_copies(node: ast.AST) -> bool:
    """`explode(array(...))`, `explode(array_repeat(...))`, `explode(sequence(...))`: one output row per
    element, so every input row comes out as many copies."""
    if not (isinstance(node, ast.Call) and last(dotted(node.func) or "") in ("explode", "explode_outer") and node.args):
        return False
    inner = node.args[0]
    return isinstance(inner, ast.Call) and last(dotted(inner.func) or "") in ("array", "array_repeat", "sequence")


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
SCALING_STATS = {"mean", "std", "min", "max", "median", "var", "quantile"}
_ROW_KWARGS = {"X", "y", "X_train", "y_train", "data", "df", "frame", "objs", "left", "right", "other",
               "x", "arrays", "dataset", "features", "labels", "train_set", "dtrain", "index"}
_FRAME_ATTRS = {"values", "shape", "columns", "index", "dtypes", "loc", "iloc", "at", "iat", "T", "size",
                "empty", "str", "dt", "cat", "plot", "ndim", "axes", "name", "array"}
_BUILTINS = set(dir(__import__("builtins")))


FRAME_FUNCS = libraries.names("frame")
FRAME_METHODS = {"fillna", "drop", "dropna", "assign", "copy", "sort_values", "reset_index", "set_index",
                 "merge", "join", "rename", "astype", "replace", "query", "drop_duplicates", "ffill",
                 "bfill", "select_dtypes", "sample", "head", "tail", "pipe", "clip", "interpolate"}
_BLOCK_STATEMENTS = (ast.If, ast.Try, getattr(ast, "TryStar", ast.Try), ast.With, ast.AsyncWith, ast.For, ast.AsyncFor,
                     ast.While, ast.Match)
_SPLIT_SHORTS = {last(n) for n in (*vocab.SPLIT_FUNCS, *vocab.RANDOM_SPLIT_FUNCS)}
# The names every call is checked against as it is made, built once.
_NOW_CALLS, _NOW_STRING_CALLS = candidates(*vocab.NOW_CALLS), candidates(*vocab.NOW_STRING_CALLS)
_FRAME_FUNCS, _RESAMPLE = candidates(*FRAME_FUNCS), candidates("sklearn.utils.resample")
_COLUMN_FUNCS = candidates(*libraries.names("column"))
_CONCAT = candidates("pandas.concat", "polars.concat")
TEXT_METHODS = {"strftime", "isoformat", "format", "ctime", "__str__", "date_format"}



def _annotated_shape(annotation: ast.expr, imports: Imports) -> str | None:
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
