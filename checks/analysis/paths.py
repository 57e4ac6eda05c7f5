"""Literals used as file or directory paths (and `Path.home()`), absolute or relative, with whether
configuration (environment, argparse, settings) supplies them."""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache

from wicked_data.checks.analysis.flowtypes import LITERAL, CallSite
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.names import dotted, last
from wicked_data.checks.analysis.syntax import CONFIG_SUFFIXES, ENV_GETTERS, PATHISH_NAME, Syntax, chain_name, syntax

# ---------------------------------------------------------------------- path literals
# Folders a platform fixes inside the container the code runs in (SageMaker's `/opt/ml/model`,
# `/opt/ml/processing/input`): part of the platform's contract, not of one machine.
CONTAINER_LAYOUTS = ("/opt/ml/",)
# Hosted notebook services' own folders (Kaggle's inputs and working directory, Colab's content
# folder and mounted Drive): a notebook written to run there; a portability point, not a defect.
NOTEBOOK_HOSTS = ("/kaggle/", "/content/")
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


# Methods and attributes of a path that build another path from it.
PATH_METHODS = {"resolve", "joinpath", "with_suffix", "with_name", "parent", "parents", "expanduser", "absolute"}


@dataclass
class PathOrigin:
    """Where a path value comes from: written in the code (`fixed`), or also from the enclosing
    function's parameters (`params`, by name) and names imported from the project's own modules
    (`imported`, dotted); None from `path_origin` when anything else goes into it (the environment,
    a configuration, a request, an unknown value)."""
    params: list[str]
    imported: list[str]

    @property
    def fixed(self) -> bool:
        return not self.params and not self.imported


def path_origin(module: ModuleAnalysis, val, node: ast.AST | None = None) -> PathOrigin | None:
    """What goes into a path: literals and `__file__` through `open`, `Path`, `os.path.join` and
    the like; a parameter or an imported project name is recorded as a leaf for the project stage."""
    from wicked_data.checks.analysis.project import third_party

    if val is None:
        return PathOrigin([], []) if isinstance(node, ast.Constant) else None
    params: list[str] = []
    imported: list[str] = []
    for n, anc in enumerate(module.flow.ancestors(val, values=True)):
        if n > 40:
            return None
        cur = anc.node
        if anc.call is not None:
            if anc.call.is_(*BUILDERS, "os.path.dirname") or anc.call.method in PATH_METHODS \
                    or anc.call.method is None and anc.call.callee is None and anc.call.spelled == "open":
                continue
            return None
        if isinstance(cur, ast.Attribute) and cur.attr in PATH_METHODS:
            continue
        if isinstance(cur, ast.Subscript) and isinstance(cur.value, ast.Attribute) and cur.value.attr == "parents" \
                and isinstance(cur.slice, ast.Constant):
            continue  # `Path(__file__).parents[2]`
        if isinstance(cur, (ast.BinOp, ast.JoinedStr)) or anc.flags & LITERAL \
                or isinstance(cur, ast.Name) and cur.id == "__file__":
            continue
        if isinstance(cur, (ast.Name, ast.Tuple)) and anc.parents:
            continue  # a name bound in the code (a loop over literal pairs): its sources are walked too
        if isinstance(cur, ast.arg):
            params.append(cur.arg)
            continue
        if isinstance(cur, (ast.Name, ast.Attribute)) and not anc.parents:
            name = (module.imports.resolve(cur) or "").lstrip(".")
            if name and not third_party(name) and module.imports.is_imported(dotted(cur).split(".")[0]):
                imported.append(name)  # `values.ARTIFACT_DIR` of the project's own module
                continue
        return None  # the environment, a configuration, a request, an unknown value
    return PathOrigin(params, imported)


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
        if kind == "absolute" and _suffix_only(module, syn, unit):
            continue  # `SUB = "/prices"` only ever appended to another path: a sub-folder, not a root
        how = _path_use(module, syn, unit, depth=2)
        if how is None and isinstance(unit, ast.Call):
            how = "Path.home()"  # a path by construction
        if how is not None:
            out.append(PathLiteral(unit, text, kind, how))
    return out


def _suffix_only(module: ModuleAnalysis, syn: Syntax, unit: ast.AST) -> bool:
    """The literal is bound to a name, and every use of that name comes after another part of a
    path (`f"{root}{SUB}/{site}.json"`, `base + SUB`): the leading slash joins, it does not root."""
    parent = syn.parent.get(id(unit))
    if not (isinstance(parent, ast.Assign) and parent.value is unit and len(parent.targets) == 1
            and isinstance(parent.targets[0], ast.Name)):
        return False
    name = parent.targets[0].id
    uses = [n for n in syn.nodes if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)]
    return bool(uses) and not any(_climb(module, syn, n)[1] for n in uses)


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
    if re.match(r"^(?:[A-Za-z]:)?[\\/](?:path[\\/]to|your[_-]?path|path[_-]?to[_-]|replace[_-]?me)", text, re.I):
        return None  # a placeholder for the user to fill in (`/path/to/model.pkl`), not a location
    if text == "~" or text.startswith("~/") or text.startswith("~\\"):
        return "home"
    if re.match(r"^[A-Za-z]:[\\/]", text) or text.startswith("\\\\"):
        return "absolute"
    if text.startswith("/"):
        if text == "/" or text.startswith(("/dev/", "/proc/", "/tmp", "/etc/")) or " " in text:
            return None
        if text.startswith(CONTAINER_LAYOUTS) or text + "/" in CONTAINER_LAYOUTS:
            return None  # a platform's container contract, the same wherever the code runs
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
        return any(re.search(r"Settings|Config|Conf$|BaseModel", module.imports.resolve(b) or chain_name(b) or "")
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

