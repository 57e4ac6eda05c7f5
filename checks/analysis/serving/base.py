"""The serving facts' vocabulary and the syntax helpers its parts share."""
from __future__ import annotations

import ast
import builtins
import re
from pathlib import PurePosixPath
from typing import Iterator

from wicked_data.checks.analysis.names import Imports, dotted, last
from wicked_data.checks.analysis.syntax import FunctionNode, Syntax, chain_name, decorator_names, resolved_last

WEB_FRAMEWORKS = ("fastapi", "flask", "starlette", "quart", "sanic", "aiohttp", "litestar", "bentoml", "django",
                  "tornado", "falcon")
SERVING_LIBRARIES = ("cachetools", "aiocache", "bentoml", "ray.serve", "litserve", "mlserver")
PROBA_METHODS = {"predict_proba", "predict_log_proba"}
PREDICT_METHODS = {"predict", "predict_proba", "predict_log_proba", "decision_function"}
# Parameters that hold a probability when a helper is handed one (`calibrate(prob)`).
PROBA_PARAM = re.compile(r"^(p|probs?|probas?|proba_\w+|probabilit(y|ies)|\w+_probs?|\w+_probas?|\w+_probabilit(y|ies)"
                         r"|raw_(p|prob\w*|score))$", re.I)
# A call that produces predictions: the model's own methods, or a project's scoring helper.
PREDICTION_CALL = re.compile(r"(^|_)(predict\w*|predictions?|score|scores|scoring|infer|inference|classify|forecast)(_|$)",
                             re.I)
METRIC_SUFFIXES = ("_score_", "accuracy_score", "f1_score", "roc_auc_score", "precision_score", "recall_score",
                   "r2_score", "brier_score_loss")
_BUILTIN_NAMES = frozenset(dir(builtins))
REQUEST_TYPES = {"Request", "HTTPConnection", "WebSocket", "HttpRequest", "WSGIRequest", "ASGIRequest", "BaseRequest"}
REQUEST_PROXIES = {"flask.request", "quart.request", "bottle.request", "sanic.request", "werkzeug.local.request"}
DJANGO_VIEW_DECORATORS = {"api_view", "csrf_exempt", "require_POST", "require_GET", "require_http_methods",
                          "require_safe", "login_required"}
DJANGO_REQUEST_ATTRS = {"method", "POST", "GET", "body", "FILES", "META", "COOKIES", "session", "user",
                        "query_params", "data", "content_type", "headers"}
HEALTH_WORDS = {"health", "healthz", "healthcheck", "ready", "readyz", "readiness", "live", "livez", "liveness",
                "alive", "status", "ping", "heartbeat"}
CONFIDENCE_NAME = re.compile(r"confiden|certaint", re.I)
LOCK_CTORS = {"Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition"}
LOCK_NAME = re.compile(r"lock|mutex|semaphore", re.I)
CACHE_DECORATORS = {"lru_cache", "cache", "cached", "ttl_cache", "alru_cache", "memoize", "cachedmethod", "lfu_cache"}
CACHE_CTORS = {"TTLCache", "LRUCache", "LFUCache", "RRCache", "FIFOCache", "MRUCache", "SimpleCache", "Cache"}
VERSION_TOKENS = {"version", "revision", "checksum", "sha", "sha1", "sha256", "md5", "digest", "etag", "generation",
                  "fingerprint", "hash", "v"}
EVICTION_METHODS = {"pop", "popitem", "clear", "__delitem__", "evict", "expire"}
SIGMOID_CALLS = {"expit", "sigmoid", "logistic", "softmax"}
CALIBRATION_NAME = re.compile(r"calibrat|adjust|rescal|boost|spread|stretch|sharpen|temper", re.I)
SANITIZERS = {"nan_to_num", "isfinite", "isinf", "isnan", "isna", "isnull", "notna", "fillna", "clip", "dropna",
              "clip_lower", "clip_upper", "nanmax", "nanmin"}
SQL_START = re.compile(r"^\s*(SELECT|WITH)\b", re.I)
DB_METHODS = {"execute", "fetch", "fetchrow", "fetchall", "fetchone", "fetchval", "query", "read_sql", "read_sql_query",
              "scalars", "mappings"}



# ---------------------------------------------------------------------- helpers
def _schema_class(node: ast.ClassDef) -> bool:
    """A class with a base (pydantic, marshmallow, TypedDict...) or a dataclass decorator, as
    `Inference.schema_classes` reads it, for a top-level class."""
    bases = {last(chain_name(b)) for b in node.bases}
    decos = {last(chain_name(d.func if isinstance(d, ast.Call) else d)) for d in node.decorator_list}
    return bool(bases - {"object", "Exception", "ABC"} or decos & {"dataclass", "define", "attrs"})


def _params_of(fn: FunctionNode) -> list[ast.arg]:
    return [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]


def _methods_kw(deco: ast.Call) -> list[str]:
    for kw in deco.keywords:
        if kw.arg == "methods" and isinstance(kw.value, (ast.List, ast.Tuple, ast.Set)):
            return [str(e.value).upper() for e in kw.value.elts if isinstance(e, ast.Constant)]
    return ["GET"]


def _view_methods(fn: FunctionNode, imports) -> list[str]:
    names = decorator_names(fn, imports)
    if "require_POST" in names:
        return ["POST"]
    return ["GET"] if "require_GET" in names else ["ANY"]


def unwrap_annotation(ann: ast.expr | None, imports: Imports | None = None) -> ast.expr | None:
    """`Optional[X]`, `Annotated[X, ...]`, `X | None` read as X."""
    while ann is not None:
        if isinstance(ann, ast.Subscript) and resolved_last(ann.value, imports) in ("Optional", "Annotated"):
            ann = ann.slice.elts[0] if isinstance(ann.slice, ast.Tuple) else ann.slice
        elif isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):
            ann = ann.left if not (isinstance(ann.left, ast.Constant) and ann.left.value is None) else ann.right
        elif isinstance(ann, ast.Constant) and isinstance(ann.value, str):
            try:
                ann = ast.parse(ann.value, mode="eval").body
            except SyntaxError:
                return None
        else:
            return ann
    return None


def element_type(ann: ast.expr | None, imports: Imports | None = None) -> ast.expr | None:
    """The element type of `list[X]`/`List[X]`/`Sequence[X]`."""
    if isinstance(ann, ast.Subscript) and resolved_last(ann.value, imports) in ("list", "List", "Sequence", "set", "Set", "tuple"):
        inner = ann.slice.elts[0] if isinstance(ann.slice, ast.Tuple) else ann.slice
        return unwrap_annotation(inner, imports)
    return None


def _called(syn: Syntax, node: ast.AST) -> bool:
    parent = syn.parent.get(id(node))
    return isinstance(parent, ast.Call) and parent.func is node


def _reports_status(fn: FunctionNode) -> bool:
    """The handler reports a status: a status code computed at run time (`status=200 if ok else
    503`, `(body, code)` with a variable code), or a body keyed `status`/`health`/`ready`."""
    for node in ast.walk(fn):
        if isinstance(node, ast.keyword) and node.arg in ("status", "status_code") and not isinstance(node.value, ast.Constant):
            return True
        if isinstance(node, ast.Dict) and any(isinstance(k, ast.Constant) and k.value in HEALTH_WORDS for k in node.keys):
            return True  # `{"status": "ok"}`: the wire says it is a probe
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and len(node.value.elts) == 2 \
                and not isinstance(node.value.elts[1], ast.Constant):
            return True
    return False


def _first_param(fn: FunctionNode) -> ast.arg | None:
    args = [*fn.args.posonlyargs, *fn.args.args]
    if args and args[0].arg in ("self", "cls"):
        args = args[1:]
    return args[0] if args else None


def _annotated_request(arg: ast.arg, imports: Imports) -> bool:
    inner = unwrap_annotation(arg.annotation, imports)
    return inner is not None and resolved_last(inner, imports) in REQUEST_TYPES


def _dicts_of(node: ast.expr, assigned: dict, appended: dict, depth: int) -> list[ast.Dict]:
    if depth < 0:
        return []
    if isinstance(node, ast.Dict):
        out = [node]
        for value in node.values:
            if isinstance(value, ast.Name):
                out += [d for v in appended.get(value.id, []) for d in _dicts_of(v, assigned, appended, depth - 1)]
        return out
    if isinstance(node, ast.Call):
        out = []
        for arg in [*node.args, *(k.value for k in node.keywords if k.arg in (None, "content"))]:
            out += _dicts_of(arg, assigned, appended, depth - 1)
        return out
    if isinstance(node, ast.Name):
        return [d for v in assigned.get(node.id, []) for d in _dicts_of(v, assigned, appended, depth - 1)]
    return []


def _binding(node: ast.AST) -> tuple[ast.expr | None, set[str]]:
    """(value, names bound) for assignments, loops and comprehensions."""
    if isinstance(node, ast.Assign):
        return node.value, {n for t in node.targets for n in _bound_names(t)}
    if isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
        return node.value, _bound_names(node.target)
    if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
        return node.iter, _bound_names(node.target)
    if isinstance(node, ast.NamedExpr):
        return node.value, {node.target.id}
    return None, set()


def _bound_names(target: ast.expr) -> set[str]:
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
        return {target.attr}
    if isinstance(target, (ast.Tuple, ast.List)):
        return {n for e in target.elts for n in _bound_names(e)}
    if isinstance(target, ast.Starred):
        return _bound_names(target.value)
    return set()


def _target_name(target: ast.expr) -> str:
    return chain_name(target) if isinstance(target, (ast.Name, ast.Attribute)) else ""


def _dotted_names(node: ast.AST) -> set[str]:
    out = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            out.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            out.add(sub.attr)
            text = dotted(sub)
            if text:
                out.add(text)
    return out


def _strings(node: ast.AST) -> set[str]:
    return {s.value for s in ast.walk(node) if isinstance(s, ast.Constant) and isinstance(s.value, str)}


def _number(node: ast.AST, consts: dict[str, float] | None = None) -> float | None:
    """A numeric literal, or a module-level constant bound to one (`FLOOR = 0.05`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _number(node.operand, consts)
        return -inner if inner is not None else None
    if isinstance(node, ast.Name) and consts:
        return consts.get(node.id)
    return None


def _is_number(node: ast.AST, value: float) -> bool:
    return _number(node) == value


def _has_exp(node: ast.AST) -> bool:
    return any(isinstance(s, ast.Call) and last(chain_name(s.func)) == "exp" for s in ast.walk(node))


def _constant_side(node: ast.BinOp) -> bool:
    return _number(node.left) is not None or _number(node.right) is not None


def _non_epsilon_bounds(node: ast.Call, consts: dict[str, float]) -> bool:
    """`clip(p, 0.05, 0.95)` moves probabilities; `clip(p, 1e-7, 1 - 1e-7)` only avoids log(0)."""
    args = [*node.args, *(k.value for k in node.keywords)]
    bounds = [_number(a, consts) if _number(a, consts) is not None else _const_expr(a) for a in args]
    return any(b is not None and 1e-3 <= b <= 1 - 1e-3 for b in bounds)


def _const_expr(node: ast.AST) -> float | None:
    """`1 - 1e-7` evaluated; None when not made of numbers."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Sub, ast.Add)):
        left, right = _number(node.left), _number(node.right)
        if left is not None and right is not None:
            return left - right if isinstance(node.op, ast.Sub) else left + right
    return None


def _uncertainty(value: ast.AST) -> bool:
    """The score uses something besides the probability: spread across estimators, an interval."""
    names = _dotted_names(value)
    return any(re.search(r"std|var|estimators_|interval|conformal|entropy_of_ensemble|spread|n_samples|coverage", n)
               for n in names)


def _versionish(name: str) -> bool:
    """`MODEL_VERSION`, `bundle.sha256`, `model_id`: a name that identifies the model."""
    tokens = [t for t in re.split(r"[._\-\s]+", name.lower()) if t]
    return any(t in VERSION_TOKENS for t in tokens) or (
        "model" in tokens and any(t in ("id", "name", "tag", "key", "stem") for t in tokens))


def _unwrapped(value: ast.AST) -> ast.AST:
    """`round(float(x), 3)` read as `x`."""
    while isinstance(value, ast.Call) and last(chain_name(value.func)) in ("round", "float", "int") and value.args:
        value = value.args[0]
    return value


def _delegates_confidence(value: ast.AST) -> bool:
    """`round(helper(p), 4)`: a function of the project computes it (and is reviewed where it is
    defined), as opposed to an expression or a library call."""
    value = _unwrapped(value)
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id not in _BUILTIN_NAMES


def _target_of(syn: Syntax, node: ast.AST) -> str:
    """The name or key a value is stored under: `x = <node>`, `{"k": <node>}`, `f(k=<node>)`."""
    cur = node
    for anc in syn.ancestors(node):
        if isinstance(anc, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = anc.targets if isinstance(anc, ast.Assign) else [anc.target]
            return " ".join(_store_name(t) for t in targets)
        if isinstance(anc, ast.Dict):
            for key, value in zip(anc.keys, anc.values):
                if value is cur and isinstance(key, ast.Constant):
                    return str(key.value)
            return ""
        if isinstance(anc, ast.keyword):
            return anc.arg or ""
        if isinstance(anc, (ast.stmt, ast.Lambda)):
            return ""
        cur = anc
    return ""


def _store_name(target: ast.expr) -> str:
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
        return str(target.slice.value)
    return chain_name(target) if isinstance(target, (ast.Name, ast.Attribute)) else ""


def _named_values(node: ast.AST) -> Iterator[tuple[str, ast.expr]]:
    """(name or key, value) pairs a node stores: assignments, dict entries, keyword arguments."""
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            yield _store_name(target), node.value
    elif isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                yield key.value, value
    elif isinstance(node, ast.Call):
        for kw in node.keywords:
            if kw.arg:
                yield kw.arg, kw.value


def module_name(rel: str) -> str:
    """`app/ml/pipeline.py` -> `app.ml.pipeline` (`__init__` names its package)."""
    path = PurePosixPath(rel)
    parts = list(path.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_prefixes(rel: str) -> list[str]:
    """Every name a file can be imported under, from any source root: `app/ml/pipeline.py` ->
    `app.ml.pipeline`, `ml.pipeline`, `pipeline`."""
    parts = module_name(rel).split(".")
    return [".".join(parts[start:]) for start in range(len(parts)) if parts[start:] != [""]]


