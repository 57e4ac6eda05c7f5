"""Production facts about one module: where models are loaded and saved, which functions serve
predictions, what guards them, and which literals name files.

The ML4xx rules ask the same questions of a serving file (is this load per request? does caller
data reach the model unvalidated? is the predict call inside error handling?), so the answers are
computed once per module here, from the flow facts (`flow.py`) and the syntax tree:

- `syntax(module)`: parent links, the function enclosing each node, `__main__` guards;
- `inference(module)`: the model loads and their placement (import time, startup, per request),
  the predictions made with a model that was not fitted here, and the inference entry points
  (route handlers, functions handed a caller's record, command lines parsing a record) with the
  caller data that reaches their model;
- `path_literals(module)`: string literals (and `Path.home()`) used as file or directory paths,
  absolute or relative, with whether configuration (environment, argparse, settings) supplies them.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import cached_property

from checks.analysis import vocab
from checks.analysis.flowtypes import CallSite, Val
from checks.analysis.loads import unsafe_load
from checks.analysis.module import ModuleAnalysis
from checks.analysis.names import last
from checks.analysis.syntax import FunctionNode, Syntax, chain_name, decorator_names, syntax

# ---------------------------------------------------------------------- vocabulary
# Calls whose result is data read from storage: caller data stops there (it is a file, not a request).
READERS = re.compile(r"^(read_\w+|open|load|loads?_\w+|fetch\w*|query|execute|scan_\w+)$")
# Readers that look rows up by what the caller passes (`db.fetch_lead_rows(lead_ids)`): the caller
# picks the rows scored, a service keyed by id. A function that also stores results is a batch job.
KEYED_READERS = re.compile(r"^(fetch\w*|query|execute)$")
WRITERS = re.compile(r"^(to_(sql|csv|parquet|json|excel|feather|pickle)|write\w*|dump|save\w*|insert\w*|upload\w*|"
                     r"put_object|executemany|bulk_\w+)$")
ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "route", "api_route", "websocket"}
STARTUP_NAMES = re.compile(r"^(lifespan|startup|on_startup|create_app|make_app|build_app|init_app|app_factory|"
                           r"setup|init|initialize|initialise|warm_?up|preload\w*)$")
CACHE_DECORATORS = {"lru_cache", "cache", "cached_property", "cache_resource", "cached", "memoize",
                    "singleton", "experimental_singleton"}
STARTUP_DECORATORS = {"asynccontextmanager", "contextmanager", "before_first_request", "before_serving",
                      "on_startup", "startup"}
VALIDATOR = re.compile(r"(^|_)(valid\w*|check\w*|schema\w*|parse(?!_args)\w*|sanitis\w*|sanitiz\w*|verify\w*|"
                       r"conform\w*|coerce\w*|model_validate\w*|parse_obj|assert_\w+)($|_)", re.I)
RAW_ANNOTATIONS = {"dict", "Dict", "list", "List", "Any", "Request", "object", "Mapping", "MutableMapping",
                   "bytes", "Json", "JSONType", "Body", "Sequence"}
INTEGRITY = re.compile(r"checksum|verif|sha\d*|digest|signature|integrity|hmac|md5", re.I)
# ---------------------------------------------------------------------- inference facts
@dataclass(eq=False)
class Load:
    """A model deserialised from storage."""

    call: CallSite
    unsafe: bool  # the format runs code on load (pickle, joblib, torch without weights_only)
    function: FunctionNode | None
    placement: str = "call"  # 'import' | 'main' | 'startup' | 'cached' | 'request' | 'call'

    @property
    def line(self) -> int:
        return self.call.line


@dataclass(eq=False)
class Prediction:
    """A model applied to data at inference: `model.predict(X)`, `net(x)` on a loaded network."""

    node: ast.Call
    model: Val | None
    inputs: list[Val]
    function: FunctionNode | None

    @property
    def line(self) -> int:
        return self.node.lineno


@dataclass(eq=False)
class Origin:
    """Where caller data enters: a parameter, a request read, a command-line argument."""

    kind: str  # 'param' | 'request' | 'cli'
    node: ast.AST  # the parameter (ast.arg) or the expression reading the request/arguments
    function: FunctionNode | None
    validated: bool  # on its way to the model it went through a validator
    names: frozenset[str]  # variable names it travelled through (for explicit checks)
    val: Val | None = None
    keyed: bool = False  # it only selects stored rows (`fetch_rows(lead_ids)`): a key, not the model's input

    @property
    def line(self) -> int:
        return self.node.lineno


@dataclass(eq=False)
class Entry:
    """An inference entry point: where a caller hands data that ends up in the model."""

    function: FunctionNode | None
    kind: str  # 'route' | 'function' | 'cli'
    predictions: list[Prediction]
    origins: list[Origin] = field(default_factory=list)
    reach: list[FunctionNode] = field(default_factory=list)  # the function and what it calls in the module

    @property
    def online(self) -> bool:
        """Serves one request or record at a time (a route or a scoring function), not a batch."""
        return self.kind in ("route", "function")

    @property
    def name(self) -> str:
        return self.function.name if self.function is not None else "<module>"


class Inference:
    """Loads, predictions and entry points of one module."""

    def __init__(self, module: ModuleAnalysis) -> None:
        self.module = module

    # The syntax facts cost a traversal of the whole tree: built only when a question needs them.
    @cached_property
    def syntax(self) -> Syntax:
        return syntax(self.module)

    @cached_property
    def fn_by_node(self) -> dict[int, FunctionNode]:
        return {id(f): f for f in self.syntax.functions}

    # ------------------------------------------------------------------ structure
    @cached_property
    def routes(self) -> list[FunctionNode]:
        return [f for f in self.syntax.functions if any(is_route(d) for d in f.decorator_list)]

    @cached_property
    def calls_in(self) -> dict[int, list[CallSite]]:
        """The calls made in each function's own body (key: id of the function node; 0: module level)."""
        out: dict[int, list[CallSite]] = {}
        for call in self.module.calls:
            fn = self.syntax.function_of(call.node)
            out.setdefault(id(fn) if fn is not None else 0, []).append(call)
        return out

    def callees(self, fn: FunctionNode) -> list[FunctionNode]:
        """Module functions that `fn` calls directly (methods through `self`, classes through `__init__`)."""
        out = []
        for call in self.calls_in.get(id(fn), []):
            if call.callee is not None and call.callee.node is not fn:
                out.append(call.callee.node)
            elif call.method is None and isinstance(call.node.func, ast.Name):
                nested = self._nested(fn, call.node.func.id)
                if nested is not None:
                    out.append(nested)
        return out

    def _nested(self, fn: FunctionNode, name: str) -> FunctionNode | None:
        for stmt in fn.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name:
                return stmt
        return None

    def reach(self, fn: FunctionNode, stop_cached: bool = False) -> list[FunctionNode]:
        """`fn` and every module function it calls, transitively."""
        seen: dict[int, FunctionNode] = {id(fn): fn}
        stack = [fn]
        while stack:
            for callee in self.callees(stack.pop()):
                if id(callee) in seen or (stop_cached and self.is_cached(callee)):
                    continue
                seen[id(callee)] = callee
                stack.append(callee)
        return list(seen.values())

    def callers(self, fn: FunctionNode) -> list[CallSite]:
        return [c for c in self.module.calls if c.callee is not None and c.callee.node is fn]

    def is_cached(self, fn: FunctionNode) -> bool:
        return bool(set(decorator_names(fn, self.module.imports)) & CACHE_DECORATORS)

    def is_startup(self, fn: FunctionNode) -> bool:
        """Runs once when the service starts: a startup hook, a lifespan, an app factory."""
        for deco in fn.decorator_list:
            if isinstance(deco, ast.Call) and last(chain_name(deco.func)) == "on_event" and deco.args \
                    and isinstance(deco.args[0], ast.Constant) and deco.args[0].value == "startup":
                return True
        if set(decorator_names(fn, self.module.imports)) & STARTUP_DECORATORS or STARTUP_NAMES.match(fn.name):
            return True
        if any(is_route(d) for d in fn.decorator_list):
            return False  # a route declared inside an app factory still runs per request
        return any(self.is_startup(outer) for outer in self._outer_functions(fn))

    def _outer_functions(self, fn: FunctionNode) -> list[FunctionNode]:
        return [a for a in self.syntax.ancestors(fn) if isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef))]

    # ------------------------------------------------------------------ loads
    @cached_property
    def loads(self) -> list[Load]:
        out = []
        for call in self.module.calls:
            unsafe = unsafe_load(call) if call.callee is None else None  # a helper of this module is not a loader
            if unsafe is None:
                continue
            out.append(Load(call, unsafe, self.syntax.function_of(call.node)))
        return out

    @cached_property
    def load_vals(self) -> set[int]:
        return {id(load.call.val) for load in self.loads if load.call.val is not None}

    def derives_from_load(self, val: Val | None) -> bool:
        return any(id(a) in self.load_vals for a in self.module.flow.ancestors(val, rows=True, values=True))

    # ------------------------------------------------------------------ predictions
    @cached_property
    def fitted_here(self) -> set[int]:
        """Vals of estimators fitted or constructed in this module: their predictions are evaluation."""
        out: set[int] = set()
        for fit in self.module.fits:
            for val in (fit.estimator, fit.call.val):
                if val is not None:
                    out.add(id(val))
        for call in self.module.calls:
            if call.val is not None and call.val.ctor and call.method is None and call.qualname \
                    and (vocab.is_estimator(call.val.ctor) or last(call.val.ctor).startswith("Dummy")):
                out.add(id(call.val))
        return out

    @cached_property
    def predictions(self) -> list[Prediction]:
        module = self.module
        out = []
        for call in module.calls:
            if call.method in vocab.PREDICT_METHODS or (call.method == "run" and self._is_session(call.receiver)):
                model = call.receiver
            elif call.method is None and isinstance(call.node.func, ast.Attribute) \
                    and call.node.func.attr in vocab.PREDICT_METHODS:
                model = None  # a model object imported from another module
            elif self._calls_loaded_network(call):
                model = None
            else:
                continue
            if model is not None and any(id(a) in self.fitted_here for a in module.flow.ancestors(model)):
                continue  # a model trained here: evaluation, not serving
            if call.val is not None and self._feeds(call.val):
                continue
            inputs = [a for a in [*call.args, *call.kwargs.values()] if a is not None]
            out.append(Prediction(call.node, model, inputs, self.syntax.function_of(call.node)))
        return out

    def _feeds(self, val: Val) -> bool:
        """Its output is scored by a metric against labels: an evaluation script, not serving.
        A one-argument `*_score()` (`confidence_score(p)`) post-processes a prediction."""
        for call in self.module.metric_calls:
            data = [a for a in [*call.args, *call.kwargs.values()] if a is not None]
            if len(data) < 2 and call.method != "score":
                continue
            for arg in data:
                if arg is not None and self.module.flow.derives_from(arg, val, rows=False):
                    return True
        return False

    def _is_session(self, val: Val | None) -> bool:
        return val is not None and any(a.call is not None and a.call.is_("onnxruntime.InferenceSession")
                                       for a in self.module.flow.ancestors(val))

    @cached_property
    def _networks(self) -> set[tuple[int, str]]:
        """(function id, name) of variables holding a loaded network: `net.load_state_dict(...)`,
        `net = torch.load(...)`."""
        out = set()
        for call in self.module.calls:
            node = call.node.func
            if call.method == "load_state_dict" and isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                fn = self.syntax.function_of(call.node)
                out.add((id(fn) if fn else 0, node.value.id))
        for name, val in self.module.flow.bindings:
            if val.call is not None and val.call.is_("torch.load", "torch.jit.load"):
                fn = self.syntax.function_of(val.call.node)
                out.add((id(fn) if fn else 0, name))
        return out

    def _calls_loaded_network(self, call: CallSite) -> bool:
        func = call.node.func
        if not isinstance(func, ast.Name) or not self._networks:
            return False
        fn = self.syntax.function_of(call.node)
        return (id(fn) if fn else 0, func.id) in self._networks or (0, func.id) in self._networks

    # ------------------------------------------------------------------ caller data
    def origins(self, prediction: Prediction) -> list[Origin]:
        """Where the data given to the model comes from, when a caller supplies it."""
        found: dict[tuple[int, bool], Origin] = {}
        start = [(v, False, frozenset(), None, False) for v in prediction.inputs]
        seen: set[tuple[int, bool]] = set()
        while start:
            val, validated, names, child, keyed = start.pop()
            key = (id(val), validated)
            if key in seen:
                continue
            seen.add(key)
            if val.name:
                names = names | {val.name}
            call = val.call
            if call is not None and child is not None and self._is_validator(call):
                validated = True
            origin = self._origin(val, child)
            if origin is not None:
                kind, node = origin
                if keyed and kind != "param":
                    continue
                fn = self.syntax.function_of(node) if kind != "param" else self._function_of_arg(node)
                found.setdefault((id(node), validated), Origin(kind, node, fn, validated, names, val, keyed))
                if kind != "param":
                    continue
            if call is not None and _is_reader(call):
                # data read from storage, not handed over by a caller; a lookup by key
                # (`db.fetch_lead_rows(lead_ids)`) still tells whose rows are scored
                if not keyed and KEYED_READERS.match(call.method or call.short or ""):
                    start += [(a, True, names, val, True) for a in [*call.args, *call.kwargs.values()] if a is not None]
                continue
            for parent in val.parents:
                start.append((parent, validated, names, val, keyed))
        # an origin reached both validated and not counts as unvalidated
        out: dict[int, Origin] = {}
        for (node_id, validated), origin in found.items():
            if node_id not in out or not validated:
                out[node_id] = origin
        return list(out.values())

    def _origin(self, val: Val, child: Val | None) -> tuple[str, ast.AST] | None:
        node = val.node
        if isinstance(node, ast.arg):
            return "param", node
        call = val.call
        if call is not None and (call.name or "").startswith(("flask.request.", "fastapi.Request", "starlette.requests")):
            return "request", call.node
        if isinstance(node, ast.Attribute) and (self.module.imports.resolve(node) or "").startswith("flask.request."):
            return "request", node
        if call is not None and call.method == "parse_args":
            return "cli", (child.node if child is not None and child.node is not None else call.node)
        if call is not None and (call.is_("input") and call.method is None or (call.qualname or "").startswith("sys.stdin")):
            return "cli", call.node
        if isinstance(node, ast.Subscript) and (self.module.imports.resolve(node.value) or "") == "sys.argv":
            return "cli", node
        return None

    def _function_of_arg(self, arg: ast.arg) -> FunctionNode | None:
        for anc in self.syntax.ancestors(arg):
            if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return anc
            if isinstance(anc, ast.Lambda):
                return None
        return None

    def _is_validator(self, call: CallSite) -> bool:
        if call.callee is not None:  # a function of this file: what it does, not what it is called
            return _rejects_bad_input(call.callee.node)
        if VALIDATOR.search(call.method or call.short or ""):  # a library's or another file's validator
            return True
        # `Order(**payload)`, `Order.model_validate(payload)` with a schema class of this module
        return call.short in self.schema_classes and call.method is None or (call.method in ("model_validate", "parse_obj", "validate", "load")
                                   and isinstance(call.node.func, ast.Attribute)
                                   and chain_name(call.node.func.value).split(".")[0] in self.schema_classes)

    @cached_property
    def schema_classes(self) -> set[str]:
        """Classes of the module that declare a schema (pydantic, marshmallow, dataclasses, TypedDict...)."""
        out = set()
        for node in syntax(self.module).nodes:
            if isinstance(node, ast.ClassDef):
                bases = {last(chain_name(b)) for b in node.bases}
                decos = {last(chain_name(d.func if isinstance(d, ast.Call) else d)) for d in node.decorator_list}
                if bases - {"object", "Exception", "ABC"} or decos & {"dataclass", "define", "attrs"}:
                    out.add(node.name)
        return out

    # ------------------------------------------------------------------ entry points
    @cached_property
    def entries(self) -> list[Entry]:
        """Route handlers that reach a prediction; functions whose own parameter (a caller's record)
        reaches the model and that no function of the module calls; command lines whose parsed
        arguments reach the model."""
        out: list[Entry] = []
        owned: set[int] = set()
        for route in self.routes:
            reach = self.reach(route)
            preds = self._predictions_in(reach, owned)
            if preds:
                out.append(Entry(route, "route", preds, reach=reach))
                owned |= {id(p) for p in preds}
        found: dict[int, Entry] = {}
        for pred in self.predictions:
            if id(pred) in owned:
                continue
            for origin in self.origins(pred):
                fn = origin.function
                key = id(fn) if fn is not None else 0
                if key in found:
                    continue
                if origin.kind == "param" and (fn is None or _model_param(origin.node) or self.is_startup(fn)
                                               or self._called_in_functions(fn)):
                    continue
                if origin.kind not in ("param", "cli") or origin.keyed and self._writes_output(fn):
                    continue  # keyed by a batch job that stores its scores
                kind = "function" if origin.kind == "param" else "cli"
                if fn is None:
                    preds = [p for p in self.predictions if p.function is None and id(p) not in owned]
                    found[key] = Entry(None, kind, preds)
                else:
                    reach = self.reach(fn)
                    found[key] = Entry(fn, kind, self._predictions_in(reach, owned), reach=reach)
        out += [e for e in found.values() if e.predictions]
        for entry in out:
            entry.origins = self._entry_origins(entry)
        return [e for e in out if e.kind == "route" or e.origins]

    def _writes_output(self, fn: FunctionNode | None) -> bool:
        """`fn` or what it calls writes results to storage: a batch job, not a service."""
        if fn is None:
            return True
        return any(WRITERS.match(call.method or call.short or "")
                   for f in self.reach(fn) for call in self.calls_in.get(id(f), []))

    def _predictions_in(self, functions: list[FunctionNode], owned: set[int]) -> list[Prediction]:
        ids = {id(f) for f in functions}
        return [p for p in self.predictions if p.function is not None and id(p.function) in ids and id(p) not in owned]

    def _called_in_functions(self, fn: FunctionNode) -> bool:
        """Called by another function of the module (a helper, not an entry point); calls from
        module-level code (`if __name__ == "__main__":`) do not count."""
        return any(self.syntax.function_of(c.node) is not None for c in self.callers(fn))

    def _entry_origins(self, entry: Entry) -> list[Origin]:
        ids = {id(f) for f in entry.reach} if entry.function is not None else {0}
        out: dict[int, Origin] = {}
        for pred in entry.predictions:
            for origin in self.origins(pred):
                if origin.kind == "param":
                    if origin.function is not entry.function or _model_param(origin.node):
                        continue
                elif (id(origin.function) if origin.function is not None else 0) not in ids:
                    continue
                if id(origin.node) not in out or not origin.validated:
                    out[id(origin.node)] = origin
        return list(out.values())

    def unvalidated(self, entry: Entry) -> list[Origin]:
        """The entry's caller data that reaches the model with no schema, type or range check. A
        batch job's own arguments (a run date, a threshold) are not caller data: its rows are read
        from storage."""
        origins = entry.origins
        if any(o.kind == "cli" for o in origins) and self._scores_stored_rows(entry):
            origins = [o for o in origins if o.kind != "cli"]
        return [o for o in origins if not self._validated(entry, o)]

    def _scores_stored_rows(self, entry: Entry) -> bool:
        """The rows given to the model are read from a file or a table (not a model artifact)."""
        flow = self.module.flow
        return any(a.call is not None and _is_reader(a.call) and unsafe_load(a.call) is None
                   for pred in entry.predictions for val in pred.inputs for a in flow.ancestors(val, rows=True))

    def _validated(self, entry: Entry, origin: Origin) -> bool:
        if origin.validated:
            return True
        if origin.kind == "param" and _schema_annotation(origin.node, self.schema_classes):
            return True
        functions = entry.reach or ([entry.function] if entry.function is not None else [])
        for fn in functions:
            for call in self.calls_in.get(id(fn), []):
                if self._is_validator(call) and self._about(call.node, origin):
                    return True
            for node in self.syntax.body_nodes(fn):
                if isinstance(node, ast.If) and _rejects(node.body) and self._about(node.test, origin):
                    return True
                if isinstance(node, ast.Assert) and self._about(node.test, origin):
                    return True
        return False

    def _about(self, node: ast.AST, origin: Origin) -> bool:
        """`node` mentions the caller's data: a name it travelled through, or a name computed from it
        (`missing = REQUIRED - payload.keys()`)."""
        names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        if names & origin.names:
            return True
        if origin.val is None:
            return False
        flow = self.module.flow
        read = [flow.val_at(n) for n in ast.walk(node) if isinstance(n, ast.Name)]  # the values read here
        return any(val is not None and flow.derives_from(val, origin.val, rows=False) for val in read)

    @cached_property
    def request_functions(self) -> set[int]:
        """Functions that run once per request or record: online entry points and what they call
        (cached helpers excluded)."""
        out: set[int] = set()
        for entry in self.entries:
            if entry.online and entry.function is not None and not self.is_startup(entry.function):
                out |= {id(f) for f in self.reach(entry.function, stop_cached=True) if not self.is_cached(f)}
        return out

    @cached_property
    def serving_functions(self) -> set[int]:
        """Functions on an inference path: entry points, functions that predict, and their callees."""
        out = set(self.request_functions)
        for pred in self.predictions:
            if pred.function is not None:
                out |= {id(f) for f in self.reach(pred.function)}
        for entry in self.entries:
            if entry.function is not None:
                out |= {id(f) for f in entry.reach}
        return out

    def place_loads(self) -> list[Load]:
        """The loads with their placement filled in."""
        for load in self.loads:
            fn = load.function
            if fn is None:
                if self.module.source.is_notebook or self.syntax.under_main_guard(load.call.node):
                    load.placement = "main"
                else:
                    load.placement = "import" if self._used_in_functions(load) else "main"
            elif self._lazily_cached(load) or self.is_cached(fn):
                load.placement = "cached"
            elif id(fn) in self.request_functions or self._in_prediction_loop(load):
                load.placement = "request"
            elif self.is_startup(fn):
                load.placement = "startup"
            else:
                load.placement = "call"
        return self.loads

    def _used_in_functions(self, load: Load) -> bool:
        """A module-level load whose model a function or route of the module predicts with."""
        for pred in self.predictions:
            if pred.function is None:
                continue
            if pred.model is None and self.routes:
                return True
            if pred.model is not None and load.call.val is not None and self.module.flow.derives_from(
                    pred.model, load.call.val, rows=True):
                return True
        return False

    def _lazily_cached(self, load: Load) -> bool:
        """`if _model is None: _model = joblib.load(...)`: loaded once, on first use."""
        for anc in self.syntax.ancestors(load.call.node):
            if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return False
            if isinstance(anc, ast.If):
                test = anc.test
                if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
                    return True
                if isinstance(test, ast.Compare) and any(isinstance(op, (ast.Is, ast.NotIn)) for op in test.ops):
                    return True
        return False

    def _in_prediction_loop(self, load: Load) -> bool:
        for anc in self.syntax.ancestors(load.call.node):
            if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return False
            if isinstance(anc, (ast.For, ast.AsyncFor, ast.While)):
                inside = {id(n) for n in ast.walk(anc)}
                return any(id(p.node) in inside for p in self.predictions)
        return False

    def load_for(self, prediction: Prediction) -> Load | None:
        """The load its model comes from, else the module's first load."""
        if prediction.model is not None:
            for anc in self.module.flow.ancestors(prediction.model, rows=True, values=True):
                for load in self.loads:
                    if load.call.val is anc:
                        return load
        return self.loads[0] if self.loads else None


def inference(module: ModuleAnalysis) -> Inference:
    """The module's inference facts, computed once."""
    facts = module.shared(Inference)
    facts.place_loads()
    return facts


def is_route(deco: ast.expr) -> bool:
    func = deco.func if isinstance(deco, ast.Call) else deco
    return isinstance(func, ast.Attribute) and func.attr in ROUTE_METHODS and isinstance(deco, ast.Call)


def _is_reader(call: CallSite) -> bool:
    """Reads stored data (a file, a table, a model): what it returns was not handed over by a caller.
    Parsing a string (`json.loads(args.record)`) is not reading."""
    if unsafe_load(call) is not None:
        return True
    return bool(READERS.match(call.method or call.short or ""))


def _schema_annotation(arg: ast.arg, schemas: set[str]) -> bool:
    """Annotated with a schema class or a scalar type (which the framework checks), not a raw
    container (`dict`, `list`, `Any`, `Request`)."""
    ann = arg.annotation
    if ann is None:
        return False
    if isinstance(ann, ast.Subscript):  # Optional[Order], list[Order], Annotated[Order, ...], dict[str, Any]
        if last(chain_name(ann.value)) in ("dict", "Dict", "Mapping", "MutableMapping"):
            return False  # list[Order] and Optional[Order] are as good as their element
        inner = ann.slice.elts[0] if isinstance(ann.slice, ast.Tuple) else ann.slice
        return _schema_annotation(ast.arg(arg=arg.arg, annotation=inner), schemas)
    if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
        return ann.value in schemas
    name = last(chain_name(ann))
    return bool(name) and name not in RAW_ANNOTATIONS


def _mentions(node: ast.AST, names: frozenset[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


def _rejects(body: list[ast.stmt]) -> bool:
    """A branch that refuses the input: raises, aborts, or returns an error status."""
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Raise):
                return True
            if isinstance(node, ast.Call) and last(chain_name(node.func)) in ("abort", "HTTPException", "JSONResponse",
                                                                            "make_response", "BadRequest"):
                return True
            if isinstance(node, ast.Constant) and isinstance(node.value, int) and 400 <= node.value < 500:
                return True
    return False


def _rejects_bad_input(fn: FunctionNode) -> bool:
    """The function checks its input and refuses what fails: a `raise` (or an error return) under a
    test on a parameter, an `assert` on one, or a schema's `model_validate`/`parse_obj`."""
    params = {a.arg for a in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]} - {"self", "cls"}
    for node in ast.walk(fn):
        if isinstance(node, ast.Assert) and _mentions(node.test, params):
            return True
        if isinstance(node, ast.If) and _mentions(node.test, params) and any(
                isinstance(sub, ast.Raise) for stmt in node.body for sub in ast.walk(stmt)):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("model_validate", "parse_obj", "validate"):
            return True
    return False


def _model_param(arg: ast.AST) -> bool:
    """A parameter that carries the model, a path or settings rather than a caller's record."""
    name = getattr(arg, "arg", "")
    return name in ("self", "cls") or bool(re.search(
        r"model|clf|estimator|pipeline|pipe|bundle|booster|net|path|file|dir|cfg|config|settings|threshold", name, re.I))


