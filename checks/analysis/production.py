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
from collections import deque
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Iterator

from checks.analysis import vocab
from checks.analysis.flow import APPLIED, CallSite, Val
from checks.analysis.module import ModuleAnalysis
from checks.analysis.names import Imports, attribute_path, chain_head, dotted, last
from checks.analysis.walk import CHILDREN, child_getter

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef

# ---------------------------------------------------------------------- vocabulary
# Deserialisers that execute code from the artifact (pickle underneath).
UNSAFE_LOADS = ("pickle.load", "pickle.loads", "joblib.load", "sklearn.externals.joblib.load", "torch.load",
                "cloudpickle.load", "cloudpickle.loads", "dill.load", "dill.loads", "_pickle.load", "cPickle.load")
# Loaders of formats that cannot run code, or of registries that version the model.
SAFE_LOADS = ("skops.io.load", "safetensors.torch.load_file", "safetensors.numpy.load_file", "safetensors.safe_open",
              "onnxruntime.InferenceSession", "onnx.load", "tensorflow.keras.models.load_model",
              "keras.models.load_model", "keras.saving.load_model", "tensorflow.saved_model.load",
              "mlflow.pyfunc.load_model", "mlflow.sklearn.load_model", "mlflow.pytorch.load_model",
              "mlflow.xgboost.load_model", "mlflow.lightgbm.load_model", "lightgbm.Booster", "xgboost.Booster",
              "catboost.CatBoostClassifier", "catboost.CatBoostRegressor", "spacy.load",
              "sentence_transformers.SentenceTransformer")
LOAD_METHODS = {"load_model", "from_pretrained", "load", "load_state_dict"}
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
PATHISH_NAME = re.compile(r"(^|_)(path|paths|dir|directory|folder|file|filename|fname|root|location|uri|artifact)s?$|"
                          r"^(path|dir|file|folder)(_|$)", re.I)
CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".toml", ".ini", ".cfg", ".conf", ".env")
ENV_GETTERS = ("os.environ.get", "os.getenv", "os.environ.setdefault", "os.environ.__getitem__")
CONFIG_SOURCES = ("yaml.", "json.load", "toml.", "tomllib.", "tomli.", "omegaconf.", "hydra.", "dotenv.",
                  "configparser.", "os.environ", "os.getenv", "pydantic_settings.", "decouple.")


# ---------------------------------------------------------------------- syntax helpers
class Syntax:
    """Parent links over the module's tree and the questions they answer."""

    def __init__(self, tree: ast.Module) -> None:
        # One traversal gives the parent links and the node list every other question reuses.
        self.tree = tree
        self._bodies: dict[int, list[ast.AST]] = {}
        self.parent: dict[int, ast.AST] = {}
        self.functions: list[FunctionNode] = []
        self.classes: list[ast.ClassDef] = []
        self.nodes: list[ast.AST] = []
        # Breadth first, in `ast.walk` order, with `ast.iter_child_nodes` inlined (its two generator
        # layers cost more than the traversal itself) and the expression contexts (`Load`, `Store`),
        # shared objects no question asks about, left out.
        queue: deque[ast.AST] = deque([tree])
        parent, nodes, functions = self.parent, self.nodes, self.functions
        pop, push, AST, function_types = queue.popleft, queue.append, ast.AST, (ast.FunctionDef, ast.AsyncFunctionDef)
        getters = CHILDREN
        while queue:
            node = pop()
            nodes.append(node)
            cls = type(node)
            for value in (getters.get(cls) or child_getter(cls))(node):
                if type(value) is list:
                    for item in value:
                        if isinstance(item, AST):
                            parent[id(item)] = node
                            push(item)
                elif isinstance(value, AST):
                    parent[id(value)] = node
                    push(value)
            if isinstance(node, function_types):
                functions.append(node)
            elif isinstance(node, ast.ClassDef):
                self.classes.append(node)

    @cached_property
    def _loads_by_name(self) -> dict[str, list[ast.Name]]:
        out: dict[str, list[ast.Name]] = {}
        for node in self.nodes:
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                out.setdefault(node.id, []).append(node)
        return out

    def loads_of(self, name: str) -> list[ast.Name]:
        """Every place `name` is read."""
        return self._loads_by_name.get(name, [])

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        cur = self.parent.get(id(node))
        while cur is not None:
            yield cur
            cur = self.parent.get(id(cur))

    def assigned_values(self, scope: FunctionNode | None, name: str) -> list[ast.expr]:
        """The values assigned to the plain name `name` in a function's own body (or the module's),
        in source order: `name = v`, `name: T = v`, `(name := v)`."""
        out = []
        for node in self.body_nodes(scope if scope is not None else self.tree):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                out.append((node.lineno, node.col_offset, node.value))
            elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and isinstance(node.target, ast.Name) \
                    and node.target.id == name and node.value is not None:
                out.append((node.lineno, node.col_offset, node.value))
        return [value for *_, value in sorted(out, key=lambda t: (t[0], t[1]))]

    def function_of(self, node: ast.AST) -> FunctionNode | None:
        """The innermost function whose body holds `node` (a decorator belongs to the outer scope)."""
        child = node
        for anc in self.ancestors(node):
            if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef)) and child not in anc.decorator_list \
                    and child is not anc.args:
                return anc
            if isinstance(anc, ast.Lambda):
                continue
            child = anc
        return None

    def under_main_guard(self, node: ast.AST) -> bool:
        return any(isinstance(a, ast.If) and _is_main_test(a.test) for a in self.ancestors(node))

    def handled(self, node: ast.AST, catches: tuple[str, ...] = ()) -> bool:
        """Inside the body of a `try` (of its own function) with an `except` clause; with `catches`,
        one that catches one of those exception names (or everything)."""
        child = node
        for anc in self.ancestors(node):
            if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                return False
            if isinstance(anc, (ast.Try, getattr(ast, "TryStar", ast.Try))) and child in anc.body and anc.handlers:
                if not catches or any(_catches(h, catches) for h in anc.handlers):
                    return True
            child = anc
        return False

    def in_handler(self, node: ast.AST) -> bool:
        """Inside an `except` clause."""
        for anc in self.ancestors(node):
            if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return False
            if isinstance(anc, ast.ExceptHandler):
                return True
        return False

    def body_nodes(self, fn: FunctionNode | ast.Module) -> list[ast.AST]:
        """Every node of a function's body (or the module's top level), nested functions excluded;
        computed once per function (rules and facts ask for the same bodies many times)."""
        found = self._bodies.get(id(fn))
        if found is not None:
            return found
        found = self._bodies[id(fn)] = []
        nested = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
        stack = list(fn.body)
        getters = CHILDREN
        while stack:
            node = stack.pop()
            found.append(node)
            cls = type(node)
            for value in (getters.get(cls) or child_getter(cls))(node):
                if type(value) is list:
                    stack.extend(item for item in value if isinstance(item, ast.AST) and not isinstance(item, nested))
                elif isinstance(value, ast.AST) and not isinstance(value, nested):
                    stack.append(value)
        return found


def _is_main_test(test: ast.expr) -> bool:
    return isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__" \
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)


def _catches(handler: ast.ExceptHandler, names: tuple[str, ...]) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(last(_dotted(t)) in names + ("Exception", "BaseException") for t in types)


def _dotted(node: ast.AST) -> str:
    """A chain's dotted name; for `factory().attr`, the factory's (`Depends(...)` reads `Depends`)."""
    head = chain_head(node)
    return _dotted(head.func) if isinstance(head, ast.Call) else attribute_path(node)


PATH_CALLS = {"Path", "PurePath", "PosixPath", "WindowsPath", "home", "cwd", "resolve", "expanduser", "joinpath",
              "with_suffix", "with_name", "absolute"}


def config_valued(module: ModuleAnalysis, node: ast.AST) -> bool:
    """`node` reads configuration: its root name is bound only to what a config loader returned
    (YAML/JSON/TOML files, the environment, argparse's `parse_args()`, OmegaConf/Hydra, settings)."""
    while isinstance(node, (ast.Subscript, ast.Attribute, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    if not isinstance(node, ast.Name):
        return False
    if (module.imports.resolve(node) or "").startswith(CONFIG_SOURCES):
        return True
    return bool(module.flow.bound_only_to(node.id, _reads_configuration))


def loaded_or_configured(val: Val) -> bool:
    """The value is what a model or artifact loader, or a configuration source, returned."""
    return _reads_configuration(val) or val.call is not None and _unsafe_load(val.call) is not None


def _reads_configuration(val: Val) -> bool:
    call = val.call
    return call is not None and ((call.qualname or "").startswith(CONFIG_SOURCES)
                                 or call.method in ("parse_args", "parse_known_args"))


def path_valued(module: ModuleAnalysis, node: ast.AST) -> bool:
    """`node` holds a filesystem path: built by pathlib (`Path(...)`, `.parent`, `Path.home()`), or a
    name every binding of which derives from such a value, or an attribute the code names as a path
    (`self.model_dir`: an interface name, kept by renaming)."""
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        node = node.left
    if isinstance(node, ast.Call):
        func = node.func
        return (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")) in PATH_CALLS \
            or last(module.imports.resolve(func) or "") in PATH_CALLS
    if isinstance(node, ast.Attribute):
        return node.attr in ("parent", "parents") or bool(PATHISH_NAME.search(node.attr))
    if isinstance(node, ast.Name):
        return bool(module.flow.bound_only_to(node.id, _builds_path))
    return False


def _builds_path(val: Val) -> bool:
    call = val.call
    return call is not None and (call.short in PATH_CALLS or call.method in PATH_CALLS) \
        or isinstance(val.node, ast.Attribute) and val.node.attr in ("parent", "parents")


def resolved_last(node: ast.AST | None, imports: Imports | None) -> str:
    """The last component of a name or attribute chain, read through the imports when given
    (`from functools import lru_cache as memo`: `memo` is `lru_cache`); "" for no node."""
    if node is None:
        return ""
    spelled = _dotted(node)
    return last((imports.resolve_dotted(spelled) if imports is not None and spelled else None) or spelled)


def _decorator_names(fn: FunctionNode, imports: Imports | None = None) -> list[str]:
    """The decorators' last names, read through the imports."""
    return [resolved_last(d.func if isinstance(d, ast.Call) else d, imports) for d in fn.decorator_list]


def syntax(module: ModuleAnalysis) -> Syntax:
    return module.shared(_syntax)


def _syntax(module: ModuleAnalysis) -> Syntax:
    return Syntax(module.tree)


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
        return [f for f in self.syntax.functions if any(_is_route(d) for d in f.decorator_list)]

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
        return bool(set(_decorator_names(fn, self.module.imports)) & CACHE_DECORATORS)

    def is_startup(self, fn: FunctionNode) -> bool:
        """Runs once when the service starts: a startup hook, a lifespan, an app factory."""
        for deco in fn.decorator_list:
            if isinstance(deco, ast.Call) and last(_dotted(deco.func)) == "on_event" and deco.args \
                    and isinstance(deco.args[0], ast.Constant) and deco.args[0].value == "startup":
                return True
        if set(_decorator_names(fn, self.module.imports)) & STARTUP_DECORATORS or STARTUP_NAMES.match(fn.name):
            return True
        if any(_is_route(d) for d in fn.decorator_list):
            return False  # a route declared inside an app factory still runs per request
        return any(self.is_startup(outer) for outer in self._outer_functions(fn))

    def _outer_functions(self, fn: FunctionNode) -> list[FunctionNode]:
        return [a for a in self.syntax.ancestors(fn) if isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef))]

    # ------------------------------------------------------------------ loads
    @cached_property
    def loads(self) -> list[Load]:
        out = []
        for call in self.module.calls:
            unsafe = _unsafe_load(call) if call.callee is None else None  # a helper of this module is not a loader
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
                                   and _dotted(call.node.func.value).split(".")[0] in self.schema_classes)

    @cached_property
    def schema_classes(self) -> set[str]:
        """Classes of the module that declare a schema (pydantic, marshmallow, dataclasses, TypedDict...)."""
        out = set()
        for node in syntax(self.module).nodes:
            if isinstance(node, ast.ClassDef):
                bases = {last(_dotted(b)) for b in node.bases}
                decos = {last(_dotted(d.func if isinstance(d, ast.Call) else d)) for d in node.decorator_list}
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
        return any(a.call is not None and _is_reader(a.call) and _unsafe_load(a.call) is None
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


def _is_route(deco: ast.expr) -> bool:
    func = deco.func if isinstance(deco, ast.Call) else deco
    return isinstance(func, ast.Attribute) and func.attr in ROUTE_METHODS and isinstance(deco, ast.Call)


def _unsafe_load(call: CallSite) -> bool | None:
    """True for a code-executing deserialiser, False for a safe model loader, None for no load."""
    if call.short not in _LOAD_SHORTS and call.method not in LOAD_METHODS:  # asked of every call: most are not loads
        return None
    if call.is_(*UNSAFE_LOADS):
        if call.is_("torch.load"):
            weights = call.kwarg_node("weights_only")
            return not (isinstance(weights, ast.Constant) and weights.value is True)
        return True
    if call.is_("numpy.load"):
        allow = call.kwarg_node("allow_pickle")
        return True if isinstance(allow, ast.Constant) and allow.value is True else None
    if call.is_(*SAFE_LOADS):
        if call.is_("lightgbm.Booster", "xgboost.Booster"):
            return False if call.kwarg_node("model_file") is not None else None
        return False
    if call.method in LOAD_METHODS and call.receiver is not None and call.method != "load_state_dict":
        if call.method == "load" and not (call.val is not None and call.val.flags & APPLIED):
            return None  # `x.load(...)` is a model load when what it returns is used as one
        return False
    return None


_LOAD_SHORTS = {last(n) for n in (*UNSAFE_LOADS, *SAFE_LOADS, "numpy.load")} | LOAD_METHODS


def _is_reader(call: CallSite) -> bool:
    """Reads stored data (a file, a table, a model): what it returns was not handed over by a caller.
    Parsing a string (`json.loads(args.record)`) is not reading."""
    if _unsafe_load(call) is not None:
        return True
    return bool(READERS.match(call.method or call.short or ""))


def _schema_annotation(arg: ast.arg, schemas: set[str]) -> bool:
    """Annotated with a schema class or a scalar type (which the framework checks), not a raw
    container (`dict`, `list`, `Any`, `Request`)."""
    ann = arg.annotation
    if ann is None:
        return False
    if isinstance(ann, ast.Subscript):  # Optional[Order], list[Order], Annotated[Order, ...], dict[str, Any]
        if last(_dotted(ann.value)) in ("dict", "Dict", "Mapping", "MutableMapping"):
            return False  # list[Order] and Optional[Order] are as good as their element
        inner = ann.slice.elts[0] if isinstance(ann.slice, ast.Tuple) else ann.slice
        return _schema_annotation(ast.arg(arg=arg.arg, annotation=inner), schemas)
    if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
        return ann.value in schemas
    name = last(_dotted(ann))
    return bool(name) and name not in RAW_ANNOTATIONS


def _mentions(node: ast.AST, names: frozenset[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


def _rejects(body: list[ast.stmt]) -> bool:
    """A branch that refuses the input: raises, aborts, or returns an error status."""
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Raise):
                return True
            if isinstance(node, ast.Call) and last(_dotted(node.func)) in ("abort", "HTTPException", "JSONResponse",
                                                                            "make_response", "BadRequest"):
                return True
            if isinstance(node, ast.Constant) and isinstance(node.value, int) and 400 <= node.value < 500:
                return True
    return False


def _model_param(arg: ast.AST) -> bool:
    """A parameter that carries the model, a path or settings rather than a caller's record."""
    name = getattr(arg, "arg", "")
    return name in ("self", "cls") or bool(re.search(
        r"model|clf|estimator|pipeline|pipe|bundle|booster|net|path|file|dir|cfg|config|settings|threshold", name, re.I))


# ---------------------------------------------------------------------- monitoring
MONITORING_MODULES = ("prometheus_client", "statsd", "datadog", "opentelemetry", "evidently", "whylogs",
                      "arize", "nannyml", "fiddler", "aporia", "newrelic", "ddtrace", "prometheus_fastapi_instrumentator",
                      "starlette_exporter", "aioprometheus", "mlflow", "wandb", "sentry_sdk")
LOG_METHODS = {"info", "debug", "warning", "warn", "log", "bind", "msg"}
TIMERS = ("time.perf_counter", "time.perf_counter_ns", "time.monotonic", "time.monotonic_ns", "time.time",
          "time.process_time", "timeit.default_timer")


METRIC_METHODS = {"observe", "inc", "labels", "time", "record", "gauge", "increment", "histogram", "timing"}


def monitors(module: ModuleAnalysis, facts: Inference, fn: FunctionNode, entry: Entry | None = None) -> bool:
    """Does `fn` (or what it calls) log, measure or count what the model does? Error-only logging
    in an `except` clause does not count. For an entry point, a log counts only when it records
    the predictions, the features or the caller's data (`len(ids)` is a count, not the data);
    a timer or a metric always counts."""
    ids = {id(f) for f in facts.reach(fn)}
    about = _prediction_values(module, entry) if entry is not None else None
    for call in module.calls:
        owner = facts.syntax.function_of(call.node)
        if owner is None or id(owner) not in ids or facts.syntax.in_handler(call.node):
            continue
        name = call.name or ""
        if call.is_(*TIMERS) or name.startswith(MONITORING_MODULES) or call.method in METRIC_METHODS:
            return True
        logs = (call.qualname is not None and call.qualname.startswith(("logging.", "loguru.logger.", "structlog."))
                and last(call.qualname) in LOG_METHODS) \
            or (call.method in LOG_METHODS and call.receiver is not None and _is_logger(call.receiver))
        if logs and (about is None or _records(module, call, about)):
            return True
    return False


def _prediction_values(module: ModuleAnalysis, entry: Entry) -> set[int]:
    """Ids of what a log of this entry point should record: the predictions, the model's inputs
    and the caller's data."""
    out = {id(v) for pred in entry.predictions for v in pred.inputs}
    out |= {id(o.val) for o in entry.origins if o.val is not None}
    for pred in entry.predictions:
        call = module.flow.call_at(pred.node)
        if call is not None and call.val is not None:
            out.add(id(call.val))
    return out


def _records(module: ModuleAnalysis, call: CallSite, about: set[int], limit: int = 300) -> bool:
    """One of the log call's arguments is computed from a value in `about`, other than by
    counting it (`len(lead_ids)`)."""
    stack = [v for v in [*call.args, *call.kwargs.values()] if v is not None]
    seen: set[int] = set()
    while stack and len(seen) < limit:
        cur = stack.pop()
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        if id(cur) in about:
            return True
        if cur.call is not None and cur.call.is_("len") and cur.call.method is None:
            continue
        stack.extend([*cur.parents, *cur.kw])
    if stack:
        module.limit_reached(call.node, f"what a log call records (over {limit} values)")
    return False


def _is_logger(val: Val) -> bool:
    if re.search(r"log", val.name or "", re.I):
        return True
    return val.call is not None and last(val.call.name) in ("getLogger", "get_logger", "getChild")


def uses_monitoring(module: ModuleAnalysis) -> bool:
    """The module imports a metrics/monitoring library or instruments the app with middleware."""
    if module.imports.uses(*MONITORING_MODULES):
        return True
    syn = syntax(module)
    for fn in syn.functions:
        names = set(_decorator_names(fn, module.imports))
        if names & {"middleware", "after_request", "before_request"}:
            facts = inference(module)
            if monitors(module, facts, fn):
                return True
    return False


# ---------------------------------------------------------------------- path literals
PATH_SINK_FUNCS = {
    "open": (0,), "io.open": (0,), "builtins.open": (0,), "pathlib.Path": (0,), "pathlib.PurePath": (0,),
    "os.path.join": (0,), "os.path.exists": (0,), "os.path.isfile": (0,), "os.path.isdir": (0,),
    "os.makedirs": (0,), "os.mkdir": (0,), "os.listdir": (0,), "glob.glob": (0,), "os.path.abspath": (0,),
    "os.path.expanduser": (0,), "os.remove": (0,), "os.path.getmtime": (0,),
    "shutil.copy": (0, 1), "shutil.copyfile": (0, 1), "shutil.move": (0, 1), "shutil.rmtree": (0,),
    "joblib.load": (0,), "joblib.dump": (1,), "torch.load": (0,), "torch.save": (1,), "torch.jit.load": (0,),
    "numpy.load": (0,), "numpy.save": (0,), "numpy.savez": (0,), "numpy.loadtxt": (0,), "numpy.savetxt": (0,),
    "numpy.genfromtxt": (0,), "sqlite3.connect": (0,), "h5py.File": (0,), "skops.io.load": (0,),
    "skops.io.dump": (1,), "safetensors.torch.load_file": (0,), "safetensors.torch.save_file": (1,),
    "onnxruntime.InferenceSession": (0,), "tensorflow.keras.models.load_model": (0,),
    "keras.models.load_model": (0,), "keras.saving.load_model": (0,), "PIL.Image.open": (0,),
    "cv2.imread": (0,), "polars.read_csv": (0,), "polars.read_parquet": (0,), "dask.dataframe.read_csv": (0,),
}
PATH_SINK_METHODS = {"to_csv", "to_parquet", "to_pickle", "to_json", "to_excel", "to_feather", "save_model",
                     "load_model", "save", "savefig", "read_text", "write_text", "read_bytes", "write_bytes",
                     "mkdir", "open", "to_hdf", "save_weights", "load_weights", "export_model"}
PATH_KWARGS = {"path", "filepath", "filepath_or_buffer", "path_or_buf", "filename", "fname", "file", "model_file",
               "model_path", "save_path", "output_path", "input_path", "checkpoint_path", "path_or_buffer",
               "dirpath", "output_dir", "cache_dir", "log_dir", "logdir"}
BUILDERS = {"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "os.path.join", "os.path.expanduser",
            "os.path.abspath", "os.path.normpath", "os.path.realpath", "os.fspath", "str"}


@dataclass(eq=False)
class PathLiteral:
    node: ast.AST  # the string constant (or f-string, or `Path.home()` call)
    text: str
    kind: str  # 'absolute' | 'home' | 'relative'
    how: str  # how it is used, for messages: 'read_csv', 'open', 'MODEL_PATH', ...

    @property
    def line(self) -> int:
        return self.node.lineno


def path_literals(module: ModuleAnalysis) -> list[PathLiteral]:
    return module.shared(_path_literals)


def _path_literals(module: ModuleAnalysis) -> list[PathLiteral]:
    syn = syntax(module)
    docstrings = _docstrings(syn)
    out: list[PathLiteral] = []
    kinds = (ast.Constant, ast.JoinedStr, ast.Call)
    for node in syn.nodes:
        if type(node) not in kinds:
            continue
        unit, text = _literal_unit(module, node)
        if unit is None:
            continue
        kind = _path_kind(text)
        if kind is None or id(unit) in docstrings or isinstance(syn.parent.get(id(unit)), ast.JoinedStr):
            continue
        if kind == "bare":  # `"models"` only counts as the first part of a longer path
            top, first, _ = _climb(module, syn, unit)
            if top is unit or not first:
                continue
            kind = "relative"
        how = _path_use(module, syn, unit, depth=2)
        if how is None and isinstance(unit, ast.Call):
            how = "Path.home()"  # a path by construction
        if how is not None:
            out.append(PathLiteral(unit, text, kind, how))
    return out


def _docstrings(syn: Syntax) -> set[int]:
    out = set()
    for node in (syn.tree, *syn.functions, *syn.classes):
        if node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def _literal_unit(module: ModuleAnalysis, node: ast.AST) -> tuple[ast.AST | None, str | None]:
    """A string constant (outside f-strings), an f-string starting with a literal, or `Path.home()`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node, node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return node, str(node.values[0].value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "home" \
            and module.imports.resolve(node.func) == "pathlib.Path.home":
        return node, "~"
    return None, None


_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}$")


@lru_cache(maxsize=8192)  # a module repeats its strings ("auto", column names...)
def _path_kind(text: str) -> str | None:
    """'absolute', 'home', 'relative' (looks like a file or a nested path), 'bare' (one word), or None."""
    if not text or "\n" in text or "://" in text or text.strip() != text or len(text) > 260:
        return None
    if text == "~" or text.startswith("~/") or text.startswith("~\\"):
        return "home"
    if re.match(r"^[A-Za-z]:[\\/]", text) or text.startswith("\\\\"):
        return "absolute"
    if text.startswith("/"):
        if text == "/" or text.startswith(("/dev/", "/proc/", "/tmp", "/etc/")) or " " in text:
            return None
        return "home" if text.startswith(("/home/", "/Users/", "/root/")) else "absolute"
    if re.search(r"[\s{}<>|*?%$]", text) or text.startswith((".", "-")) and not text.startswith(("./", "../")):
        return None
    if _EXTENSION.search(text) or "/" in text:
        return "relative"
    return "bare" if re.fullmatch(r"[\w-]+", text) else None


def _path_use(module: ModuleAnalysis, syn: Syntax, unit: ast.AST, depth: int) -> str | None:
    """How a literal is used as a path ('read_csv', 'MODEL_PATH'...), or None when it is not a path
    or configuration supplies it (an environment default, an argparse default, a settings field)."""
    top, first, built = _climb(module, syn, unit)
    if not first:
        return None
    how = _context_use(module, syn, top, depth)
    if how is None and built and not _configured_context(module, syn, top):
        return "built path"
    return how


def _configured_context(module: ModuleAnalysis, syn: Syntax, top: ast.AST) -> bool:
    parent = syn.parent.get(id(top))
    if isinstance(parent, ast.keyword):
        parent = syn.parent.get(id(parent))
    if isinstance(parent, ast.Call) and top is not parent.func:
        call = module.flow.call_at(parent)
        return call is not None and _configured_by(call, parent, top)
    if isinstance(parent, ast.arguments):
        return True  # a parameter default: the caller can change it
    if isinstance(parent, (ast.Assign, ast.AnnAssign)):
        return _in_settings_class(module, syn, parent)
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


def _mentions(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(sub, ast.Name) and sub.id in names for sub in ast.walk(node))


def _context_use(module: ModuleAnalysis, syn: Syntax, top: ast.AST, depth: int) -> str | None:
    """How the whole path expression `top` is used, from its surroundings."""
    parent = syn.parent.get(id(top))
    if isinstance(parent, ast.Call) and top is not parent.func:
        call = module.flow.call_at(parent)
        if call is None:
            return None
        if _configured_by(call, parent, top):
            return None
        if _is_decorator_arg(syn, parent):
            return None
        return _sink_name(call, parent, top)
    if isinstance(parent, ast.keyword):
        call_node = syn.parent.get(id(parent))
        call = module.flow.call_at(call_node) if isinstance(call_node, ast.Call) else None
        if call is None or _configured_by(call, call_node, top) or _is_decorator_arg(syn, call_node):
            return None
        if parent.arg in PATH_KWARGS:
            return f"{call.short or call.method}({parent.arg}=...)"
        return _sink_name(call, call_node, top)
    if isinstance(parent, (ast.Assign, ast.AnnAssign)) and (parent.value is top):
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        for target in targets:
            name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
            if not name:
                continue
            if _in_settings_class(module, syn, parent):
                return None
            if PATHISH_NAME.search(name):
                return name
            if depth > 0 and isinstance(target, ast.Name) and _name_used_as_path(module, syn, name, depth - 1):
                return name
        return None
    if isinstance(parent, ast.arguments):
        arg = _arg_of_default(parent, top)
        if arg is not None and (PATHISH_NAME.search(arg.arg)
                                or depth > 0 and _name_used_as_path(module, syn, arg.arg, depth - 1)):
            return arg.arg
        return None
    if isinstance(parent, ast.Dict):
        key = next((k for k, v in zip(parent.keys, parent.values) if v is top), None)
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and PATHISH_NAME.search(key.value):
            return key.value
    return None


def _climb(module: ModuleAnalysis, syn: Syntax, node: ast.AST) -> tuple[ast.AST, bool, bool]:
    """Walk up through path building (`Path(x)`, `x / "y"`, `os.path.join(x, ...)`, f-strings):
    the whole path expression, whether `node` is its first component, and whether a path
    constructor or a `/` join was crossed (which makes it a path whatever happens next)."""
    first = True
    built = False
    cur = node
    while True:
        parent = syn.parent.get(id(cur))
        if isinstance(parent, ast.BinOp) and isinstance(parent.op, (ast.Div, ast.Add)):
            first = first and parent.left is cur
            built = built or isinstance(parent.op, ast.Div)
            cur = parent
        elif isinstance(parent, ast.JoinedStr):
            first = first and parent.values and parent.values[0] is cur
            cur = parent
        elif isinstance(parent, ast.FormattedValue):
            cur = parent
        elif isinstance(parent, ast.Call) and cur is not parent.func and cur in parent.args \
                and (module.imports.resolve(parent.func) or dotted(parent.func)) in BUILDERS:
            # a builder called by name (`Path(x)`, `os.path.join(x, y)`), not a method of a built
            # path (`Path(cfg_dir).with_name("x.parquet")` names a file next to a configured one)
            first = first and parent.args[0] is cur
            built = built or (module.imports.resolve(parent.func) or dotted(parent.func)) != "str"
            cur = parent
        elif isinstance(parent, ast.Attribute) and parent.attr in ("resolve", "absolute", "expanduser"):
            above = syn.parent.get(id(parent))
            cur = above if isinstance(above, ast.Call) and above.func is parent else parent
        else:
            return cur, bool(first), built


def _configured_by(call: CallSite, node: ast.Call, arg: ast.AST) -> bool:
    """The literal is only the default of a configurable value."""
    if call.is_(*ENV_GETTERS) or (call.name or "").startswith("os.environ"):
        return True
    if call.method in ("add_argument", "option", "argument", "Field", "getenv"):
        return True
    if call.short in ("Field", "option", "argument", "Option", "Argument", "config", "env"):
        return True
    if call.method in ("get", "setdefault", "getattr") and call.receiver is not None:
        return True  # `cfg.get("model_path", "models/m.pkl")`: the literal is a fallback
    if call.method is None and call.short == "getattr":
        return True
    return False


def _is_decorator_arg(syn: Syntax, call_node: ast.AST) -> bool:
    parent = syn.parent.get(id(call_node))
    return isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and call_node in parent.decorator_list


def _sink_name(call: CallSite, node: ast.Call, arg: ast.AST) -> str | None:
    args = [a for a in node.args if not isinstance(a, ast.Starred)]
    position = next((i for i, a in enumerate(args) if a is arg), None)
    name = call.qualname or ""
    if name in PATH_SINK_FUNCS:
        return last(name) if position in PATH_SINK_FUNCS[name] else None
    short = call.short
    if call.method is None and short.startswith("read_") and position == 0 and (
            name.startswith(("pandas.", "polars.", "dask.")) or not call.qualname):
        return short
    if call.method in PATH_SINK_METHODS and position == 0:
        return call.method
    if call.method is None and short in ("open", "load_model") and position == 0:
        return short
    if call.method and call.method.startswith("read_") and position == 0:
        return call.method
    return None


def _in_settings_class(module: ModuleAnalysis, syn: Syntax, node: ast.AST) -> bool:
    """A field default of a settings/config class (pydantic-settings, a dataclass config): the
    value is a configurable default. The base classes are read through the imports; the class's
    own name is not read."""
    parent = syn.parent.get(id(node))
    if isinstance(parent, ast.ClassDef):
        return any(re.search(r"Settings|Config|Conf$|BaseModel", module.imports.resolve(b) or _dotted(b) or "")
                   for b in parent.bases)
    return False


def _arg_of_default(args: ast.arguments, default: ast.AST) -> ast.arg | None:
    positional = [*args.posonlyargs, *args.args]
    for arg, value in zip(positional[len(positional) - len(args.defaults):], args.defaults):
        if value is default:
            return arg
    for arg, value in zip(args.kwonlyargs, args.kw_defaults):
        if value is default:
            return arg
    return None


def _name_used_as_path(module: ModuleAnalysis, syn: Syntax, name: str, depth: int) -> bool:
    return any(_path_use(module, syn, node, depth) is not None for node in syn.loads_of(name))


def is_config_file(text: str) -> bool:
    return text.lower().endswith(CONFIG_SUFFIXES)
