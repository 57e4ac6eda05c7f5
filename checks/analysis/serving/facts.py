"""The per-file serving facts the project rules and the audit read (cached, JSON-able)."""
from __future__ import annotations

import ast
import re

from wicked_data.checks.analysis.flowtypes import CallSite
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.names import last
from wicked_data.checks.analysis.loads import unsafe_load
from wicked_data.checks.analysis.production import inference
from wicked_data.checks.analysis.serving.base import CACHE_DECORATORS, DB_METHODS, SQL_START, element_type, unwrap_annotation
from wicked_data.checks.analysis.serving.core import Route, Serving, applies, serving
from wicked_data.checks.analysis.serving.scores import Step
from wicked_data.checks.analysis.sql import tables
from wicked_data.checks.analysis.syntax import FunctionNode, chain_name, decorator_names, dependencies, under_unset_check

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
    # a helper module that deserialises artifacts (`load_object(path)`) is on the request path when a
    # route calls it: its loading functions only
    loaders = set() if functions or not any(unsafe_load(c) is not None for c in module.calls) \
        else {id(load.function) for load in inference(module).loads if load.function is not None}
    if not (functions or loaders or module.imports.uses("pydantic")):
        return None
    facts = serving(module)
    if not full:  # a feature, database or schema module on the request path: its functions and schemas only
        return {"framework": None, "apps": [], "routes": [], "caches": [], "calibration": [], "confidence": [],
                "schemas": _schemas(facts), "queries": _queries(facts), "errors": [],
                "functions": {_qualname(facts, fn): _function_facts(facts, fn) for fn in facts.functions
                              if functions or id(fn) in loaders}}
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
        "queries": _queries(facts),
        "errors": _error_responses(facts),
    }


# SQL that reads the database server's clock: a row's value then depends on when the query runs.
SQL_CLOCK = re.compile(r"\b(?:NOW\s*\(|CURRENT_DATE\b|CURRENT_TIMESTAMP\b|GETDATE\s*\(|SYSDATE\b|LOCALTIMESTAMP\b)", re.I)
SQL_BIND = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)|%\(([A-Za-z_]\w*)\)s|(?<![\w$])\$(\d+)|\?")


def _queries(facts: Serving) -> list[dict]:
    """The module's SQL queries held as constants: where, the tables read, whether the text reads the
    server's clock, its bound parameters, and the clauses that bound the result (LIMIT, ORDER BY)."""
    out = []
    for stmt in facts.module.tree.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            continue
        name, value = stmt.targets[0].id, stmt.value
        if name not in facts.sql_constants or not isinstance(value, ast.Constant):
            continue
        text = value.value
        binds = sorted({next(g for g in m.groups() if g) if any(m.groups()) else "?" for m in SQL_BIND.finditer(text)})
        out.append({"name": name, "line": stmt.lineno, "end_line": stmt.end_lineno or stmt.lineno, "tables": tables(text), "clock": bool(SQL_CLOCK.search(text)),
                    "params": binds, "limit": bool(re.search(r"\bLIMIT\b|\bFETCH\s+FIRST\b|\bTOP\s+\d", text, re.I)),
                    "order": bool(re.search(r"\bORDER\s+BY\b", text, re.I)),
                    "where": bool(re.search(r"\bWHERE\b", text, re.I))})
    return out


# Calls that answer a request with an error status (by the name they were imported under):
# FastAPI/Starlette, Flask/Werkzeug, Django REST framework.
ERROR_CALLS = {
    "fastapi.HTTPException", "fastapi.exceptions.HTTPException", "starlette.exceptions.HTTPException",
    "fastapi.responses.JSONResponse", "starlette.responses.JSONResponse", "fastapi.Response",
    "fastapi.responses.Response", "starlette.responses.Response", "flask.abort", "werkzeug.exceptions.abort",
    "flask.make_response", "flask.Response", "rest_framework.response.Response",
}


def _error_responses(facts: Serving) -> list[dict]:
    """The error answers a service gives: `raise HTTPException(status_code=422, detail=...)`,
    `abort(400, ...)`, `JSONResponse(status_code=500, content=...)`; status and what the body holds."""
    out = []
    imports = facts.module.imports
    for node in ast.walk(facts.module.tree):  # (a `raise`d exception is built in a statement the flow skips)
        resolved = imports.resolve(node.func) if isinstance(node, ast.Call) else None
        if resolved not in ERROR_CALLS:
            continue
        short = last(resolved)
        keywords = {kw.arg: kw.value for kw in node.keywords if kw.arg}
        status = keywords.get("status_code") or keywords.get("status") or \
            (node.args[0] if short in ("abort", "HTTPException") and node.args else None)
        if not (isinstance(status, ast.Constant) and isinstance(status.value, int) and status.value >= 400):
            continue
        body = keywords.get("detail") or keywords.get("content") or keywords.get("description") or \
            (node.args[1] if len(node.args) > 1 else None)
        out.append({"line": node.lineno, "status": status.value, "call": short,
                    "body": ast.unparse(body)[:160] if body is not None else None})
    return sorted(out, key=lambda e: e["line"])


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
                    return last(chain_name(kw.value))
    ann = route.function.returns
    name = last(chain_name(ann)) if ann is not None else ""
    return name if name[:1].isupper() and name not in ("Response", "JSONResponse", "Dict", "Any") else None


def request_shape(facts: Serving, route: Route) -> dict | None:
    """The body a route takes: {'kind': 'array'|'object'|'none', 'fields': [...], 'text': ...}."""
    body = [p for p in route.params if p.body]
    if body:
        param = body[0]
        if param.kind == "schema":
            imports = facts.module.imports
            unwrapped = unwrap_annotation(param.node.annotation, imports)
            name = last(chain_name(element_type(unwrapped, imports) or unwrapped or param.node))
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
            calls.append({"target": target, "line": call.line, "text": ast.unparse(call.node.func),
                          "guarded": _in_try(facts, call.node), "once": _under_none_check(facts, call.node)})
    calls += _property_reads(facts, fn)
    calls += _dependency_calls(facts, fn)
    tags = _tags(facts, fn)
    out = {"line": fn.lineno, "end_line": fn.end_lineno or fn.lineno, "calls": calls, "tags": tags,
           "returns": [{"line": d.lineno, "keys": [k.value for k in d.keys if isinstance(k, ast.Constant)]}
                       for d in facts.returned_dicts(fn)]}
    if "query" in tags:
        out["tables"] = _query_tables(facts, fn)
    return out


def _in_try(facts: Serving, node: ast.AST) -> bool:
    """The call sits in the body of a `try` that catches errors (not in its handlers or `finally`)."""
    child = node
    for parent in facts.syntax.ancestors(node):
        if isinstance(parent, ast.Try) and parent.handlers and any(child is stmt for stmt in parent.body):
            return True
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return False
        child = parent
    return False


def _under_none_check(facts: Serving, node: ast.AST) -> bool:
    return under_unset_check(facts.syntax, node)


def _dependency_calls(facts: Serving, fn: FunctionNode) -> list[dict]:
    """`bundle=Depends(load_bundle)`: FastAPI calls `load_bundle` before every call of `fn`."""
    out = []
    imports = facts.module.imports
    for arg, target in dependencies(fn, imports):
        if not isinstance(target, (ast.Name, ast.Attribute)):
            continue
        local = facts.module.flow.functions.get(target.id) if isinstance(target, ast.Name) else None
        name = f"local:{local.qualname}" if local is not None else imports.resolve(target)
        if name:
            out.append({"target": name, "line": arg.lineno, "text": ast.unparse(target), "guarded": False,
                        "once": False})
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
    loads = [load for load in facts.inference.loads if load.function is fn]
    if loads:
        tags["load"] = min(load.line for load in loads)
    each_call = [load.line for load in loads if load.placement == "call"]
    if each_call:  # loads again whenever it is called (not cached, not at startup)
        tags["load_each_call"] = min(each_call)
    for tag, steps in (("calibration", facts.calibration_steps), ("confidence", facts.confidence_scores)):
        lines = [s.line for s in steps if s.function is fn]
        if lines:
            tags[tag] = min(lines)
    if set(decorator_names(fn, facts.module.imports)) & CACHE_DECORATORS:
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

