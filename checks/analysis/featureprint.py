"""Feature fingerprints: what one feature is made of, as plain facts that the training and the
serving side of a pair can be compared by, whatever the code is called or how it is laid out.

A fingerprint of an expression holds the raw fields it reads (`frame["a"]`, `payload.get("a")`,
`request.a`), the value functions applied (`log1p`, `round`, `clip`, ...), the numeric constants,
the fill values (`fillna(0)`, `.get("a", 0)`, a median), the statistics computed over the rows at
hand (`x.mean()`), whether a division is guarded against zero (`np.where(d > 0, ...)`, `max(d, 1)`,
`d.clip(lower=1)`, `d.replace(0, nan)`, a conditional), and whether it reads the clock. Names are
followed to what they were bound to, and calls of the file's own functions are followed into
their bodies with the arguments put in place of the parameters. A call of another file's function
is kept by its imported name with the fingerprints of its arguments; the project stage resolves it
against that file's exported summaries (`summaries`), so a feature built by a shared helper is
compared with what the helper does.
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from checks.analysis.flowtypes import DELTA
from checks.analysis.names import dotted, last

if TYPE_CHECKING:
    from checks.analysis.module import ModuleAnalysis

MAX_DEPTH = 8  # names and helpers followed from one feature expression
MAX_SUMMARIES = 200  # module functions summarised per file

ALIASES = {"around": "round", "maximum": "max", "minimum": "min", "fabs": "abs", "absolute": "abs",
           "power": "pow", "divide": "div", "true_divide": "div", "nanmean": "mean", "nanmedian": "median",
           "average": "mean", "clip_lower": "clip", "clip_upper": "clip", "amax": "max", "amin": "min"}
# Value functions: two sides applying different ones compute a different feature.
TRANSFORMS = {"log", "log1p", "log2", "log10", "sqrt", "cbrt", "exp", "expm1", "round", "floor", "ceil", "abs",
              "pow", "qcut", "cut", "rank", "tanh", "sigmoid", "boxcox", "lower", "upper", "strip", "title",
              "get_dummies", "digitize", "sign"}
# Reductions over the rows at hand: at serving they are computed on the request or the batch.
STATS = {"mean", "median", "std", "var", "quantile", "mode", "nunique", "min", "max", "sum", "count"}
# Guards against a zero denominator.
GUARD_CALLS = {"where", "max", "clip", "mask", "divide", "nan_to_num", "replace"}
CLOCK = {"now", "today", "utcnow", "time"}
READ_METHODS = {"get", "getlist"}
FRAME_ATTRS = {"index", "columns", "shape", "dtype", "dtypes", "name", "size", "empty", "ndim"}
SETTINGS_LOADS = ("yaml", "json", "tomllib", "toml", "configparser", "omegaconf", "hydra", "joblib", "pickle",
                  "cloudpickle", "dill", "torch", "skops")
NEUTRAL = {"values", "to_numpy", "copy", "astype", "iloc", "loc", "at", "iat", "dt", "str", "T", "squeeze", "item",
           "tolist", "reset_index", "to_frame", "array", "asarray", "float", "int", "str", "bool", "Series",
           "DataFrame", "float64", "float32", "int64", "int32", "reshape", "ravel", "flatten", "to_list", "list",
           "tuple", "dict", "Decimal", "fillna"}


class Print:
    __slots__ = ("reads", "settings", "ops", "consts", "fills", "stats", "guarded", "divides", "clock", "params",
                 "calls")

    def __init__(self) -> None:
        self.reads: set[str] = set()
        self.settings: set[str] = set()  # keys read from a loaded configuration or artifact
        self.ops: set[str] = set()
        self.consts: set[float] = set()
        self.fills: set[str] = set()
        self.stats: set[str] = set()
        self.guarded = False
        self.divides = False
        self.clock = False
        self.params: set[int] = set()
        self.calls: list[dict] = []

    def merge(self, other: Print) -> None:
        self.reads |= other.reads
        self.settings |= other.settings
        self.ops |= other.ops
        self.consts |= other.consts
        self.fills |= other.fills
        self.stats |= other.stats
        self.guarded |= other.guarded
        self.divides |= other.divides
        self.clock |= other.clock
        self.params |= other.params
        self.calls += other.calls

    def to_json(self) -> dict:
        return {"reads": sorted(self.reads), "settings": sorted(self.settings), "ops": sorted(self.ops), "consts": sorted(self.consts),
                "fills": sorted(self.fills), "stats": sorted(self.stats), "guarded": self.guarded,
                "divides": self.divides, "clock": self.clock, "params": sorted(self.params), "calls": self.calls}

    @classmethod
    def from_json(cls, data: dict) -> Print:
        out = cls()
        out.reads, out.ops, out.consts = set(data["reads"]), set(data["ops"]), set(data["consts"])
        out.settings = set(data.get("settings", ()))
        out.fills, out.stats, out.params = set(data["fills"]), set(data["stats"]), set(data["params"])
        out.guarded, out.divides, out.clock = data["guarded"], data["divides"], data["clock"]
        out.calls = list(data["calls"])
        return out


_COMPARES = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
BOUNDARIES = frozenset({"<", "<=", ">", ">="})


def _op(name: str) -> str:
    return ALIASES.get(name, name)


class Printer:
    """Fingerprints of expressions of one module (shared through `module.shared`)."""

    def __init__(self, module: ModuleAnalysis) -> None:
        self.module = module
        self.functions = {id(fn.node): fn for fn in module.flow.functions.values()}
        self._summaries: dict[int, Print | None] = {}

    # ------------------------------------------------------------------ expressions
    def of(self, node: ast.AST | None, fn=None) -> Print:
        """The fingerprint of an expression; inside function `fn`, its parameters are placeholders."""
        out = Print()
        if node is not None:
            self._walk(node, out, fn, MAX_DEPTH, set())
        return out

    def _walk(self, node: ast.AST, out: Print, fn, depth: int, seen: set[int]) -> None:
        if depth <= 0 or id(node) in seen:
            return
        seen.add(id(node))
        module = self.module
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
                out.consts.add(float(node.value))
            return
        if isinstance(node, ast.Name):
            self._name(node, out, fn, depth, seen)
            return
        if isinstance(node, ast.Subscript):
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                (out.settings if self._config_rooted(node.value) else out.reads).add(key.value)
                return  # a field of a record or a column of a frame: the value itself is the source
            self._walk(node.value, out, fn, depth, seen)
            if not isinstance(key, ast.Slice):
                self._walk(key, out, fn, depth - 1, seen)
            return
        if isinstance(node, ast.Attribute):
            if node.attr in FRAME_ATTRS:
                return  # the frame's index or shape: not a value of the feature
            if isinstance(node.value, ast.Name) and not module.imports.is_imported(node.value.id) \
                    and node.attr not in NEUTRAL and self._record(node.value):
                out.reads.add(node.attr)  # `request.age`: a field of a record
                return
            if node.attr not in NEUTRAL:
                out.ops.add(_op(node.attr))
            self._walk(node.value, out, fn, depth, seen)
            return
        if isinstance(node, ast.BinOp):
            out.ops.add(type(node.op).__name__.lower())
            if isinstance(node.op, (ast.Div, ast.FloorDiv, ast.Mod)) and not (
                    isinstance(node.right, ast.Constant) and node.right.value):
                out.divides = True  # by a value that may be zero (not `/ 12`)
            self._walk(node.left, out, fn, depth, seen)
            self._walk(node.right, out, fn, depth, seen)
            return
        if isinstance(node, ast.Dict) and node.keys and all(
                isinstance(k, ast.Constant) and isinstance(v, ast.Constant) for k, v in zip(node.keys, node.values)):
            # a literal lookup table (`{"F": 0, "M": 1}`): which code each category gets, whatever the order
            out.ops.add("map:" + ",".join(sorted(f"{k.value!r}={v.value!r}" for k, v in zip(node.keys, node.values))))
            return
        if isinstance(node, ast.Compare):
            out.ops.update(_COMPARES.get(type(op), "compare") for op in node.ops)  # `hour <= 17` is not `hour < 17`
            for child in (node.left, *node.comparators):
                self._walk(child, out, fn, depth, seen)
            return
        if isinstance(node, ast.IfExp):
            fallback = _missing_branch(node)
            if fallback is not None:  # `x if x is not None else -1`: a fill of the missing value
                out.fills.add(_fill(fallback, self))
            out.guarded |= _tests_value(node.test)
            for child in (node.test, node.body, node.orelse):
                self._walk(child, out, fn, depth, seen)
            return
        if isinstance(node, ast.Call):
            self._call(node, out, fn, depth, seen)
            return
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            self._walk(node.value, out, fn, depth, seen)
            return
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self._walk(child, out, fn, depth, seen)

    def _name(self, node: ast.Name, out: Print, fn, depth: int, seen: set[int]) -> None:
        val = self.module.flow.val_at(node)
        origin = val.node if val is not None else None
        if val is not None and val.flags & DELTA:
            out.clock = True
        if isinstance(origin, ast.arg):
            if fn is not None:
                params = [a.arg for a in (*fn.node.args.posonlyargs, *fn.node.args.args, *fn.node.args.kwonlyargs)]
                if params and params[0] in ("self", "cls"):
                    params = params[1:]
                if origin.arg in params:
                    out.params.add(params.index(origin.arg))
            return
        if origin is None or origin is node or not isinstance(origin, (ast.expr, ast.Assign, ast.AnnAssign)):
            return
        self._walk(origin, out, fn, depth - 1, seen)

    def _call(self, node: ast.Call, out: Print, fn, depth: int, seen: set[int]) -> None:
        module = self.module
        site = module.flow.call_at(node)
        func = node.func
        name = module.imports.resolve(func) or dotted(func) or ""
        method = func.attr if isinstance(func, ast.Attribute) and not module.imports.resolve(func) else None
        short = _op(method) if method else _op(last(name)) if name else ""
        if short in CLOCK and (module.imports.resolve(func) or method):
            out.clock = True
        callee = site.callee if site is not None else None
        if callee is not None and id(callee.node) in self.functions:
            summary = self.summary(callee)
            if summary is not None:
                self._apply(summary, [self.of_arg(a, fn, depth, seen) for a in node.args], out)
                return
        if method in READ_METHODS and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            if self._config_rooted(func.value):
                out.settings.add(node.args[0].value)
                return
            out.reads.add(node.args[0].value)
            if len(node.args) > 1:
                out.fills.add(_fill(node.args[1], self))
            return
        if method == "between":  # pandas: `x.between(a, b)` is `a <= x <= b` (inclusive="both" by default)
            inclusive = next((k.value.value for k in node.keywords if k.arg == "inclusive"
                              and isinstance(k.value, ast.Constant)), "both")
            out.ops.add(">=" if inclusive in ("both", "left", True) else ">")
            out.ops.add("<=" if inclusive in ("both", "right", True) else "<")
            self._walk(func.value, out, fn, depth, seen)
            for arg in node.args:
                self._walk(arg, out, fn, depth, seen)
            return
        if method == "fillna" or short == "fillna":
            value = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "value"), None)
            if value is not None:
                out.fills.add(_fill(value, self))
        elif method in STATS and not node.args and method is not None:
            out.stats.add(method)
        if short in GUARD_CALLS and _guards(node, short):
            out.guarded = True
        if short and short not in NEUTRAL and not (site is not None and site.qualname is not None
                                                   and callee is None and method is None and _project(site.qualname)):
            out.ops.add(short)
        if site is not None and site.qualname is not None and callee is None and method is None \
                and _project(site.qualname):
            # another file's function: kept by name, resolved at the project stage
            out.calls.append({"target": site.qualname.lstrip("."), "args": [self.of_arg(a, fn, depth, seen).to_json()
                                                                               for a in node.args]})
            return
        if isinstance(func, ast.Attribute):
            self._walk(func.value, out, fn, depth, seen)
        for arg in (*node.args, *(k.value for k in node.keywords)):
            self._walk(arg, out, fn, depth, seen)

    def of_arg(self, node: ast.AST, fn, depth: int, seen: set[int]) -> Print:
        part = Print()
        self._walk(node, part, fn, depth - 1, set(seen))
        return part

    @staticmethod
    def _apply(summary: Print, args: list[Print], out: Print) -> None:
        resolved = substitute(summary, args)
        out.merge(resolved)

    def _config_rooted(self, node: ast.AST) -> bool:
        """`cfg["features"]["cap"]`: a setting read from a loaded configuration, not a data field."""
        for _ in range(6):
            if isinstance(node, ast.Subscript):
                node = node.value
                continue
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
                node = node.func.value
                continue
            break
        if isinstance(node, ast.Name):
            val = self.module.flow.val_at(node)
            origin = val.node if val is not None else None
            if isinstance(origin, ast.Call):
                name = self.module.imports.resolve(origin.func) or ""
                return name.split(".")[0] in SETTINGS_LOADS
        if isinstance(node, ast.Attribute) and node.attr == "environ":
            return True
        return False

    def _record(self, node: ast.Name) -> bool:
        """A name holding a record: a parameter, or a value that is not a module, class or function."""
        val = self.module.flow.val_at(node)
        origin = val.node if val is not None else None
        return isinstance(origin, ast.arg) or (val is not None and val.shape != "frame" and isinstance(origin, ast.Call)
                                               and last(dotted(origin.func) or "") in ("model_validate", "parse_obj"))

    # ------------------------------------------------------------------ functions
    def summary(self, fn) -> Print | None:
        """What a module function returns, with its parameters as placeholders."""
        key = id(fn.node)
        if key in self._summaries:
            return self._summaries[key]
        self._summaries[key] = None  # recursion
        if len(self._summaries) > MAX_SUMMARIES:
            return None
        returns = [n.value for n in _own_returns(fn.node) if n.value is not None]
        if not returns:
            return None
        out = Print()
        for expr in returns:
            self._walk(expr, out, fn, MAX_DEPTH, set())
        self._summaries[key] = out
        return out


def _own_returns(fn_node: ast.AST):
    stack = list(fn_node.body)  # type: ignore[attr-defined]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return):
            yield node
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))


def substitute(summary: Print, args: list[Print]) -> Print:
    out = Print()
    out.merge(summary)
    out.params = set()
    for index in summary.params:
        if index < len(args):
            out.merge(args[index])
    return out


def _fill(node: ast.AST, printer: Printer) -> str:
    if isinstance(node, ast.Constant):
        return repr(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return repr(-node.operand.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and _op(node.func.attr) in STATS:
        return f"stat:{_op(node.func.attr)}"
    if isinstance(node, ast.Name):
        val = printer.module.flow.val_at(node)
        origin = val.node if val is not None else None
        if isinstance(origin, ast.arg):
            return "param"
        if isinstance(origin, (ast.Constant, ast.UnaryOp, ast.Call)) and origin is not node:
            return _fill(origin, printer)
    if isinstance(node, ast.Dict):
        return "per-column"
    return "value"


def _missing_branch(node: ast.IfExp) -> ast.AST | None:
    """The branch an `x if x is not None else v` (or `v if x is None else x`, `v if pd.isna(x) else x`)
    takes when the value is missing."""
    test = node.test
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.comparators[0], ast.Constant) \
            and test.comparators[0].value is None:
        if isinstance(test.ops[0], ast.IsNot):
            return node.orelse
        if isinstance(test.ops[0], ast.Is):
            return node.body
    if isinstance(test, ast.Call) and last(dotted(test.func) or "") in ("isna", "isnull", "isnan"):
        return node.body
    return None


def _tests_value(test: ast.AST) -> bool:
    """`a / b if b else 0`, `... if b > 0 else ...`: a condition on a value."""
    return isinstance(test, (ast.Compare, ast.Name, ast.Subscript, ast.Attribute, ast.Call, ast.BoolOp))


def _guards(node: ast.Call, short: str) -> bool:
    """A call that keeps a denominator away from zero or masks the zero case."""
    if short in ("where", "mask"):
        return True
    if short == "max":
        return len(node.args) >= 2
    if short == "clip":
        if any(k.arg in ("lower", "a_min", "min") for k in node.keywords):
            return True
        return len(node.args) >= 1 and not (isinstance(node.args[0], ast.Constant) and node.args[0].value is None)
    if short == "replace":
        return bool(node.args) and isinstance(node.args[0], ast.Constant) and node.args[0].value == 0
    return short in ("divide", "nan_to_num")


def _project(qualname: str) -> bool:
    """A function of the project's own modules (not a library)."""
    from checks.analysis.project import third_party
    return not third_party(qualname.lstrip("."))


def printer(module: ModuleAnalysis) -> Printer:
    return module.shared(Printer)


def summaries(module: ModuleAnalysis) -> dict[str, dict]:
    """The exported fingerprints of the file's module-level functions that return a value:
    {qualname: fingerprint with parameter placeholders}."""
    p = printer(module)
    out = {}
    for qualname, fn in list(module.flow.functions.items())[:MAX_SUMMARIES]:
        if fn.cls is not None or "." in qualname:
            continue
        summary = p.summary(fn)
        if summary is not None and (summary.reads or summary.ops or summary.params or summary.calls):
            out[qualname] = summary.to_json()
    return out


def resolve(data: dict, index: dict[str, tuple[str, str, dict]], depth: int = 6) -> Print:
    """A fingerprint with its calls of other files' functions replaced by what they do."""
    out = Print.from_json(data)
    calls, out.calls = out.calls, []
    for call in calls:
        found = index.get(call["target"]) if depth > 0 else None
        if found is None:
            out.calls.append(call)
            continue
        summary = resolve(found[2], index, depth - 1)
        out.merge(substitute(summary, [resolve(a, index, depth - 1) for a in call["args"]]))
    return out
