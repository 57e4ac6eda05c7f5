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
from dataclasses import dataclass
from functools import cached_property

from wicked_data.checks.analysis import vocab
from wicked_data.checks.analysis.entries import EntryFacts
from wicked_data.checks.analysis.flowtypes import CallSite, Val
from wicked_data.checks.analysis.loads import unsafe_load
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.names import last
from wicked_data.checks.analysis.syntax import FunctionNode, Syntax, chain_name, decorator_names, dependencies, syntax, under_unset_check

ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "route", "api_route", "websocket"}
STARTUP_NAMES = re.compile(r"^(lifespan|startup|on_startup|create_app|make_app|build_app|init_app|app_factory|"
                           r"setup|init|initialize|initialise|warm_?up|preload\w*)$")
CACHE_DECORATORS = {"lru_cache", "cache", "cached_property", "cache_resource", "cache_data", "cached", "memoize",
                    "singleton", "experimental_singleton"}
STARTUP_DECORATORS = {"asynccontextmanager", "contextmanager", "before_first_request", "before_serving",
                      "on_startup", "startup"}
# Words of a helper's name that say it checks a file's integrity, as whole words of the name
# (`verify_checksum`, `sha256sum`, `checkDigest`; not `shape` or `shard`).
_INTEGRITY_WORD = re.compile(r"checksums?|verif(?:y|ied|ies|ication)|sha\d*(?:sum)?|digest|signature|signed"
                             r"|integrity|hmac|md5(?:sum)?|hexdigest")


class _IntegrityName:
    @staticmethod
    def search(name: str) -> bool:
        words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower().split("_")
        return any(_INTEGRITY_WORD.fullmatch(w) for w in words if w)


INTEGRITY = _IntegrityName()
# ---------------------------------------------------------------------- inference facts
@dataclass(eq=False)
class Load:
    """A model deserialised from storage."""

    call: CallSite
    unsafe: bool  # the format runs code on load (pickle, joblib, torch without weights_only)
    function: FunctionNode | None
    placement: str = "call"  # 'import' | 'main' | 'startup' | 'cached' | 'request' | 'rerun' | 'call'

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


class Inference(EntryFacts):
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
        for _, target in dependencies(fn, self.module.imports):  # FastAPI calls these before `fn`
            if isinstance(target, ast.Name):
                found = self.module.flow.functions.get(target.id)
                if found is not None and found.node is not fn:
                    out.append(found.node)
        return out

    def _nested(self, fn: FunctionNode, name: str) -> FunctionNode | None:
        for stmt in fn.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name:
                return stmt
        return None

    def reach(self, fn: FunctionNode, stop_cached: bool = False) -> list[FunctionNode]:
        """`fn` and every module function it calls, transitively; with `stop_cached`, not through
        cached functions nor calls made only while something is unset (a lazy first load)."""
        seen: dict[int, FunctionNode] = {id(fn): fn}
        stack = [fn]
        while stack:
            caller = stack.pop()
            once = self._called_once(caller) if stop_cached else set()
            for callee in self.callees(caller):
                if id(callee) in once:
                    continue
                if id(callee) in seen or (stop_cached and self.is_cached(callee)):
                    continue
                seen[id(callee)] = callee
                stack.append(callee)
        return list(seen.values())

    def _called_once(self, fn: FunctionNode) -> set[int]:
        """Ids of the module functions `fn` calls only under a check that something is unset."""
        calls: dict[int, list[bool]] = {}
        for call in self.calls_in.get(id(fn), []):
            if call.callee is not None:
                calls.setdefault(id(call.callee.node), []).append(under_unset_check(self.syntax, call.node))
        return {key for key, lazy in calls.items() if all(lazy)}

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


def inference(module: ModuleAnalysis) -> Inference:
    """The module's inference facts, computed once."""
    facts = module.shared(Inference)
    facts.place_loads()
    return facts


def is_route(deco: ast.expr) -> bool:
    func = deco.func if isinstance(deco, ast.Call) else deco
    return isinstance(func, ast.Attribute) and func.attr in ROUTE_METHODS and isinstance(deco, ast.Call)


