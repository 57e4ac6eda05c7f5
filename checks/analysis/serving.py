"""Serving facts about one module: the routes of a prediction service and what they take and
return, the probabilities the model produces and what is done to them, module globals and the
locks that guard them, prediction caches, model registries, and the module's call graph.

The ML5xx rules and the audit report ask these questions of the same files, so the answers are
computed once per module (`serving(module)`), and only for files that look like serving code: they
import a web framework or the module analysis gives them a serving/inference role
(`applies(module)`). Everything is read from the syntax tree and the shared inference facts
(`production.py`); nothing is imported or run.
"""
from __future__ import annotations

import ast
import builtins
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePosixPath
from typing import Iterator

from checks.analysis.flow import CallSite
from checks.analysis.module import ModuleAnalysis
from checks.analysis.names import Imports, dotted, last
from checks.analysis.sql import tables
from checks.analysis.production import (
    RAW_ANNOTATIONS, UNSAFE_LOADS, FunctionNode, Inference, Syntax, _decorator_names, _dotted, _is_route, _unsafe_load, inference,
    resolved_last,
    syntax,
)

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


def applies(module: ModuleAnalysis) -> bool:
    """Serving code: the module imports a web framework, serves or infers with a model, or has a
    helper handed a probability (`calibrate(prob)`). Training files, notebooks and tests are not."""
    return module.shared(_applies)


def _applies(module: ModuleAnalysis) -> bool:
    if module.is_test:
        return False  # a test calls the service; it is not the service
    if module.imports.uses(*WEB_FRAMEWORKS, *SERVING_LIBRARIES) or module.role in ("serving", "inference"):
        return True
    if module.role in ("training", "notebook"):
        return False
    return any(PROBA_PARAM.match(a.arg) for fn in module.flow.functions.values()
               for a in [*fn.node.args.posonlyargs, *fn.node.args.args, *fn.node.args.kwonlyargs])


def serving(module: ModuleAnalysis) -> "Serving":
    return module.shared(Serving)


# ---------------------------------------------------------------------- facts
@dataclass(eq=False)
class Param:
    """A route parameter and what the framework does with it."""

    node: ast.arg
    annotation: str
    kind: str  # 'schema' | 'scalar' | 'raw' | 'request' | 'dependency'
    body: bool  # read from the request body (a FastAPI `Body(...)`, a list/dict/schema annotation)

    @property
    def name(self) -> str:
        return self.node.arg


@dataclass(eq=False)
class Route:
    function: FunctionNode
    path: str
    methods: list[str]
    params: list[Param]
    body_reads: list[ast.AST]  # `request.json`, `request.get_json()`, `await request.json()`

    @property
    def name(self) -> str:
        return self.function.name

    @property
    def line(self) -> int:
        return self.function.lineno

    @property
    def is_health(self) -> bool:
        """A probe: its path says so (whole words: `/healthz`, `/ready`, not `/delivery`), or it takes
        no input, reads no body and reports a status code chosen at run time (`status=200 if ok
        else 503`). The handler's name is not read."""
        words = set(re.split(r"[^a-z]+", self.path.lower()))
        if words & HEALTH_WORDS:
            return True
        return not self.body_reads and all(p.kind == "request" for p in self.params) and _reports_status(self.function)


@dataclass(eq=False)
class Step:
    """Something done to a predicted probability: a calibration step or a confidence score."""

    node: ast.AST
    function: FunctionNode | None
    kind: str  # 'sigmoid' | 'clamp' | 'power' | 'rescale' | 'confidence'
    target: str  # the name or key it is stored under ('' when unnamed)
    parts: list[str] = field(default_factory=list)  # the kinds of the steps nested in it, its own first
    by_name: bool = False  # the value is a probability only because a parameter is named like one

    @property
    def line(self) -> int:
        return self.node.lineno


@dataclass(eq=False)
class GlobalWrite:
    """A module-level name (or an entry of a module-level dict, or an attribute of `self`) assigned
    inside a function."""

    node: ast.AST  # the assignment statement
    function: FunctionNode
    name: str
    kind: str  # 'global' | 'item' | 'attribute'
    value: ast.expr
    lazy: ast.If | None  # the `if X is None` / `if not X` / `if key not in REGISTRY` it is under
    locked: bool  # inside `with lock:` (or after `lock.acquire()`)

    @property
    def line(self) -> int:
        return self.node.lineno


@dataclass(eq=False)
class PredictionCache:
    node: ast.AST  # the decorator or the cache write
    function: FunctionNode
    kind: str  # 'decorator' | 'object'
    spelled: str  # '@cached(ttl=300)', 'CACHE[key] = ...'
    key_names: set[str]  # names that make up the key (parameters for a decorator)

    @property
    def line(self) -> int:
        return self.node.lineno


class Serving:
    """The serving facts of one module; each property is computed on first use."""

    def __init__(self, module: ModuleAnalysis) -> None:
        self.module = module
        self._own_nodes: dict[int, list[ast.AST]] = {}

    @cached_property
    def syntax(self) -> Syntax:
        return syntax(self.module)

    @cached_property
    def inference(self) -> Inference:
        return inference(self.module)

    @cached_property
    def framework(self) -> str | None:
        for name in WEB_FRAMEWORKS:
            if self.module.imports.uses(name):
                return name
        return None

    # ------------------------------------------------------------------ functions and calls
    @cached_property
    def functions(self) -> list[FunctionNode]:
        return self.syntax.functions

    def own_nodes(self, fn: FunctionNode) -> list[ast.AST]:
        """The nodes of a function's body in source order, nested functions and classes excluded."""
        nodes = self._own_nodes.get(id(fn))
        if nodes is None:
            nodes = sorted(self.syntax.body_nodes(fn), key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))
            self._own_nodes[id(fn)] = nodes
        return nodes

    def calls_in(self, fn: FunctionNode | None) -> list[CallSite]:
        return self.inference.calls_in.get(id(fn) if fn is not None else 0, [])

    def reach(self, fn: FunctionNode) -> list[FunctionNode]:
        return self.inference.reach(fn)

    def is_prediction_call(self, call: CallSite) -> bool:
        """The model applied (`predict_proba`), or a scoring helper called (`pipeline.predict_batch`)."""
        name = call.method or last(call.name)
        return bool(PREDICTION_CALL.search(name or "")) and not (name or "").endswith(METRIC_SUFFIXES)

    def predicts(self, fn: FunctionNode) -> bool:
        """`fn` or a function it calls applies the model or a scoring helper."""
        return any(self.is_prediction_call(c) for f in self.reach(fn) for c in self.calls_in(f))

    def enclosing(self, node: ast.AST) -> FunctionNode | None:
        return self.syntax.function_of(node)

    # ------------------------------------------------------------------ routes
    @cached_property
    def schema_classes(self) -> set[str]:
        return self.inference.schema_classes

    @cached_property
    def schemas(self) -> dict[str, tuple[ast.ClassDef, list[tuple[str, str, int]]]]:
        """Schema classes with their fields (name, annotation, line)."""
        out = {}
        for node in self.module.tree.body:
            if isinstance(node, ast.ClassDef) and _schema_class(node):
                fields = [(s.target.id, ast.unparse(s.annotation), s.lineno) for s in node.body
                          if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)]
                out[node.name] = (node, fields)
        return out

    @cached_property
    def routes(self) -> list[Route]:
        out = []
        registered = self._registered_handlers()
        for fn in self.functions:
            decos = [d for d in fn.decorator_list if _is_route(d)]
            if not decos:
                if fn.name in registered or self._django_view(fn):
                    path, methods = registered.get(fn.name, ("", _view_methods(fn, self.module.imports)))
                    out.append(Route(fn, path, methods, self._params(fn), self._body_reads(fn)))
                continue
            deco = decos[0]
            path = next((a.value for a in deco.args if isinstance(a, ast.Constant) and isinstance(a.value, str)), "")
            method = deco.func.attr  # type: ignore[attr-defined]
            methods = [method.upper()] if method not in ("route", "api_route") else _methods_kw(deco)
            out.append(Route(fn, path, methods, self._params(fn), self._body_reads(fn)))
        return out

    def _registered_handlers(self) -> dict[str, tuple[str, list[str]]]:
        """Handlers registered by call: aiohttp's `router.add_post("/x", handler)`, `web.post("/x", handler)`,
        Flask's `add_url_rule("/x", view_func=handler)`."""
        if not self.module.imports.uses("aiohttp", "flask", "starlette", "quart", "sanic"):
            return {}
        out = {}
        for call in self.module.calls:
            verb = call.method or call.short
            if not re.match(r"^(add_)?(get|post|put|patch|delete|route|url_rule)$", verb or "") or verb == "get":
                continue
            args = [*call.node.args, *(k.value for k in call.node.keywords if k.arg in ("view_func", "handler"))]
            path = next((a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)), None)
            handler = next((a.id for a in args if isinstance(a, ast.Name)), None)
            if path is not None and handler:
                method = verb.replace("add_", "").upper()
                out[handler] = (path, [method] if method not in ("ROUTE", "URL_RULE") else ["GET"])
        return out

    def _django_view(self, fn: FunctionNode) -> bool:
        """A Django view, in a module that imports django: a view decorator, or a first parameter
        annotated or used as the request (`.POST`, `.method`, `render(request, ...)`)."""
        if not self.module.imports.uses("django", "rest_framework"):
            return False
        if set(_decorator_names(fn, self.module.imports)) & DJANGO_VIEW_DECORATORS:
            return True
        first = _first_param(fn)
        if first is None or fn in self._methods:
            return False
        return _annotated_request(first, self.module.imports) or self._used_as_request(fn, first.arg)

    @cached_property
    def _methods(self) -> list[FunctionNode]:
        return [f for cls in self.syntax.classes for f in cls.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))]

    def _used_as_request(self, fn: FunctionNode, name: str) -> bool:
        for node in self.syntax.body_nodes(fn):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == name \
                    and node.attr in DJANGO_REQUEST_ATTRS:
                return True
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Name) \
                    and node.args[0].id == name:
                callee = self.module.imports.resolve(node.func) or ""
                if callee.startswith(("django.shortcuts.", "django.template.")):
                    return True
        return False

    def request_names(self, fn: FunctionNode) -> set[str]:
        """The names that denote the incoming request in `fn`: a parameter annotated with a request
        type, the first parameter of a handler registered by call or of a Django view, and the
        framework's request proxy imported into the module (`from flask import request as rq`)."""
        found = self._request_names.get(id(fn))
        if found is None:
            found = {a.arg for a in _params_of(fn) if _annotated_request(a, self.module.imports)}
            first = _first_param(fn)
            if first is not None and (fn.name in self._registered_handlers() or self._django_view(fn)):
                found.add(first.arg)
            found |= self._request_proxies
            self._request_names[id(fn)] = found
        return found

    @cached_property
    def _request_names(self) -> dict[int, set[str]]:
        return {}

    @cached_property
    def _request_proxies(self) -> set[str]:
        return {alias for alias, target in self.module.imports.aliases.items() if target in REQUEST_PROXIES}

    def _is_request(self, node: ast.AST, fn: FunctionNode) -> bool:
        """`node` is the request: one of `request_names(fn)`, `self.request` (class-based views), or
        a proxy spelled through its module (`flask.request`)."""
        if isinstance(node, ast.Name):
            return node.id in self.request_names(fn)
        if isinstance(node, ast.Attribute) and node.attr == "request" and isinstance(node.value, ast.Name) \
                and fn in self._methods:
            return True
        return self.module.imports.resolve(node) in REQUEST_PROXIES

    def _params(self, fn: FunctionNode) -> list[Param]:
        args = [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]
        defaults: dict[int, ast.expr] = {}
        positional = [*fn.args.posonlyargs, *fn.args.args]
        for arg, value in zip(positional[len(positional) - len(fn.args.defaults):], fn.args.defaults):
            defaults[id(arg)] = value
        for arg, value in zip(fn.args.kwonlyargs, fn.args.kw_defaults):
            if value is not None:
                defaults[id(arg)] = value
        out = []
        for arg in args:
            if arg.arg in ("self", "cls"):
                continue
            out.append(self._param(arg, defaults.get(id(arg))))
        return out

    def _param(self, arg: ast.arg, default: ast.expr | None) -> Param:
        ann = arg.annotation
        text = ast.unparse(ann) if ann is not None else ""
        imports = self.module.imports
        default_name = resolved_last(default.func, imports) if isinstance(default, ast.Call) else ""
        if default_name in ("Depends", "Security"):
            return Param(arg, text, "dependency", False)
        inner = unwrap_annotation(ann, imports)
        head = resolved_last(inner.value if isinstance(inner, ast.Subscript) else inner, imports) if inner is not None else ""
        if head in REQUEST_TYPES:
            return Param(arg, text, "request", False)
        element = element_type(inner, imports)
        element_name = resolved_last(element, imports) if element is not None else ""
        if head in self.schema_classes or element_name in self.schema_classes:
            return Param(arg, text, "schema", True)
        is_body = default_name == "Body" or head in ("dict", "Dict", "list", "List", "Mapping", "Sequence", "Any")
        if head in RAW_ANNOTATIONS or default_name == "Body" and not head:
            return Param(arg, text, "raw", is_body or default_name == "Body")
        if head and head[:1].isupper() and head not in ("Optional", "Union", "Annotated", "Literal"):
            return Param(arg, text, "schema", True)  # a class from another module: assume a schema
        return Param(arg, text, "scalar", False)

    def _body_reads(self, fn: FunctionNode) -> list[ast.AST]:
        out = []
        for node in self.syntax.body_nodes(fn):
            target = node.value if isinstance(node, ast.Await) else node
            if isinstance(target, ast.Call) and isinstance(target.func, ast.Attribute):
                if target.func.attr in ("get_json", "json", "form", "body") and self._is_request(target.func.value, fn) \
                        and not isinstance(self.syntax.parent.get(id(node)), ast.Await):  # the await is the read
                    out.append(node)
            elif isinstance(node, ast.Attribute) and node.attr in ("json", "form", "data", "values", "body", "POST") \
                    and self._is_request(node.value, fn) and not _called(self.syntax, node):
                out.append(node)
        out.sort(key=lambda n: n.lineno)
        return out

    @cached_property
    def prediction_routes(self) -> list[Route]:
        return [r for r in self.routes if not r.is_health and self.predicts(r.function)]

    # ------------------------------------------------------------------ returned dicts
    def returned_dicts(self, fn: FunctionNode) -> list[ast.Dict]:
        """Dict literals a function returns: `return {...}`, `return jsonify({...})`, a dict built in
        a variable and returned, and the per-item dicts appended to a returned list."""
        out: list[ast.Dict] = []
        assigned: dict[str, list[ast.expr]] = {}
        appended: dict[str, list[ast.expr]] = {}
        nodes = self.own_nodes(fn)
        for node in nodes:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        assigned.setdefault(target.id, []).append(node.value)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append" \
                    and isinstance(node.func.value, ast.Name) and node.args:
                appended.setdefault(node.func.value.id, []).append(node.args[0])
        for node in nodes:
            if isinstance(node, ast.Return) and node.value is not None:
                out += _dicts_of(node.value, assigned, appended, depth=3)
        seen: set[int] = set()
        return [d for d in out if not (id(d) in seen or seen.add(id(d)))]

    # ------------------------------------------------------------------ probabilities
    @cached_property
    def _code_probabilities(self) -> set[int]:
        """Ids of the values computed from a `predict_proba` call, through the module's data flow
        (assignments, branches, helper parameters and returns, `self` attributes)."""
        flow = self.module.flow
        return flow.downstream(c.val for c in self.module.calls if c.method in PROBA_METHODS and c.val is not None)

    @cached_property
    def _probabilities(self) -> set[int]:
        """`_code_probabilities`, also seeded by probability-named parameters (name evidence: a
        helper whose callers are in another file)."""
        flow = self.module.flow
        named = [val for fn in [*flow.functions.values(), *flow.nested] for name, val in fn.params.items()
                 if PROBA_PARAM.match(name)]
        return self._code_probabilities | flow.downstream(named)

    def _holds(self, node: ast.AST, ids: set[int]) -> bool:
        if not ids:
            return False
        val_at = self.module.flow.val_at
        for sub in ast.walk(node):
            val = val_at(sub)
            if val is not None and id(val) in ids:
                return True
        return False

    def by_name_only(self, node: ast.AST, fn: FunctionNode) -> bool:
        """`node` holds a probability only because a parameter is named like one."""
        return not self._holds(node, self._code_probabilities)

    @cached_property
    def _has_probabilities(self) -> bool:
        """The module calls `predict_proba` or has a probability-named parameter: there is a seed."""
        return any(c.method in PROBA_METHODS for c in self.module.calls) or any(
            PROBA_PARAM.match(a.arg) for fn in self.functions
            for a in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs])

    def is_probability(self, node: ast.AST, fn: FunctionNode) -> bool:
        return self._has_probabilities and self._holds(node, self._probabilities)

    @cached_property
    def calibration_steps(self) -> list[Step]:
        """Hand-made transformations of predicted probabilities: a sigmoid, a clamp with bounds that
        are not numerical epsilons, a power, a linear rescale stored under a calibration-like name."""
        out: list[Step] = []
        for fn, node in self._probability_code():
            kind = self._calibration_kind(node, fn)
            if kind:
                out.append(Step(node, fn, kind, _target_of(self.syntax, node), by_name=self.by_name_only(node, fn)))
        return _outermost(self.syntax, out)

    def _probability_code(self) -> Iterator[tuple[FunctionNode, ast.AST]]:
        """(function, node) for every node of the functions that hold or compute a probability:
        where calibration and confidence scores are looked for."""
        if not self._has_probabilities:
            return
        for fn in self.functions:
            if self._has_proba_call(fn) or any(self.is_probability(n, fn) for n in self.own_nodes(fn)
                                               if isinstance(n, ast.expr)):
                for node in self.own_nodes(fn):
                    yield fn, node

    def _has_proba_call(self, fn: FunctionNode) -> bool:
        return any(c.method in PROBA_METHODS for c in self.calls_in(fn))

    def _calibration_kind(self, node: ast.AST, fn: FunctionNode) -> str | None:
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Div) and _is_number(node.left, 1) and _has_exp(node.right) \
                    and self.is_probability(node.right, fn):
                return "sigmoid"
            if isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant) \
                    and isinstance(node.right.value, (int, float)) and node.right.value not in (1, 2) \
                    and self.is_probability(node.left, fn) and not _has_exp(node.left):
                return "power"
            if isinstance(node.op, (ast.Mult, ast.Add, ast.Sub)) and self.is_probability(node, fn) \
                    and isinstance(self.syntax.parent.get(id(node)), (ast.Assign, ast.AnnAssign)) \
                    and _constant_side(node) and CALIBRATION_NAME.search(_target_of(self.syntax, node)) \
                    and not CONFIDENCE_NAME.search(_target_of(self.syntax, node)):
                return "rescale"
        if isinstance(node, ast.Call):
            name = resolved_last(node.func, self.module.imports)
            args = [*node.args, *(k.value for k in node.keywords)]
            if name in SIGMOID_CALLS and args and self.is_probability(args[0], fn):
                return "sigmoid"
            if name in ("max", "min") and len(node.args) == 2 and self._clamp(node, fn):
                return "clamp"
            if name in ("clip", "clamp", "minimum", "maximum") and self.is_probability(node, fn) \
                    and _non_epsilon_bounds(node, self.constants):
                return "clamp"
        return None

    def _clamp(self, node: ast.Call, fn: FunctionNode) -> bool:
        """`max(lo, min(hi, p))` / `min(hi, max(lo, p))` with constant bounds."""
        numbers = self.constants
        consts = [a for a in node.args if _number(a, numbers) is not None]
        inner = [a for a in node.args if isinstance(a, ast.Call) and last(_dotted(a.func)) in ("max", "min")]
        if len(consts) != 1 or not self.is_probability(node, fn):
            return False
        bounds = [_number(consts[0], numbers)]
        if inner:
            bounds += [_number(a, numbers) for a in inner[0].args if _number(a, numbers) is not None]
        return any(b is not None and 1e-3 <= b <= 1 - 1e-3 for b in bounds)

    @cached_property
    def confidence_scores(self) -> list[Step]:
        """Values exposed as a 'confidence' (a dict key, a keyword, a field) that are computed from
        the probability alone, reported where they are computed. A local variable or a helper
        merely named like a confidence is name evidence (`Step.by_name`)."""
        out: list[Step] = []
        for fn, node in self._probability_code():
            named = [(target, value, isinstance(node, (ast.Assign, ast.AnnAssign)))
                     for target, value in _named_values(node)]
            if isinstance(node, ast.Return) and node.value is not None and CONFIDENCE_NAME.search(fn.name):
                named.append((fn.name, node.value, True))
            for target, value, by_name in named:
                if not CONFIDENCE_NAME.search(target):
                    continue
                core = _unwrapped(value)
                origin = self._assigned_value(fn, core) if isinstance(core, ast.Name) else None
                value = origin if origin is not None else value
                if self.is_probability(value, fn) and not _uncertainty(value) and not _delegates_confidence(value):
                    out.append(Step(value, fn, "confidence", target,
                                    by_name=by_name or self.by_name_only(value, fn)))
        out.sort(key=lambda step: step.by_name)  # the exposed confidence first, where a line has both
        seen: set[int] = set()
        kept = [s for s in out if not (s.line in seen or seen.add(s.line))]
        return sorted(kept, key=lambda step: (step.line, step.node.col_offset))

    def _assigned_value(self, fn: FunctionNode, name: ast.Name) -> ast.expr | None:
        """The last value assigned to `name` in `fn` before it is read."""
        before = [v for v in self.syntax.assigned_values(fn, name.id) if v.lineno <= name.lineno]
        return before[-1] if before else None

    # ------------------------------------------------------------------ globals, locks, registries
    @cached_property
    def constants(self) -> dict[str, float]:
        """Module-level names bound to a number (`FLOOR = 0.05`)."""
        out = {}
        for name, value in self._module_bindings():
            number = _number(value)
            if number is not None:
                out[name] = number
        return out

    @cached_property
    def module_names(self) -> set[str]:
        out = set()
        for stmt in self.module.tree.body:
            value, targets = _binding(stmt)
            out |= targets
        return out

    @cached_property
    def locks(self) -> set[str]:
        """Module-level names (and `self.` attributes) bound to a lock."""
        out = set()
        for node in self.syntax.nodes:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call) \
                    and resolved_last(node.value.func, self.module.imports) in LOCK_CTORS:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                out |= {_target_name(t) for t in targets}
        return out

    def locked(self, node: ast.AST) -> bool:
        """Inside `with lock:` / `async with lock:`, or after `lock.acquire()` in the same function."""
        for anc in self.syntax.ancestors(node):
            if isinstance(anc, (ast.With, ast.AsyncWith)):
                for item in anc.items:
                    name = _dotted(item.context_expr.func if isinstance(item.context_expr, ast.Call)
                                   else item.context_expr)
                    if last(name) in self.locks or LOCK_NAME.search(name):
                        return True
            if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "acquire"
                           and n.lineno < node.lineno for n in self.syntax.body_nodes(anc))
        return False

    @cached_property
    def global_writes(self) -> list[GlobalWrite]:
        """Shared state written inside functions: `global X; X = ...`, `REGISTRY[key] = ...` on a
        module-level name, `self.attr = ...` in a method."""
        out = []
        for fn in self.functions:
            declared = {n for s in self.syntax.body_nodes(fn) if isinstance(s, ast.Global) for n in s.names}
            for node in self.syntax.body_nodes(fn):
                if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
                    continue
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    write = self._global_write(fn, node, target, declared)
                    if write is not None:
                        out.append(write)
        return out

    def _global_write(self, fn: FunctionNode, node: ast.AST, target: ast.expr, declared: set[str]) -> GlobalWrite | None:
        value = node.value  # type: ignore[attr-defined]
        if isinstance(target, ast.Name) and target.id in declared:
            name, kind = target.id, "global"
        elif isinstance(target, ast.Subscript) and isinstance(target.value, (ast.Name, ast.Attribute)) \
                and (_dotted(target.value) in self.module_names or _dotted(target.value).startswith("self.")):
            name, kind = _dotted(target.value), "item"
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self" \
                and fn.name != "__init__":
            name, kind = f"self.{target.attr}", "attribute"
        else:
            return None
        return GlobalWrite(node, fn, name, kind, value, self._lazy(node, name), self.locked(node))

    def _lazy(self, node: ast.AST, name: str) -> ast.If | None:
        """The test that the shared value is missing it is under: `if X is None`, `if not X`,
        `if k not in X`."""
        for anc in self.syntax.ancestors(node):
            if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return None
            if isinstance(anc, ast.If) and _dotted_names(anc.test) & {name, name.split(".")[-1]}:
                test = anc.test
                if isinstance(test, (ast.UnaryOp, ast.BoolOp)) and not (
                        isinstance(test, ast.UnaryOp) and not isinstance(test.op, ast.Not)):
                    return anc
                if isinstance(test, ast.Compare) and any(isinstance(op, (ast.Is, ast.NotIn, ast.Eq)) for op in test.ops):
                    return anc
        return None

    def is_model_load(self, value: ast.expr) -> bool:
        """The expression loads a model: a deserialiser, a model loader, a loader helper."""
        for sub in ast.walk(value):
            if isinstance(sub, (ast.Attribute, ast.Name)) and self.module.imports.resolve(sub) in UNSAFE_LOADS:
                return True  # `run_in_executor(None, joblib.load, path)`
            if not isinstance(sub, ast.Call):
                continue
            call = self.module.flow.call_at(sub)
            if call is not None and _unsafe_load(call) is not None:
                return True
            name = last(_dotted(sub.func))
            if re.match(r"^_?(load|restore|read)_?(model|pipeline|bundle|artifact|latest|predictor|classifier)\w*$|"
                        r"^from_pretrained$|^load_model$", name, re.I):
                return True
            if call is not None and call.callee is not None and self._returns_load(call.callee.node):
                return True
        return False

    def _returns_load(self, fn: FunctionNode) -> bool:
        return any(isinstance(n, ast.Call) and (c := self.module.flow.call_at(n)) is not None
                   and c.callee is None and _unsafe_load(c) is not None for n in self.syntax.body_nodes(fn))

    @cached_property
    def module_dicts(self) -> dict[str, ast.AST]:
        """Module-level names bound to an empty dict (`{}`, `dict()`, `defaultdict(...)`), and
        instance attributes so bound in `__init__`."""
        out: dict[str, ast.AST] = {}
        for node in self.syntax.nodes:
            if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
                continue
            value = node.value
            empty = (isinstance(value, ast.Dict) and not value.keys) or (
                isinstance(value, ast.Call) and last(_dotted(value.func)) in ("dict", "defaultdict", "OrderedDict")
                and not value.args[1:] and not value.keywords)
            if not empty:
                continue
            fn = self.enclosing(node)
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                name = _target_name(target)
                if fn is None and isinstance(target, ast.Name) or fn is not None and fn.name == "__init__" \
                        and name.startswith("self."):
                    out[name] = node
        return out

    def evicted(self, name: str) -> bool:
        """Entries of `name` are removed somewhere (pop, del, clear) or its size is checked."""
        short = name.split(".")[-1]
        for node in self.syntax.nodes:
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in EVICTION_METHODS \
                    and _dotted(node.func.value).split(".")[-1] == short:
                return True
            if isinstance(node, ast.Delete) and any(isinstance(t, ast.Subscript) and _dotted(t.value).split(".")[-1] == short
                                                    for t in node.targets):
                return True
            if isinstance(node, ast.Call) and _dotted(node.func) == "len" and node.args \
                    and _dotted(node.args[0]).split(".")[-1] == short and isinstance(self.syntax.parent.get(id(node)), ast.Compare):
                return True
        return False

    # ------------------------------------------------------------------ caches
    @cached_property
    def prediction_caches(self) -> list[PredictionCache]:
        """Caches in front of predictions: a caching decorator on a function that predicts, and
        writes into a module-level cache (a `TTLCache`, a dict named like a cache) of a value computed
        from a prediction."""
        out = []
        for fn in self.functions:
            for deco in fn.decorator_list:
                name = resolved_last(deco.func if isinstance(deco, ast.Call) else deco, self.module.imports)
                if name in CACHE_DECORATORS and self.predicts(fn):
                    keys = self._argument_evidence(fn)
                    if isinstance(deco, ast.Call):
                        for kw in deco.keywords:
                            if kw.arg in ("key", "key_builder", "typed_key"):
                                keys |= _dotted_names(kw.value) | _strings(kw.value)
                    out.append(PredictionCache(deco, fn, "decorator", "@" + ast.unparse(deco), keys))
        imports = self.module.imports
        caches = {n for n, v in self._module_bindings() if isinstance(v, ast.Call)
                  and resolved_last(v.func, imports) in CACHE_CTORS}
        caches |= {n for n in self.module_dicts if self._memoised(n)}
        if not caches:
            return out
        for fn in self.functions:
            for node in self.syntax.body_nodes(fn):
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Subscript):
                    target = node.targets[0]
                    if _dotted(target.value) in caches and self.predicts(fn):
                        keys = self._key_names(fn, target.slice)
                        out.append(PredictionCache(node, fn, "object", ast.unparse(target) + " = ...", keys))
        return out

    def _module_bindings(self) -> Iterator[tuple[str, ast.expr]]:
        for stmt in self.module.tree.body:
            if isinstance(stmt, ast.Assign):
                for t in stmt.targets:
                    if isinstance(t, ast.Name):
                        yield t.id, stmt.value
                    elif isinstance(t, ast.Tuple) and isinstance(stmt.value, ast.Tuple) \
                            and len(t.elts) == len(stmt.value.elts):  # `FLOOR, CEILING = 0.02, 0.98`
                        for name, value in zip(t.elts, stmt.value.elts):
                            if isinstance(name, ast.Name):
                                yield name.id, value
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
                yield stmt.target.id, stmt.value

    @cached_property
    def _module_binding_map(self) -> dict[str, list[ast.expr]]:
        out: dict[str, list[ast.expr]] = {}
        for name, value in self._module_bindings():
            out.setdefault(name, []).append(value)
        return out

    def _key_names(self, fn: FunctionNode | None, key: ast.expr) -> set[str]:
        """What a cache key is built from: the strings and attributes of its expression, following
        the names in it to what they are bound to (in the function, then the module). Variable
        names are followed, not read: renaming them changes nothing."""
        local: dict[str, list[ast.expr]] = {}
        for node in self.syntax.body_nodes(fn) if fn is not None else ():
            value, targets = _binding(node)
            if value is not None:
                for target in targets:
                    local.setdefault(target, []).append(value)
        module = self._module_binding_map
        out: set[str] = set()
        seen: set[str] = set()
        todo = [key]
        while todo:
            for sub in ast.walk(todo.pop()):
                if isinstance(sub, ast.Name) and sub.id not in seen:
                    seen.add(sub.id)
                    todo += local.get(sub.id, []) or module.get(sub.id, [])
                elif isinstance(sub, ast.Attribute):
                    out.add(sub.attr)
                elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    out.add(sub.value)
        return out

    def _argument_evidence(self, fn: FunctionNode) -> set[str]:
        """What the arguments of a memoised function are built from, at its calls in this file, and
        what its parameters select (`registry.get(version)`: a parameter that picks the model).
        With no call in the file, the parameters' names (the callers are elsewhere)."""
        params = [a.arg for a in _params_of(fn) if a.arg not in ("self", "cls")]
        out: set[str] = set()
        calls = [c for c in self.module.calls if c.callee is not None and c.callee.node is fn]
        for call in calls:
            caller = self.enclosing(call.node)
            for arg in [*call.node.args, *(k.value for k in call.node.keywords)]:
                out |= self._key_names(caller, arg)
        for node in self.own_nodes(fn):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("get", "load", "__getitem__") \
                    and any(isinstance(a, ast.Name) and a.id in params for a in node.args) \
                    and self._selects_model(node, fn):
                out.add("version")  # the key picks the model
        return out | (set(params) if not calls else set())

    def _selects_model(self, call: ast.Call, fn: FunctionNode) -> bool:
        """The looked-up value is then used to predict (`registry.get(v).predict_proba(...)`)."""
        for node in self.own_nodes(fn):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in PREDICT_METHODS:
                receiver = node.func.value
                if receiver is call or any(sub is call for sub in ast.walk(receiver)):
                    return True
                if isinstance(receiver, (ast.Name, ast.Subscript)):
                    root = receiver.value if isinstance(receiver, ast.Subscript) else receiver
                    if isinstance(root, ast.Name) and self._assigned_value(fn, root) is not None \
                            and any(sub is call for sub in ast.walk(self._assigned_value(fn, root))):
                        return True
        return False

    def _memoised(self, name: str) -> bool:
        """A dict used as a memo: some function looks a key up in it (`k in d`, `d.get(k)`) and stores
        into it (`d[k] = ...`)."""
        for fn in self.functions:
            looks = stores = False
            for node in self.syntax.body_nodes(fn):
                if isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops) \
                        and any(_dotted(c) == name for c in node.comparators):
                    looks = True
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                        and node.func.attr in ("get", "setdefault") and _dotted(node.func.value) == name:
                    looks = True
                elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Subscript) and _dotted(t.value) == name
                                                          for t in node.targets):
                    stores = True
            if looks and stores:
                return True
        return False

    @cached_property
    def properties(self) -> dict[str, set[str]]:
        """Top-level classes and the names of their `@property` methods."""
        out = {}
        for node in self.module.tree.body:
            if isinstance(node, ast.ClassDef):
                names = {f.name for f in node.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                         and "property" in _decorator_names(f)}
                if names:
                    out[node.name] = names
        return out

    @cached_property
    def column_writes(self) -> dict[int, list]:
        """The module's column writes by enclosing function (id), in line order."""
        out: dict[int, list] = {}
        for write in sorted(self.module.flow.column_writes, key=lambda w: w.line):
            fn = self.enclosing(write.node)
            out.setdefault(id(fn) if fn is not None else 0, []).append(write)
        return out

    @cached_property
    def sql_constants(self) -> set[str]:
        """Module-level names bound to a SQL query string."""
        return {name for name, value in self._module_bindings()
                if isinstance(value, ast.Constant) and isinstance(value.value, str) and SQL_START.match(value.value)}

    @staticmethod
    def key_has_version(cache: PredictionCache) -> bool:
        return any(_versionish(n) for n in cache.key_names)


# ---------------------------------------------------------------------- helpers
def _schema_class(node: ast.ClassDef) -> bool:
    """A class with a base (pydantic, marshmallow, TypedDict...) or a dataclass decorator, as
    `Inference.schema_classes` reads it, for a top-level class."""
    bases = {last(_dotted(b)) for b in node.bases}
    decos = {last(_dotted(d.func if isinstance(d, ast.Call) else d)) for d in node.decorator_list}
    return bool(bases - {"object", "Exception", "ABC"} or decos & {"dataclass", "define", "attrs"})


def _params_of(fn: FunctionNode) -> list[ast.arg]:
    return [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]


def _methods_kw(deco: ast.Call) -> list[str]:
    for kw in deco.keywords:
        if kw.arg == "methods" and isinstance(kw.value, (ast.List, ast.Tuple, ast.Set)):
            return [str(e.value).upper() for e in kw.value.elts if isinstance(e, ast.Constant)]
    return ["GET"]


def _view_methods(fn: FunctionNode, imports) -> list[str]:
    names = _decorator_names(fn, imports)
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
    return _dotted(target) if isinstance(target, (ast.Name, ast.Attribute)) else ""


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
    return any(isinstance(s, ast.Call) and last(_dotted(s.func)) == "exp" for s in ast.walk(node))


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
    while isinstance(value, ast.Call) and last(_dotted(value.func)) in ("round", "float", "int") and value.args:
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
    return _dotted(target) if isinstance(target, (ast.Name, ast.Attribute)) else ""


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


def _outermost(syn: Syntax, steps: list[Step]) -> list[Step]:
    """Drop steps nested inside another step (the sigmoid inside `max(0.05, min(0.95, sigmoid))`
    is reported once, as the outer expression's statement)."""
    by_id = {id(s.node): s for s in steps}
    out = []
    for step in steps:
        outer = [by_id[id(a)] for a in syn.ancestors(step.node) if id(a) in by_id]
        if outer:
            outer[-1].parts.append(step.kind)
        else:
            step.parts.insert(0, step.kind)
            out.append(step)
    return out


def module_name(rel: str) -> str:
    """`app/ml/pipeline.py` -> `app.ml.pipeline` (`__init__` names its package)."""
    path = PurePosixPath(rel)
    parts = list(path.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


# ---------------------------------------------------------------------- per-file facts (cached, JSON-able)
DB_LIBRARIES = ("sqlalchemy", "psycopg2", "psycopg", "asyncpg", "sqlite3", "pymysql", "pymongo", "databases",
                "redis", "motor", "sqlmodel", "peewee", "django.db")
# A payload key that holds many items: `lead_ids`, `records`, `claims`, `items`, `batch`.
BATCH_KEY = re.compile(r"(ids|s|batch|list)$", re.I)
APP_CTORS = {"FastAPI", "Flask", "Application", "APIRouter", "Blueprint", "Starlette", "Quart", "Sanic", "Litestar", "Router"}
FEATURE_NAME = re.compile(r"feature|transform|prepare|preprocess|engineer|encode", re.I)


def service_facts(module: ModuleAnalysis) -> dict | None:
    """What the project-level serving rules and the audit report need from one file: the apps and
    routes (parameters, request shape, returned keys), schemas, functions with their calls and
    what they do (query, features, predict, calibrate), caches, and probability post-processing."""
    full = applies(module)
    functions = full or module.role == "feature" or module.imports.uses(*DB_LIBRARIES) or bool(sql_strings(module))
    if not (functions or module.imports.uses("pydantic")):
        return None
    facts = serving(module)
    if not full:  # a feature, database or schema module on the request path: its functions and schemas only
        return {"framework": None, "apps": [], "routes": [], "caches": [], "calibration": [], "confidence": [],
                "schemas": _schemas(facts),
                "functions": {_qualname(facts, fn): _function_facts(facts, fn) for fn in facts.functions}
                if functions else {}}
    return {
        "framework": facts.framework,
        "apps": _apps(module),
        "routes": [_route_facts(facts, r) for r in facts.routes],
        "schemas": _schemas(facts),
        "functions": {_qualname(facts, fn): _function_facts(facts, fn) for fn in facts.functions},
        "caches": [{"line": c.line, "function": c.function.name, "spelled": c.spelled,
                    "versioned": Serving.key_has_version(c)} for c in facts.prediction_caches],
        "calibration": [{**_quote(facts, s), "parts": list(dict.fromkeys(s.parts))} for s in facts.calibration_steps],
        "confidence": [{**_quote(facts, s), "target": s.target} for s in facts.confidence_scores],
    }


def _schemas(facts: Serving) -> dict:
    return {name: {"line": node.lineno, "fields": fields} for name, (node, fields) in facts.schemas.items()}


def _quote(facts: Serving, step: Step) -> dict:
    """The statement holding a step, as source lines to quote."""
    stmt = next((a for a in [step.node, *facts.syntax.ancestors(step.node)] if isinstance(a, ast.stmt)), step.node)
    start, end = stmt.lineno, stmt.end_lineno or stmt.lineno
    return {"line": start, "end_line": end, "function": step.function.name if step.function else "",
            "source": "\n".join(facts.module.line_text(i) for i in range(start, end + 1))}


def _apps(module: ModuleAnalysis) -> list[dict]:
    out = []
    for call in module.calls:
        if call.method is None and call.short in APP_CTORS and call.qualname:
            out.append({"line": call.line, "kind": call.short})
    return out


def _qualname(facts: Serving, fn: FunctionNode) -> str:
    outer = [a.name for a in facts.syntax.ancestors(fn) if isinstance(a, (ast.ClassDef, ast.FunctionDef,
                                                                          ast.AsyncFunctionDef))]
    return ".".join([*reversed(outer), fn.name])


def _route_facts(facts: Serving, route: Route) -> dict:
    returns = [{"line": d.lineno, "keys": [k.value for k in d.keys if isinstance(k, ast.Constant)]}
               for d in facts.returned_dicts(route.function)]
    return {
        "function": _qualname(facts, route.function), "line": route.line, "path": route.path, "methods": route.methods,
        "params": [{"name": p.name, "annotation": p.annotation, "kind": p.kind, "body": p.body, "line": p.node.lineno}
                   for p in route.params],
        "body_reads": [{"line": n.lineno, "text": ast.unparse(n)} for n in route.body_reads],
        "shape": request_shape(facts, route),
        "jobs": sorted({c.method or last(c.spelled or c.name) for f in facts.reach(route.function)
                        for c in facts.calls_in(f) if facts.is_prediction_call(c)}),
        "predicts": not route.is_health and facts.predicts(route.function),
        "response_model": _response_model(route),
        "health": route.is_health,
        "returns": returns,
    }


def _response_model(route: Route) -> str | None:
    for deco in route.function.decorator_list:
        if isinstance(deco, ast.Call):
            for kw in deco.keywords:
                if kw.arg == "response_model":
                    return last(_dotted(kw.value))
    ann = route.function.returns
    name = last(_dotted(ann)) if ann is not None else ""
    return name if name[:1].isupper() and name not in ("Response", "JSONResponse", "Dict", "Any") else None


def request_shape(facts: Serving, route: Route) -> dict | None:
    """The body a route takes: {'kind': 'array'|'object'|'none', 'fields': [...], 'text': ...}."""
    body = [p for p in route.params if p.body]
    if body:
        param = body[0]
        if param.kind == "schema":
            imports = facts.module.imports
            unwrapped = unwrap_annotation(param.node.annotation, imports)
            name = last(_dotted(element_type(unwrapped, imports) or unwrapped or param.node))
            fields = [f[0] for f in facts.schemas.get(name, (None, []))[1]]
            kind = "array" if element_type(unwrapped, imports) is not None else "object"
            lists = [f for f in facts.schemas.get(name, (None, []))[1] if re.match(r"(typing\.)?(list|List|Sequence|"
                                                                                   r"tuple|Tuple|set|Set)\b", f[1])]
            return {"kind": kind, "fields": fields, "text": f"{param.name}: {param.annotation}",
                    "batch": kind == "array" or bool(lists)}
        is_list = element_type(unwrap_annotation(param.node.annotation, facts.module.imports), facts.module.imports) is not None \
            or param.annotation.lower() == "list"
        if is_list:
            return {"kind": "array", "fields": [], "text": f"{param.name}: {param.annotation}", "batch": True}
        keys = _keys_read(facts, route.function, {param.name})
        return {"kind": "object", "fields": keys, "text": f"{param.name}: {param.annotation or 'Body'}",
                "batch": any(BATCH_KEY.search(k) for k in keys)}
    if route.body_reads:
        read = route.body_reads[0]
        parent = facts.syntax.parent.get(id(read))
        names = {t.id for t in parent.targets if isinstance(t, ast.Name)} if isinstance(parent, ast.Assign) else set()
        kind = "array" if _iterated(facts, route.function, names) else "object"
        keys = _keys_read(facts, route.function, names)
        return {"kind": kind, "fields": keys, "text": ast.unparse(read),
                "batch": kind == "array" or any(BATCH_KEY.search(k) for k in keys)}
    return None


def _iterated(facts: Serving, fn: FunctionNode, names: set[str]) -> bool:
    """The payload itself is looped over (`for item in payload`): the body is an array."""
    return any(isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)) and isinstance(node.iter, ast.Name)
               and node.iter.id in names for node in facts.own_nodes(fn))


def _keys_read(facts: Serving, fn: FunctionNode, names: set[str]) -> list[str]:
    """String keys read from a payload variable: `payload["k"]`, `payload.get("k")`."""
    keys = []
    for node in facts.own_nodes(fn):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in names \
                and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            keys.append(node.slice.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                and isinstance(node.func.value, ast.Name) and node.func.value.id in names and node.args \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            keys.append(node.args[0].value)
    return list(dict.fromkeys(keys))


def _function_facts(facts: Serving, fn: FunctionNode) -> dict:
    calls = []
    for call in sorted(facts.calls_in(fn), key=lambda c: (c.line, c.node.col_offset)):
        target = _call_target(facts, call)
        if target:
            calls.append({"target": target, "line": call.line, "text": ast.unparse(call.node.func)})
    calls += _property_reads(facts, fn)
    tags = _tags(facts, fn)
    out = {"line": fn.lineno, "end_line": fn.end_lineno or fn.lineno, "calls": calls, "tags": tags,
           "returns": [{"line": d.lineno, "keys": [k.value for k in d.keys if isinstance(k, ast.Constant)]}
                       for d in facts.returned_dicts(fn)]}
    if "query" in tags:
        out["tables"] = _query_tables(facts, fn)
    return out


def _property_reads(facts: Serving, fn: FunctionNode) -> list[dict]:
    """`self.bundle` where `bundle` is a `@property` of the class: a call in all but syntax."""
    if not facts.properties:
        return []
    cls = next((a for a in facts.syntax.ancestors(fn) if isinstance(a, ast.ClassDef)), None)
    properties = facts.properties.get(cls.name, set()) if cls is not None else set()
    if not properties:
        return []
    return [{"target": f"local:{cls.name}.{n.attr}", "line": n.lineno, "text": ast.unparse(n)}
            for n in facts.own_nodes(fn) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
            and n.value.id == "self" and n.attr in properties and isinstance(n.ctx, ast.Load)]


def _call_target(facts: Serving, call: CallSite) -> str | None:
    """Where a call goes, for the project's call graph: `local:Class.method` for this module,
    a qualified name for an imported function, `method:name` for a method on an unknown object."""
    if call.callee is not None:
        return f"local:{call.callee.qualname}"
    if call.method is None and call.qualname:
        return call.qualname
    if call.method is not None:
        receiver = call.receiver
        if receiver is not None and receiver.ctor:
            ctor = receiver.ctor
            return f"local:{ctor}.{call.method}" if ctor in facts.module.flow.classes else f"{ctor}.{call.method}"
        return f"method:{call.method}"
    return None


def _tags(facts: Serving, fn: FunctionNode) -> dict[str, int]:
    """What the function does, each with the line that shows it: 'route', 'query' (runs SQL or a
    database call), 'features' (writes feature columns), 'model' (applies the model), 'load',
    'calibration', 'confidence', 'cache'."""
    tags: dict[str, int] = {}
    calls = sorted(facts.calls_in(fn), key=lambda c: c.line)
    if any(r.function is fn for r in facts.routes):
        tags["route"] = fn.lineno
    sql = [n for n in facts.syntax.body_nodes(fn) if isinstance(n, ast.Name) and n.id in facts.sql_constants] \
        if facts.sql_constants else []
    db = [c for c in calls if (c.method or c.short) in DB_METHODS]
    if sql or db:
        tags["query"] = min([n.lineno for n in sql] + [c.line for c in db])
    writes = facts.column_writes.get(id(fn), [])
    if len(writes) >= 2 or FEATURE_NAME.search(fn.name) and writes:
        tags["features"] = writes[0].line
    model = [c for c in calls if c.method in ("predict", "predict_proba", "predict_log_proba", "decision_function")]
    if model:
        tags["model"] = model[0].line
    loads = [load.line for load in facts.inference.loads if load.function is fn]
    if loads:
        tags["load"] = min(loads)
    for tag, steps in (("calibration", facts.calibration_steps), ("confidence", facts.confidence_scores)):
        lines = [s.line for s in steps if s.function is fn]
        if lines:
            tags[tag] = min(lines)
    if set(_decorator_names(fn, facts.module.imports)) & CACHE_DECORATORS:
        tags["cache"] = fn.decorator_list[0].lineno
    return tags


def _query_tables(facts: Serving, fn: FunctionNode) -> list[str]:
    """Tables named in the FROM/JOIN clauses of the queries the function runs."""
    texts = [value.value for name, value in facts._module_bindings() if name in facts.sql_constants
             and any(isinstance(n, ast.Name) and n.id == name for n in facts.syntax.body_nodes(fn))]
    return sorted({t for text in texts for t in tables(text)})


def sql_strings(module: ModuleAnalysis) -> list[ast.Constant]:
    """String constants that hold a query (start with SELECT or WITH)."""
    return [c for c in module.flow.strings if SQL_START.match(c.value)]
