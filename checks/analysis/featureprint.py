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

from wicked_data.checks.analysis.flowtypes import DELTA
from wicked_data.checks.analysis.names import dotted, last

if TYPE_CHECKING:
    from wicked_data.checks.analysis.module import ModuleAnalysis

MAX_DEPTH = 8  # names and helpers followed from one feature expression
MAX_SUMMARIES = 200  # module functions summarised per file

ALIASES = {"around": "round", "maximum": "max", "minimum": "min", "fabs": "abs", "absolute": "abs",
           "power": "pow", "divide": "div", "true_divide": "div", "weekday": "dayofweek", "day_of_week": "dayofweek",
           "day_of_year": "dayofyear", "weekofyear": "week", "nanmean": "mean", "nanmedian": "median",
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
                 "calls", "pred")

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
        # a condition on one value (`(hour >= 22) | (hour <= 5)`, `dow.isin([5, 6])`), as a tree that
        # can be evaluated (`holds`), with the values the subject can take when known (`DOMAINS`)
        self.pred: dict | None = None

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
                "divides": self.divides, "clock": self.clock, "params": sorted(self.params), "calls": self.calls,
                **({"pred": self.pred} if self.pred else {})}

    @classmethod
    def from_json(cls, data: dict) -> Print:
        out = cls()
        out.reads, out.ops, out.consts = set(data["reads"]), set(data["ops"]), set(data["consts"])
        out.settings = set(data.get("settings", ()))
        out.fills, out.stats, out.params = set(data["fills"]), set(data["stats"]), set(data["params"])
        out.guarded, out.divides, out.clock = data["guarded"], data["divides"], data["clock"]
        out.calls = list(data["calls"])
        out.pred = data.get("pred")
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
        self._bindings: dict[int, dict[str, list[tuple]]] | None = None  # per scope
        self._writes: dict[str, list[tuple[int, ast.AST]]] | None = None

    # ------------------------------------------------------------------ expressions
    def of(self, node: ast.AST | None, fn=None) -> Print:
        """The fingerprint of an expression; inside function `fn`, its parameters are placeholders."""
        out = Print()
        if node is not None:
            self._walk(node, out, fn, MAX_DEPTH, set())
            out.pred = self.predicate(node)
        return out

    # ------------------------------------------------------------------ conditions
    def predicate(self, node: ast.AST) -> dict | None:
        """`{"tree": ..., "domain": [lo, hi] | None, "subject": the column named}` when `node` is a
        condition on one value built from comparisons with numbers, `isin`/`between` and `&`, `|`, `~`
        (every comparison on a value with the same fingerprint)."""
        subjects: list[ast.AST] = []
        tree = self._condition(_unwrap(node), subjects, 3)
        if tree is None or not subjects:
            return None
        prints = [self.of_arg(x, None, MAX_DEPTH, set()).to_json() for x in subjects]
        if any(p != prints[0] for p in prints[1:]):
            return None  # conditions on two values
        head = subjects[0]
        subject = head.slice.value if isinstance(head, ast.Subscript) and isinstance(head.slice, ast.Constant) \
            else head.attr if isinstance(head, ast.Attribute) else None
        return {"tree": tree, "domain": self._domain(prints[0]), **({"subject": str(subject)} if subject else {})}

    def _condition(self, node: ast.AST, subjects: list[ast.AST], depth: int):
        node = _unwrap(node)
        if isinstance(node, ast.Name) and depth > 0:  # `is_night = (h >= 22) | (h <= 5)` used later
            val = self.module.flow.val_at(node)
            origin = val.node if val is not None else None
            if isinstance(origin, ast.expr) and origin is not node:
                return self._condition(origin, subjects, depth - 1)
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitOr, ast.BitAnd)):
            left, right = self._condition(node.left, subjects, depth), self._condition(node.right, subjects, depth)
            return None if left is None or right is None else ["or" if isinstance(node.op, ast.BitOr) else "and",
                                                                left, right]
        if isinstance(node, ast.BoolOp):
            parts = [self._condition(v, subjects, depth) for v in node.values]
            if any(p is None for p in parts):
                return None
            tree = parts[0]
            for part in parts[1:]:
                tree = ["or" if isinstance(node.op, ast.Or) else "and", tree, part]
            return tree
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Invert, ast.Not)):
            inner = self._condition(node.operand, subjects, depth)
            return None if inner is None else ["not", inner]
        if isinstance(node, ast.Compare):
            terms, tree = [node.left, *node.comparators], None
            for left, op, right in zip(terms, node.ops, terms[1:]):
                name = _COMPARES.get(type(op))
                if name is None:
                    return None
                if number(right) is not None and number(left) is None:
                    subject, value = left, number(right)
                elif number(left) is not None and number(right) is None:
                    subject, value, name = right, number(left), _FLIPPED[name]
                else:
                    return None
                subjects.append(subject)
                leaf = ["cmp", name, value]
                tree = leaf if tree is None else ["and", tree, leaf]
            return tree
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "isin" \
                and len(node.args) == 1 and _range(node.args[0]) is not None:
            subjects.append(node.func.value)
            return ["in", _range(node.args[0])]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "isin" \
                and len(node.args) == 1 and isinstance(node.args[0], (ast.List, ast.Tuple, ast.Set)):
            values = [number(e) for e in node.args[0].elts]
            if not values or any(v is None for v in values):
                return None
            subjects.append(node.func.value)
            return ["in", sorted(set(values))]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "between" \
                and len(node.args) == 2 and all(number(a) is not None for a in node.args):
            inclusive = next((k.value.value for k in node.keywords if k.arg == "inclusive"
                              and isinstance(k.value, ast.Constant)), "both")
            lo, hi = (number(a) for a in node.args)
            subjects.append(node.func.value)
            return ["and", ["cmp", ">=" if inclusive in ("both", "left", True) else ">", lo],
                    ["cmp", "<=" if inclusive in ("both", "right", True) else "<", hi]]
        return None

    def _domain(self, subject: dict) -> list[int] | None:
        """The integer values a condition's subject can take: a date part (`dt.hour` is 0 to 23), read
        directly or through a column this file writes from one."""
        ops = set(subject["ops"])
        if not ops and len(subject["reads"]) == 1:
            writes = [w for w in self.module.flow.column_writes if w.column == subject["reads"][0]]
            if writes:
                node = writes[-1].node.value if isinstance(writes[-1].node, ast.Assign) else writes[-1].node
                inner = Print()
                self._walk(node, inner, None, MAX_DEPTH, set())
                ops = inner.ops
        found = [DOMAINS[o] for o in ops if o in DOMAINS]
        return list(found[0]) if len(found) == 1 else None

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
            named = _strings(key, self.module) if not isinstance(key, ast.Constant) else None
            if named is not None:  # `df[col]` with `col = "ts" if ... else "time"`: a column picked at run time
                if len(named) == 1:
                    (out.settings if self._config_rooted(node.value) else out.reads).add(named[0])
                return
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                if self._config_rooted(node.value):
                    out.settings.add(key.value)
                    return
                earlier = self._written(key.value, node)
                if earlier is not None and depth > 1:  # a column this file computed before: what it holds
                    self._walk(earlier, out, fn, depth - 1, seen)
                    return
                out.reads.add(key.value)
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
            folded = _folded(node) if isinstance(node.op, ast.Pow) else None
            if folded is not None:  # `10 ** 9`: a constant written as a power (not the value function `pow`)
                out.consts.add(folded)
                return
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
                out.fills.add(fill_value(fallback, self))
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
        bound = self._binding(node, val)
        if bound is not None:  # the expression the name was assigned (`km = 6371 * c`), not only its operand
            value, applied = bound
            if applied is not None:
                out.ops.add(applied)
            self._walk(value, out, fn, depth - 1, seen)
            return
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

    def _written(self, column: str, node: ast.AST) -> ast.AST | None:
        """The value this file last wrote to `column` before `node` (on an earlier line): reading
        `df["hour"]` after `df["hour"] = ts.dt.hour` reads the hour of `ts`."""
        if self._writes is None:
            self._writes = {}
            for write in self.module.flow.column_writes:
                value = write.node.value if isinstance(write.node, ast.Assign) else None
                if value is not None:
                    self._writes.setdefault(write.column, []).append((write.line, value))
        line = getattr(node, "lineno", 0)
        found = [value for at, value in self._writes.get(column, ()) if at < line]
        return found[-1] if found else None

    def _bindings_in(self, node: ast.AST) -> dict[int, tuple]:
        """`_scope_assignments` of the scope (function or module) holding `node`, once per scope."""
        from wicked_data.checks.analysis.syntax import syntax

        fn = syntax(self.module).function_of(node)
        key = id(fn) if fn is not None else 0
        if self._bindings is None:
            self._bindings = {}
        if key not in self._bindings:
            self._bindings[key] = _scope_assignments(fn.body if fn is not None else self.module.tree.body)
        return self._bindings[key]

    def _assigned(self, node: ast.Name) -> tuple[ast.expr, str | None] | None:
        """The one expression the name is assigned in its own scope, before it is read."""
        defs = self._bindings_in(node).get(node.id)
        if defs and len(defs) == 1 and defs[0][1] is not None and defs[0][0] < node.lineno:
            return defs[0][1], defs[0][2]
        return None

    def _binding(self, node: ast.Name, val) -> tuple[ast.expr, str | None] | None:
        """The expression a name read was assigned in its own scope, with the function applied to it
        by `a, b = map(f, [x, y])`: the flow keeps `km = 6371 * c` as the value of `c` (one operand
        carries the data), which loses the constant and the operation. Taken only when the flow agrees
        that the name holds that expression's value, or for an unpacked element."""
        found = self._assigned(node)
        if found is None:
            return None
        value, applied = found
        if applied is None and (val is None or self.module.flow.val_at(value) is not val):
            return None
        return value, applied

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
                out.fills.add(fill_value(node.args[1], self))
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
                out.fills.add(fill_value(value, self))
        elif method in STATS and not node.args and method is not None:
            out.stats.add(method)
        elif method in ("transform", "agg", "aggregate") and node.args and isinstance(node.args[0], ast.Constant) \
                and _op(str(node.args[0].value)) in STATS:
            out.stats.add(_op(node.args[0].value))  # `g.transform("mean")`: the group's mean
            out.ops.add(_op(node.args[0].value))
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
        if isinstance(origin, ast.arg) and origin.arg in ("self", "cls"):
            return False
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


def _scope_assignments(body: list[ast.stmt]) -> dict[str, list[tuple[int, ast.expr | None, str | None]]]:
    """For one scope (a module or a function body; nested functions and classes are their own): each
    name bound by a statement, with (line, the expression assigned, the function a `map(f, [...])`
    unpacking applies) per binding; a binding of another kind (a loop target, `+=`, `with ... as`)
    has no expression. Statements only: expressions are not walked."""
    assigned: dict[str, list[tuple[int, ast.expr | None, str | None]]] = {}
    stack: list[ast.stmt] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            assigned.setdefault(node.name, []).append((0, None, None))
            continue
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            for name, value, applied in _unpacked(node.targets[0], node.value):
                assigned.setdefault(name, []).append((node.lineno, value, applied))
        else:
            if isinstance(node, ast.Assign):
                bound: list[ast.AST] = list(node.targets)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                bound = [item.optional_vars for item in node.items if item.optional_vars is not None]
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor)):
                bound = [node.target]
            else:
                bound = []
            for target in (t for b in bound for t in ast.walk(b)):
                if isinstance(target, ast.Name) and isinstance(target.ctx, ast.Store):
                    assigned.setdefault(target.id, []).append((0, None, None))  # bound some other way
        for name in ("body", "orelse", "finalbody"):
            stack.extend(getattr(node, name, None) or [])
        for handler in getattr(node, "handlers", None) or []:
            if handler.name:
                assigned.setdefault(handler.name, []).append((0, None, None))
            stack.extend(handler.body)
        for case in getattr(node, "cases", None) or []:
            stack.extend(case.body)
    return assigned


def _unpacked(target: ast.expr, value: ast.expr) -> list[tuple[str, ast.expr | None, str | None]]:
    if isinstance(target, ast.Name):
        return [(target.id, value, None)]
    if not isinstance(target, (ast.Tuple, ast.List)) or not all(isinstance(e, ast.Name) for e in target.elts):
        return [(e.id, None, None) for e in ast.walk(target) if isinstance(e, ast.Name)]
    names = [e.id for e in target.elts]  # type: ignore[attr-defined]
    if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(names):
        return [(n, v, None) for n, v in zip(names, value.elts)]
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "map" \
            and len(value.args) == 2 and isinstance(value.args[1], (ast.List, ast.Tuple)) \
            and len(value.args[1].elts) == len(names):
        applied = _op(last(dotted(value.args[0]) or "")) or None
        return [(n, v, applied) for n, v in zip(names, value.args[1].elts)]
    return [(n, None, None) for n in names]


def _strings(key: ast.AST, module) -> list[str] | None:
    """The column names a subscript key can be, when it is not a literal but every value it can take is
    one (a name bound to a string, a conditional between strings)."""
    if isinstance(key, ast.Name):
        val = module.flow.val_at(key)
        origin = val.node if val is not None else None
        if origin is None:
            found = printer(module)._assigned(key)
            origin = found[0] if found is not None and found[1] is None else None
        if origin is None or origin is key or not isinstance(origin, ast.expr):
            return None
        key = origin
    if isinstance(key, ast.IfExp):
        body, orelse = _strings(key.body, module), _strings(key.orelse, module)
        return sorted(set(body) | set(orelse)) if body is not None and orelse is not None else None
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return [key.value]
    return None


def holds(tree, x: float) -> bool:
    """The value of a condition tree (`Printer.predicate`) for a subject value `x`."""
    kind = tree[0]
    if kind == "cmp":
        return _CMP[tree[1]](x, tree[2])
    if kind == "in":
        return x in tree[1]
    if kind == "not":
        return not holds(tree[1], x)
    left, right = holds(tree[1], x), holds(tree[2], x)
    return left or right if kind == "or" else left and right


def disagreement(t: dict, s: dict) -> float | None:
    """A subject value for which two conditions (`Printer.predicate`) differ, or None when they agree on
    every value the subject can take (every integer of a known domain; otherwise every real, probed at
    the constants, between them and beyond)."""
    domain = t.get("domain") or s.get("domain")
    if domain:
        probes = [float(v) for v in range(domain[0], domain[1] + 1)]
    else:
        cuts = sorted(set(_constants(t["tree"]) + _constants(s["tree"])))
        probes = cuts + [(a + b) / 2 for a, b in zip(cuts, cuts[1:])] + ([cuts[0] - 1, cuts[-1] + 1] if cuts else [])
    return next((x for x in sorted(probes) if holds(t["tree"], x) != holds(s["tree"], x)), None)


def _constants(tree) -> list[float]:
    if tree[0] == "cmp":
        return [tree[2]]
    if tree[0] == "in":
        return list(tree[1])
    return [c for part in tree[1:] for c in _constants(part)]


_CMP = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
        "==": lambda a, b: a == b, "!=": lambda a, b: a != b}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
# The values a date part takes (pandas `.dt` accessors and `datetime` attributes).
DOMAINS = {"hour": (0, 23), "minute": (0, 59), "second": (0, 59), "dayofweek": (0, 6), "month": (1, 12),
           "day": (1, 31), "dayofyear": (1, 366), "quarter": (1, 4), "week": (1, 53)}


def number(node: ast.AST) -> float | None:
    """The value of a numeric literal, negative ones included (`-1`); None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = number(node.operand)
        return -inner if inner is not None else None
    return None


def _folded(node: ast.BinOp) -> float | None:
    left = _folded(node.left) if isinstance(node.left, ast.BinOp) else number(node.left)
    right = _folded(node.right) if isinstance(node.right, ast.BinOp) else number(node.right)
    if left is None or right is None:
        return None
    try:
        value = {ast.Add: lambda: left + right, ast.Sub: lambda: left - right, ast.Mult: lambda: left * right,
                 ast.Div: lambda: left / right, ast.Pow: lambda: left ** right if abs(right) <= 64 else None}.get(
            type(node.op), lambda: None)()
    except (ZeroDivisionError, OverflowError):
        return None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, complex) else None


def _range(node: ast.AST) -> list[float] | None:
    """The values of `range(a, b[, step])` with literal bounds (at most a few hundred)."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range"
            and 1 <= len(node.args) <= 3 and not node.keywords):
        return None
    bounds = [number(a) for a in node.args]
    if any(b is None or b != int(b) for b in bounds):
        return None
    values = range(*(int(b) for b in bounds))  # type: ignore[arg-type]
    return [float(v) for v in values] if 0 < len(values) <= 400 else None


def _unwrap(node: ast.AST) -> ast.AST:
    """`(cond).astype(int)`, `int(cond)`, `cond.astype("float32").values`: the condition itself."""
    for _ in range(6):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("astype", "to_numpy"):
            node = node.func.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("int", "float", "bool") \
                and len(node.args) == 1:
            node = node.args[0]
        elif isinstance(node, ast.Attribute) and node.attr == "values":
            node = node.value
        else:
            break
    return node


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


def fill_value(node: ast.AST, printer: Printer) -> str:
    """The value a fill puts in a gap, as compared between the sides: a number, a constant, a statistic
    of the rows at hand (`stat:median`), a parameter, a per-column dict, or an unread `value`."""
    value = number(node)
    if value is not None:
        return f"{value:g}"  # `fillna(0)` and `fillna(0.0)` fill the same value
    if isinstance(node, ast.Constant):
        return repr(node.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and _op(node.func.attr) in STATS:
        return f"stat:{_op(node.func.attr)}"
    if isinstance(node, ast.Name):
        val = printer.module.flow.val_at(node)
        origin = val.node if val is not None else None
        if isinstance(origin, ast.arg):
            return "param"
        if isinstance(origin, (ast.Constant, ast.UnaryOp, ast.Call)) and origin is not node:
            return fill_value(origin, printer)
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
    from wicked_data.checks.analysis.project import third_party
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
