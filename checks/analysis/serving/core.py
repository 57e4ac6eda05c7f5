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
import re
from dataclasses import dataclass
from functools import cached_property

from wicked_data.checks.analysis.entries import RAW_ANNOTATIONS
from wicked_data.checks.analysis.featureprint import number
from wicked_data.checks.analysis.flowtypes import CallSite
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.names import last
from wicked_data.checks.analysis.production import Inference, inference, is_route
from wicked_data.checks.analysis.serving.base import (
    DJANGO_REQUEST_ATTRS,
    DJANGO_VIEW_DECORATORS,
    HEALTH_WORDS,
    METRIC_SUFFIXES,
    PREDICTION_CALL,
    PROBA_PARAM,
    REQUEST_PROXIES,
    REQUEST_TYPES,
    SERVING_LIBRARIES,
    WEB_FRAMEWORKS,
    _annotated_request,
    _called,
    _dicts_of,
    _first_param,
    _methods_kw,
    _params_of,
    _reports_status,
    _schema_class,
    _view_methods,
    element_type,
    unwrap_annotation,
)
from wicked_data.checks.analysis.serving.scores import ScoreFacts
from wicked_data.checks.analysis.serving.state import StateFacts
from wicked_data.checks.analysis.syntax import FunctionNode, Syntax, arg_dependencies, decorator_names, resolved_last, syntax


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
    kind: str  # 'schema' | 'scalar' | 'raw' | 'request' | 'dependency' | 'upload' (a multipart file)
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



class Serving(ScoreFacts, StateFacts):
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
    def field_floors(self) -> dict[str, tuple[float, bool]]:
        """The lower bound each schema field of the module declares, as (bound, strict): pydantic's
        `Field(ge=0)` / `Field(gt=0)` (also inside `Annotated[...]`), `conint`/`confloat(ge=...)`,
        the `PositiveInt`/`NonNegativeFloat` types, marshmallow's `validate=Range(min=0)`. A field
        declared in another module is not seen."""
        out: dict[str, tuple[float, bool]] = {}
        for cls, _fields in self.schemas.values():
            for stmt in cls.body:
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                    name, parts = stmt.target.id, [stmt.annotation, stmt.value]
                elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                    name, parts = stmt.targets[0].id, [stmt.value]
                else:
                    continue
                floor = _floor(parts)
                if floor is not None:
                    out[name] = floor
        return out

    def declared_floor(self, node: ast.AST) -> tuple[float, bool] | None:
        """The lower bound the module's request schema declares for the one field `node` reads
        (`row["amount"]`, `req.amount`, `float(req.amount)`): (bound, strict), or None."""
        if not self.field_floors:
            return None
        for _ in range(3):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "astype":
                node = node.func.value
            elif isinstance(node, ast.Call) and len(node.args) == 1 and isinstance(node.func, ast.Name) \
                    and node.func.id in ("float", "int"):
                node = node.args[0]
        key = node.slice.value if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
            else node.attr if isinstance(node, ast.Attribute) else None
        return self.field_floors.get(key) if isinstance(key, str) else None

    def above_zero(self, node: ast.AST) -> bool:
        """The request schema keeps the field `node` reads above zero (`Field(gt=0)`, `ge=1`)."""
        floor = self.declared_floor(node)
        return floor is not None and (floor[0] > 0 or floor[0] == 0 and floor[1])

    @cached_property
    def routes(self) -> list[Route]:
        out = []
        registered = self._registered_handlers()
        for fn in self.functions:
            decos = [d for d in fn.decorator_list if is_route(d)]
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
        if set(decorator_names(fn, self.module.imports)) & DJANGO_VIEW_DECORATORS:
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
        if arg_dependencies(arg, default, imports):
            return Param(arg, text, "dependency", False)
        inner = unwrap_annotation(ann, imports)
        head = resolved_last(inner.value if isinstance(inner, ast.Subscript) else inner, imports) if inner is not None else ""
        if head in REQUEST_TYPES:
            return Param(arg, text, "request", False)
        element = element_type(inner, imports)
        element_name = resolved_last(element, imports) if element is not None else ""
        if default_name in ("File", "Form", "Query", "Path", "Header", "Cookie") \
                or head == "UploadFile" or element_name == "UploadFile":
            # a multipart upload or form field, a query string: FastAPI types and requires it; not a JSON body
            return Param(arg, text, "upload" if "UploadFile" in (head, element_name) or default_name == "File"
                         else "scalar", False)
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


_POSITIVE_TYPES = {"PositiveInt": (0.0, True), "PositiveFloat": (0.0, True), "NonNegativeInt": (0.0, False),
                   "NonNegativeFloat": (0.0, False)}


def _floor(parts: list[ast.AST | None]) -> tuple[float, bool] | None:
    """The tightest lower bound among a field's annotation and default (see `Serving.field_floors`)."""
    found: list[tuple[float, bool]] = []
    for part in parts:
        if part is None:
            continue
        for node in ast.walk(part):
            if isinstance(node, (ast.Name, ast.Attribute)):
                named = _POSITIVE_TYPES.get(node.id if isinstance(node, ast.Name) else node.attr)
                if named:
                    found.append(named)
            if not isinstance(node, ast.Call):
                continue
            for kw in node.keywords:
                bound = number(kw.value)
                if bound is None:
                    continue
                if kw.arg in ("ge", "gt"):
                    found.append((bound, kw.arg == "gt"))
                elif kw.arg in ("min", "min_value") and last(ast.unparse(node.func)) == "Range":
                    strict = any(k.arg == "min_inclusive" and isinstance(k.value, ast.Constant) and k.value.value is False
                                 for k in node.keywords)
                    found.append((bound, strict))
    return max(found) if found else None

