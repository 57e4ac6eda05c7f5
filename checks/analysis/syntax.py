"""The syntax questions the production and serving checks ask of one module: parent links, the
function enclosing a node, `__main__` guards, exception handlers, the values assigned to a name in a
scope, and whether a value comes from configuration or builds a path."""
from __future__ import annotations

import ast
import re
from collections import deque
from functools import cached_property
from typing import Iterator

from wicked_data.checks.analysis.flowtypes import Val
from wicked_data.checks.analysis.loads import unsafe_load
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.names import Imports, attribute_path, chain_head, last
from wicked_data.checks.analysis.walk import CHILDREN, child_getter

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef

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

    def called_function(self, node: ast.Call) -> FunctionNode | None:
        """The function of the module a plain call names when one definition has that name (a
        function nested in another, `predict_one(game)` inside a route, that the flow does not bind)."""
        if not isinstance(node.func, ast.Name):
            return None
        defs = [f for f in self.functions if f.name == node.func.id]
        return defs[0] if len(defs) == 1 else None

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
        return any(isinstance(a, ast.If) and is_main_test(a.test) for a in self.ancestors(node))

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


def is_main_test(test: ast.expr) -> bool:
    return isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__" \
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)


def _catches(handler: ast.ExceptHandler, names: tuple[str, ...]) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(last(chain_name(t)) in names + ("Exception", "BaseException") for t in types)


def chain_name(node: ast.AST) -> str:
    """A chain's dotted name; for `factory().attr`, the factory's (`Depends(...)` reads `Depends`)."""
    head = chain_head(node)
    return chain_name(head.func) if isinstance(head, ast.Call) else attribute_path(node)


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
    return _reads_configuration(val) or val.call is not None and unsafe_load(val.call) is not None


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
    spelled = chain_name(node)
    return last((imports.resolve_dotted(spelled) if imports is not None and spelled else None) or spelled)


def decorator_names(fn: FunctionNode, imports: Imports | None = None) -> list[str]:
    """The decorators' last names, read through the imports."""
    return [resolved_last(d.func if isinstance(d, ast.Call) else d, imports) for d in fn.decorator_list]


def syntax(module: ModuleAnalysis) -> Syntax:
    return module.shared(_syntax)


def _syntax(module: ModuleAnalysis) -> Syntax:
    return Syntax(module.tree)




DEPENDENCY_MARKERS = ("Depends", "Security")


def dependencies(fn: FunctionNode, imports: Imports | None = None) -> list[tuple[ast.arg, ast.expr]]:
    """(parameter, callable) for each FastAPI dependency of `fn`: `x=Depends(load)`,
    `x: Annotated[Model, Depends(load)]`, `Security(...)` alike. FastAPI calls each callable before
    every call of `fn`: for the analysis, `fn` calls it."""
    positional = [*fn.args.posonlyargs, *fn.args.args]
    defaults: dict[int, ast.expr] = {id(a): d for a, d in zip(positional[len(positional) - len(fn.args.defaults):],
                                                               fn.args.defaults)}
    defaults.update({id(a): d for a, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults) if d is not None})
    return [(arg, target) for arg in [*positional, *fn.args.kwonlyargs]
            for target in arg_dependencies(arg, defaults.get(id(arg)), imports)]


def arg_dependencies(arg: ast.arg, default: ast.expr | None, imports: Imports | None = None) -> list[ast.expr]:
    """The callables a parameter declares as its FastAPI dependency (its default, or the metadata
    of an `Annotated` annotation)."""
    markers = [default]
    ann = arg.annotation
    if isinstance(ann, ast.Subscript) and resolved_last(ann.value, imports) == "Annotated" \
            and isinstance(ann.slice, ast.Tuple):
        markers += ann.slice.elts[1:]
    out = []
    for marker in markers:
        if isinstance(marker, ast.Call) and resolved_last(marker.func, imports) in DEPENDENCY_MARKERS:
            target = marker.args[0] if marker.args else next(
                (k.value for k in marker.keywords if k.arg == "dependency"), None)
            out.append(target if target is not None else marker)  # `Depends()`: the annotated class
    return out


def under_unset_check(tree: Syntax, node: ast.AST) -> bool:
    """The node runs only while something is unset (`if MODEL is None:`, `if not self._model:`,
    `if key not in cache:`): a lazy first-use initialisation, not something done on every call."""
    for parent in tree.ancestors(node):
        if isinstance(parent, ast.If) and unset_test(parent.test):
            return True
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return returns_early_when_set(parent, node)
        if isinstance(parent, ast.Lambda):
            return False
    return False


def unset_test(test: ast.AST) -> bool:
    """A condition that holds while something is unset: `MODEL is None`, `not self._model`,
    `key not in cache`, or one of these joined by `and` with another condition
    (`_model is None and os.path.exists(PATH)`)."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return any(unset_test(v) for v in test.values)
    if isinstance(test, ast.Compare) and any(isinstance(op, (ast.Is, ast.Eq)) for op in test.ops) \
            and any(isinstance(c, ast.Constant) and c.value is None for c in (test.left, *test.comparators)):
        return True
    if isinstance(test, ast.Compare) and any(isinstance(op, ast.NotIn) for op in test.ops):
        return True  # `if key not in self._models:` fills a memo once per key
    return isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) \
        and isinstance(test.operand, (ast.Name, ast.Attribute, ast.Subscript))


def returns_early_when_set(fn: ast.FunctionDef | ast.AsyncFunctionDef, node: ast.AST) -> bool:
    """Before the statement holding `node`, the function returns when something is already set
    (`if _MODEL is not None: return _MODEL`, `if self._model: return self._model`): what follows runs
    only while it is unset, once."""
    line = getattr(node, "lineno", 0)
    for stmt in fn.body:
        if stmt.lineno >= line:
            return False
        if isinstance(stmt, ast.If) and stmt.body and isinstance(stmt.body[-1], ast.Return) and not stmt.orelse:
            test, returned = stmt.test, stmt.body[-1].value
            # what is returned is the thing found set (`return _MODEL`, `return cache[key]`); an early
            # answer to a bad input (`if df.empty: return {"error": ...}`) guards, it memoises nothing
            if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.IsNot) \
                    and isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value is None:
                if _mentions(returned, test.left):
                    return True
            if isinstance(test, (ast.Name, ast.Attribute)) and _mentions(returned, test):
                return True
            if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.In) \
                    and _mentions(returned, test.comparators[0]):
                return True  # `if key in cache: return cache[key]`
    return False


def _mentions(node: ast.AST | None, part: ast.AST) -> bool:
    """`part` (a name, an attribute chain) occurs in `node`."""
    if node is None:
        return False
    wanted = ast.dump(part)
    return any(ast.dump(n) == wanted for n in ast.walk(node) if type(n) is type(part))
