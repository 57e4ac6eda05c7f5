"""Data handed from one file to another through a file on disk: what a file writes (and what the
written rows have been through), what a file reads (and where the rows it read are split).

A preprocessing script that fits a scaler on every row and saves the result with `to_csv`, and a
training script that reads that file and splits it, leak together although neither leaks alone.
These facts are plain data, cached with the file; the project stage pairs writers and readers by
the file name both use (the literal, or the configuration key that names it) and the leakage
rules report the hand-off (`hand_offs`, `helper_calls`, read by `ML102.check_project` and
`ML103.check_project`).

Per file:
- `writes`: [{"path", "line", "where", "fitted": [{"what", "line", "where", "confidence"}],
  "resampled": [{"line", "where"}], "derived": [...]}] for each frame or array written to a data
  file, with the
  transforms fitted on all of the rows it came from and the oversampling it went through (only
  when the file itself does not split those rows: a file that splits is judged on its own);
- `reads`: [{"path", "line", "where", "splits": [{"line", "where"}], "cv": [...], "features": [...]}]
  for each data file read whose rows the file splits or cross-validates, or chooses the features
  of a model from (`features`: the target columns the file learns and the columns it names or
  drops);
- a written frame also carries `derived`: each column computed from other columns of the rows
  (`{"column", "sources", "line", "where"}`), so a column computed from the label the reader learns
  is found across the hand-off (`target_derived`, read by `ML104.check_project`).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import PurePosixPath

from wicked_data.checks.analysis import vocab
from wicked_data.checks.analysis.flowtypes import RESAMPLED, CallSite, Val
from wicked_data.checks.analysis.kept import kept, outputs
from wicked_data.checks.analysis.leakage import column_derivations, derived_from, feature_selection
from wicked_data.checks.analysis.module import Fit, ModuleAnalysis
from wicked_data.checks.analysis.names import dotted as dotted_name, last
from wicked_data.checks.analysis.production import inference
from wicked_data.checks.analysis.serving.base import import_prefixes
from wicked_data.checks.analysis.syntax import syntax

LABEL_ENCODERS = vocab.LABEL_ENCODERS
READ_CALLS = ("numpy.load", "numpy.loadtxt", "numpy.genfromtxt", "joblib.load", "pickle.load")
PICKLED = ("joblib.dump", "pickle.dump")


def lineage(module: ModuleAnalysis) -> dict:
    return {"writes": _writes(module), "reads": _reads(module), "functions": _functions(module),
            "calls": _calls(module), "files": _files(module), "loaders": _loaders(module),
            "reruns": _reruns(module), "classifies": _classifies(module), "paths": _path_facts(module),
            "scorers": _scorers(module)}


def _scorers(module: ModuleAnalysis) -> list[str]:
    """The module's functions that compute a library metric over what they are given
    (`def classification_metrics(model, true, predicted, x)` calling `recall_score(true, predicted)`)."""
    out = []
    for fn in module.flow.functions.values():
        params = [v for name, v in fn.params.items() if name not in ("self", "cls")]
        if not params:
            continue
        span = (fn.node.lineno, fn.node.end_lineno or fn.node.lineno)
        for metric in module.metric_calls:
            if span[0] <= metric.line <= span[1] and any(
                    a is not None and module.flow.derives_from(a, p) for a in metric.args for p in params):
                out.append(fn.qualname)
                break
    return sorted(out)


def _path_facts(module: ModuleAnalysis) -> dict:
    """Where the paths of unsafe artifact loads come from, for the project stage: the module's
    functions that load from a path given as a parameter (`def load_object(path)`), loads built from
    names imported from the project (`values.ARTIFACT_DIR`), the paths this file hands to the
    project's functions, and its top-level names bound to a path written in the code."""
    from wicked_data.checks.analysis.paths import path_origin
    from wicked_data.checks.analysis.project import third_party

    loads = [load for load in inference(module).loads if load.unsafe]
    by_node = {id(f.node): f for f in module.flow.functions.values()}
    found: dict[str, dict] = {}
    for load in loads:
        call = load.call
        origin = path_origin(module, call.arg(0, "f") if call.args else None,
                             call.node.args[0] if call.node.args else None)
        if origin is None or origin.fixed:
            continue
        fn = by_node.get(id(load.function)) if load.function is not None else None
        entry = {"fn": fn.qualname if fn is not None else None, "params": [], "imported": sorted(set(origin.imported))}
        if origin.params:
            names = [p for p in fn.params if p not in ("self", "cls")] if fn is not None else []
            entry["params"] = sorted({names.index(p) for p in origin.params if p in names})
            if len(entry["params"]) != len(set(origin.params)):
                continue  # a parameter of an enclosing function, or `self`: not followed
        found[str(module.source.shown_line(call.line))] = entry
    handed = []
    for call in module.calls:
        if call.callee is not None or call.method is not None or not call.qualname \
                or third_party(call.qualname.lstrip(".")) or not call.node.args:
            continue
        args = []
        for arg, val in zip(call.node.args, call.args):
            origin = path_origin(module, val, arg) if isinstance(arg, (ast.Constant, ast.Name, ast.Attribute,
                                                                          ast.BinOp, ast.JoinedStr, ast.Call)) else None
            args.append(None if origin is None or origin.params else origin.imported)
        if any(a is not None for a in args):
            handed.append({"target": call.qualname.lstrip("."), "args": args})
    fixed = []
    for stmt in module.tree.body:  # (a class body's constants too: `class Paths: MODEL = "..."`)
        for node in [stmt, *(stmt.body if isinstance(stmt, ast.ClassDef) else ())]:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                origin = path_origin(module, module.flow.val_at(node.value), node.value)
                if origin is not None and origin.fixed:
                    prefix = f"{stmt.name}." if node is not stmt else ""
                    fixed.append(prefix + node.targets[0].id)
    return {"loads": found, "handed": handed, "fixed": sorted(set(fixed))}


def unstratified(split) -> bool:
    """A shuffled `train_test_split`-style split given no `stratify=` (or `stratify=None`)."""
    call = split.call
    if split.kind != "function" or call is None or not split.shuffled:
        return False
    stratify = call.kwarg_node("stratify")
    return stratify is None or (isinstance(stratify, ast.Constant) and stratify.value is None)


def _classifies(module: ModuleAnalysis) -> list[dict]:
    """Calls of other files' functions whose results a classifier of this file learns its labels
    from (`X_tr, X_te, y_tr, y_te = make_split(df, "fraud")` then `clf.fit(X_tr, y_tr)`), with
    whether the file shows its classes to be of comparable size."""
    if not module.model_fits:
        return []
    from wicked_data.checks.analysis.evaluation import evaluation  # (evaluation imports this module's users)
    facts = evaluation(module)
    labels = [f.y for f in module.model_fits if f.y is not None and facts.own_task(f) == "classification"]
    if not labels:
        return []
    out = []
    for call in module.calls:
        if call.callee is not None or call.method is not None or call.val is None or call.qualname is None:
            continue
        if any(module.flow.derives_from(y, call.val, rows=False) for y in labels):
            out.append({"target": call.qualname.lstrip("."), **_place(module, call.line),
                        "balanced": facts.stated_balanced})
    return out


def _loaders(module: ModuleAnalysis) -> dict[str, dict]:
    """Module functions that load a model every time they are called (not cached, not only while
    unset): {qualname: place of the load}."""
    by_node = {id(f.node): name for name, f in module.flow.functions.items()}
    out: dict[str, dict] = {}
    for load in inference(module).loads:
        name = by_node.get(id(load.function)) if load.function is not None else None
        if name and load.placement == "call" and name not in out:
            out[name] = _place(module, load.line)
    return out


def _reruns(module: ModuleAnalysis) -> list[dict]:
    """In a Streamlit script, the calls of other modules' functions made on every rerun (its top
    level and the functions it calls), each with the names the function may be known by."""
    facts = inference(module)
    if facts.rerun_functions is None:
        return []
    out = []
    loads = {id(load.call) for load in facts.loads}
    for key in [0, *facts.rerun_functions]:
        for call in facts.calls_in.get(key, []):
            if call.callee is not None or id(call) in loads:
                continue  # this module's own function, or a call the file already takes for a load
            if call.qualname:
                targets = [call.qualname]
            elif call.method is None and isinstance(call.node.func, ast.Name):
                targets = [f"{m}.{call.node.func.id}" for m in module.imports.stars]
            else:
                targets = []
            if targets:
                out.append({"targets": [t.lstrip(".") for t in targets], **_place(module, call.line)})
    return out


def _files(module: ModuleAnalysis) -> dict[str, list[str]]:
    """The names of every data file the module writes and reads (what ties two folders into one
    pipeline: one writes what the other reads)."""
    written, read = set(), set()
    io_calls = _io_calls(module)
    for call, kind, position in io_calls:
        if kind == "records":
            continue
        name = path_of(module, call, position)
        if _data_file(name):
            (written if kind == "writes" else read).add(name)
    return {"written": sorted(written), "read": sorted(read), "records": _records(module),
            "io": _io_functions(module, io_calls), "via": _via_helpers(module)}


def _io_calls(module: ModuleAnalysis) -> list[tuple[CallSite, str, int]]:
    """(call, 'writes' | 'reads' | 'records', position of its path argument) for the module's calls that
    write or read a data file, or write a record of the run (`json.dump(data, open(path, "w"))`)."""
    out = []
    for call in module.calls:
        value, position = _written(call)
        if call.is_(*RECORD_DUMPS):
            out.append((call, "records", 1))
        elif value is not None or call.is_(*vocab.DATA_WRITE_CALLS):
            out.append((call, "writes", position))
        elif _is_read(call) or call.short in ("load_npz", "read_pickle"):
            out.append((call, "reads", 0))
    return out


def _io_functions(module: ModuleAnalysis, io_calls: list[tuple[CallSite, str, int]]) -> dict[str, dict[str, int]]:
    """The module's functions that write or read a data file, or write a record of the run (JSON, YAML),
    named by one of their parameters (`def save2pkl(path, df): pickle.dump(df, open(path, "wb"))`):
    {qualname: {"writes"|"reads"|"records": index}}."""
    out: dict[str, dict[str, int]] = {}
    by_node = {id(fn.node): fn for fn in module.flow.functions.values() if fn.params}
    if not by_node or not io_calls:
        return out
    syn = syntax(module)
    for call, kind, position in io_calls:
        fn = by_node.get(id(syn.function_of(call.node)))
        if fn is None:
            continue
        path = call.arg(position) if position < len(call.args) else None
        if call.method in vocab.DATA_WRITE_METHODS:
            path = call.arg(0, "path_or_buf") if call.args else None
        params = [p for p in fn.params if p not in ("self", "cls")]
        for index, name in enumerate(params):
            if path is not None and module.flow.derives_from(path, fn.params[name]):
                out.setdefault(fn.qualname, {}).setdefault(kind, index)
    return out


def _via_helpers(module: ModuleAnalysis) -> list[dict]:
    """Data file names handed to the project's own functions of other modules (`save2pkl("../feats/x.pkl",
    df)`): [{"fn": dotted name as imported, "arg": position, "path": file name}], resolved across files
    by the project stage against the callee's `io` summary."""
    from wicked_data.checks.analysis.project import third_party

    out = []
    for call in module.calls:
        if call.callee is not None or call.method is not None or not call.qualname \
                or third_party(call.qualname.lstrip(".")):
            continue
        for index, arg in enumerate(call.node.args):
            name = _literal_tail(arg)
            if _data_file(name) or (name or "").endswith((".pkl", ".pickle")):  # (frames pickled by a helper)
                out.append({"fn": call.qualname.lstrip("."), "arg": index, "path": name})
            elif (pattern := _name_pattern(arg)) and pattern.lower().endswith(RECORD_SUFFIXES):
                out.append({"fn": call.qualname.lstrip("."), "arg": index, "path": pattern})  # (a record's name)
    return out


RECORD_SUFFIXES = (".json", ".yaml", ".yml", ".toml")
RECORD_DUMPS = ("json.dump", "yaml.dump", "yaml.safe_dump", "toml.dump", "tomli_w.dump")


def _records(module: ModuleAnalysis) -> list[str]:
    """File-name patterns of the JSON/YAML/TOML files the code writes (`json.dump(best, open(f"best_{ts}.json",
    "w"))`, `Path("params.json").write_text(...)`): outputs of a run, not configuration it reads."""
    out: set[str] = set()
    for call in module.calls:
        if call.is_(*RECORD_DUMPS):
            node = _handle_path(module, call.arg_node(1, "stream") or call.arg_node(1, "fp") or call.arg_node(1))
        elif call.method in ("write_text", "write_bytes") and isinstance(call.node.func, ast.Attribute):
            node = call.node.func.value
            if isinstance(node, ast.Call) and node.args:  # `Path("x.json").write_text(...)`
                node = node.args[-1]
            elif isinstance(node, ast.Name):
                val = module.flow.val_at(node)
                node = val.call.node.args[-1] if val is not None and val.call is not None and val.call.node.args else node
        elif call.method == "to_json":
            node = call.arg_node(0, "path_or_buf")
        else:
            continue
        pattern = _name_pattern(node)
        if pattern and pattern.lower().endswith(RECORD_SUFFIXES):
            out.add(pattern)
    return sorted(out)


def _handle_path(module: ModuleAnalysis, node: ast.AST | None) -> ast.AST | None:
    """The path of an `open(path, "w")` handle, given directly or through the `with ... as f` name."""
    if isinstance(node, ast.Name):
        val = module.flow.val_at(node)
        node = val.node if val is not None and isinstance(val.node, ast.Call) else node
    if isinstance(node, ast.Call) and last(dotted_name(node.func) or "") == "open" and node.args:
        node = node.args[0]
    if isinstance(node, ast.Name):  # `name = f"best_{ts}.json"; open(name, "w")`
        val = module.flow.val_at(node)
        if val is not None and isinstance(val.node, (ast.JoinedStr, ast.BinOp, ast.Call)):
            return val.node
        bound = [v.node for n, v in module.flow.bindings if n == node.id and isinstance(v.node, ast.JoinedStr)]
        if len(bound) == 1:
            return bound[0]
        # the expression assigned, in the function or at the top (`METRICS_PATH = ROOT / "reports" / "metrics.json"`)
        syn = syntax(module)
        assigned = syn.assigned_values(syn.function_of(node), node.id) or syn.assigned_values(None, node.id)
        return assigned[0] if len(assigned) == 1 else node
    return node


def _name_pattern(node: ast.AST | None) -> str | None:
    """A file name as a glob: a literal's last part, an f-string's constant parts around `*`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return PurePosixPath(node.value).name or None
    if isinstance(node, ast.JoinedStr):
        text = "".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "*" for v in node.values)
        return text.rsplit("/", 1)[-1] or None
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Div)):
        return _name_pattern(node.right)
    if isinstance(node, ast.Call) and node.args and last(dotted_name(node.func) or "") in ("join", "Path"):
        return _name_pattern(node.args[-1])
    return None


DATA_SUFFIXES = (".csv", ".tsv", ".parquet", ".pq", ".feather", ".npz", ".npy", ".arrow", ".orc", ".xlsx", ".xls",
                 ".jsonl", ".h5", ".hdf5", ".txt", ".zip", ".gz")


def _data_file(name: str | None) -> bool:
    """A file name that holds rows (not a model artifact, a table name or a query)."""
    return bool(name) and not any(c.isspace() for c in name) and name.lower().endswith(DATA_SUFFIXES)


def _functions(module: ModuleAnalysis) -> dict[str, dict]:
    """Functions of this file that fit a transform on the rows given to them (a parameter) and
    return what it produced: {qualname: {"fits": [{"param", "what", "line", "where", "confidence"}]}}."""
    out: dict[str, dict] = {}
    fits = [f for f in module.fits if f.kind == "transformer" and last(f.ctor) not in LABEL_ENCODERS
            and f.X is not None and f.call.val is not None]
    splits = [sp for sp in module.splits if unstratified(sp)]
    if not fits and not splits and not any(f.kind == "resampler" for f in module.fits) \
            and not module.calls_named("sklearn.utils.resample"):
        return out
    for fn in module.flow.functions.values():
        if not fn.params:
            continue
        returned = [*fn.returns, *(v for t in fn.returned_tuples for v in t if v is not None)]
        if not returned:
            continue
        params = list(fn.params)
        found = []
        for fit in fits:
            if not (fn.node.lineno <= fit.line <= (fn.node.end_lineno or fit.line)):
                continue
            param = next((i for i, name in enumerate(params)
                          if module.flow.derives_from(fit.X, fn.params[name])), None)
            if param is None or not any(module.flow.derives_from(r, o) for r in returned for o in outputs(module, fit)):
                continue
            if params and params[0] in ("self", "cls"):
                param -= 1
            entry = {"param": param, "what": last(fit.ctor) or "a transform", "confidence": fit.confidence,
                     **_place(module, fit.line)}
            if _under_flag(module, fn, fit.call.node):
                entry["flagged"] = True  # fitted only when a parameter says so (`if training:`)
            found.append(entry)
        resamples = []
        for r in returned:
            origin = resample_origin(module, r) if r.flags & RESAMPLED else None
            if origin is None:
                continue
            inputs = [*origin.args, *origin.kwargs.values()]
            param = next((i for i, name in enumerate(params)
                          if any(module.flow.derives_from(a, fn.params[name]) for a in inputs if a is not None)), None)
            if param is None:
                continue
            if params and params[0] in ("self", "cls"):
                param -= 1
            if not any(x["line"] == module.source.shown_line(origin.line) for x in resamples):
                resamples.append({"param": param, **_place(module, origin.line)})
        # shuffled splits without `stratify=` of what the function is given or reads itself
        split = [_place(module, sp.line) for sp in splits
                 if fn.node.lineno <= sp.line <= (fn.node.end_lineno or sp.line)]
        if found or resamples or split:
            out[fn.qualname] = {"fits": found, "resamples": resamples, "splits": split}
    return out


def _under_flag(module: ModuleAnalysis, fn, node: ast.AST) -> bool:
    """`node` runs under a condition on a parameter of `fn` (`if training:` / `if fit:` ... `else:
    transform`): whether the helper fits depends on how it is called."""
    params = set(fn.params)
    for parent in syntax(module).ancestors(node):
        if parent is fn.node:
            return False
        if isinstance(parent, (ast.If, ast.IfExp)) and any(
                isinstance(n, ast.Name) and n.id in params for n in ast.walk(parent.test)):
            return True
    return False


def _calls(module: ModuleAnalysis) -> list[dict]:
    """Calls of functions imported from elsewhere whose result this file splits or cross-validates,
    with which of the arguments hold only training rows."""
    if not module.splits and not module.cv_calls:
        return []
    out = []
    consumers = _consumers(module)
    stars = module.imports.stars
    for call in module.calls:
        if call.callee is not None or call.method is not None or call.val is None or not call.node.args:
            continue
        targets = [call.qualname] if call.qualname is not None else [
            f"{m}.{call.node.func.id}" for m in stars] if isinstance(call.node.func, ast.Name) else []
        if not targets:
            continue
        key = id(call.val)
        splits = [_place(module, line) for line in consumers["splits"].get(key, ())]
        cv = [_place(module, line) for line in consumers["cv"].get(key, ())]
        if not splits and not cv:
            continue
        trained = [bool(a is not None and any(role == "train" for _, role in a.roles)) for a in call.args]
        for target in targets:  # (a name from a star import: each module it may come from)
            out.append({"target": target.lstrip("."), **_place(module, call.line), "train_args": trained,
                        "splits": splits, "cv": cv})
    return out


def path_of(module: ModuleAnalysis, call, position: int) -> str | None:
    """The file name a save/load call uses, through `open(...)` handles and variables; a path read
    from configuration (`settings["model_file"]`) is named by its key, `config:model_file`."""
    node = call.node.args[position] if position < len(call.node.args) else None
    tail = _literal_tail(node) if node is not None else None
    if tail is not None:
        return tail
    val = call.arg(position) if position < len(call.args) else None
    for anc in module.flow.ancestors(val, values=True):
        node = anc.node
        if isinstance(node, ast.Subscript) and isinstance(anc.key, str):
            return f"config:{anc.key}"
        if isinstance(node, ast.Call):
            tail = _literal_tail(node)  # `model_path = os.path.join(models_dir, "trained_model.pkl")`
            if tail is not None:
                return tail
            for arg in node.args[:1]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value not in FILE_MODES:
                    return PurePosixPath(arg.value).name
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value not in FILE_MODES:
            return PurePosixPath(node.value).name
    for arg in call.node.args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value not in FILE_MODES:
            return PurePosixPath(arg.value).name
    return None


# `path.open("wb")`: the mode of an open call, never the file's name.
FILE_MODES = {m + extra for m in ("r", "w", "a", "x") for extra in ("", "b", "t", "+", "b+", "+b", "t+", "+t")}


def _literal_tail(node: ast.AST) -> str | None:
    """The file name at the end of a path spelled in place: `f"{OUT}/ready.csv"`, `base + "/x.csv"`,
    `os.path.join(d, "x.csv")`, `Path(d) / "x.csv"`; None when the name itself is not written."""
    if isinstance(node, ast.Constant):
        return PurePosixPath(node.value).name if isinstance(node.value, str) and node.value else None
    if isinstance(node, ast.JoinedStr) and node.values:
        last_part = node.values[-1]
        if isinstance(last_part, ast.Constant) and isinstance(last_part.value, str) and "." in last_part.value:
            return PurePosixPath(last_part.value).name or None
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Div)):
        return _literal_tail(node.right)
    if isinstance(node, ast.Call) and node.args and last(dotted_name(node.func) or "") in ("join", "Path", "PurePath"):
        tail = _literal_tail(node.args[-1])
        return tail if tail and "." in tail else None
    return None


def _place(module: ModuleAnalysis, line: int) -> dict:
    """A line as the user sees it: the line (in a notebook, of the cells joined as shown) and
    `where` for messages (`line 12`, `cell 4, line 2`)."""
    source = module.source
    return {"line": source.shown_line(line), "where": source.where(line)}


def _writes(module: ModuleAnalysis) -> list[dict]:
    out = []
    if module.splits:
        return out  # a file that splits is judged on its own (ML102/ML103 in the file)
    fits = [f for f in module.fits if f.kind == "transformer" and last(f.ctor) not in LABEL_ENCODERS
            and f.X is not None and not f.X.roles and f.call.val is not None]
    for call in module.calls:
        written, position = _written(call)
        if written is None:
            continue
        path = path_of(module, call, position)
        if path is None:
            continue
        fitted = []
        columns = [v for a in module.flow.ancestors(written) for v in (a.colvals or {}).values() if v is not None]
        for fit in fits:
            produced = outputs(module, fit)
            if any(module.flow.derives_from(held, out) for out in produced for held in [written, *columns]):
                fitted.append({"what": last(fit.ctor) or "a transform", "confidence": fit.confidence,
                               "kept": kept(module).is_kept(fit), **_place(module, fit.line)})
        resampled = []
        if written.flags & RESAMPLED:
            origin = resample_origin(module, written)
            if origin is not None:
                resampled.append(_place(module, origin.line))
        derived = [{"column": column, "sources": sorted(sources), **_place(module, line)}
                   for column, (sources, line) in sorted(column_derivations(module, written).items()) if sources]
        if fitted or resampled or derived:
            out.append({"path": path, **_place(module, call.line), "fitted": fitted, "resampled": resampled,
                        "derived": derived})
    return out


def _written(call: CallSite) -> tuple[Val | None, int]:
    """The rows a call writes to a data file, and the position of its path argument."""
    if call.method in vocab.DATA_WRITE_METHODS and call.receiver is not None:
        return call.receiver, 0
    if call.is_(*PICKLED):  # `pickle.dump(obj, file)`: the object first, the file second
        return call.arg(0), 1
    if call.is_(*vocab.DATA_WRITE_CALLS):
        return call.arg(1), 0
    return None, 0


def resample_origin(module: ModuleAnalysis, val: Val) -> CallSite | None:
    """The call that first made these rows resampled (an oversampler, rows copied by hand)."""
    origin = None
    for anc in module.flow.ancestors(val, rows=True):  # (through the positions rows are picked by, too)
        if anc.call is not None and anc.flags & RESAMPLED and not any(p.flags & RESAMPLED for p in [*anc.parents, *anc.index]):
            origin = anc.call
    return origin


def _reads(module: ModuleAnalysis) -> list[dict]:
    targets = sorted(module.target_columns) if module.fits else []
    saved_models = [f for f in module.model_fits if f.X is not None and kept(module).is_saved(f)] \
        if module.model_fits else []
    if not module.splits and not module.cv_calls and not targets and not saved_models:
        return []
    out = []
    consumers = None
    trained_by: dict[int, Fit] | None = None
    for call in module.calls:
        if call.val is None or not _is_read(call):
            continue
        path = path_of(module, call, 0)
        if path is None:
            continue
        consumers = consumers or _consumers(module)
        key = id(call.val)
        splits = [_place(module, line) for line in consumers["splits"].get(key, ())]
        cv = [_place(module, line) for line in consumers["cv"].get(key, ())]
        features = _features_from(module, call.val, targets) if targets else []
        if trained_by is None:  # ancestor id -> the first saved model trained on it (one walk per model)
            trained_by = {}
            for f in saved_models:
                for anc in module.flow.ancestors(f.X, rows=True):
                    trained_by.setdefault(id(anc), f)
        model = trained_by.get(key)
        trains = _place(module, model.line) if model is not None else None
        if splits or cv or features or trains:
            out.append({"path": path, **_place(module, call.line), "splits": splits, "cv": cv, "features": features,
                        "trains": trains})
    return out


def _features_from(module: ModuleAnalysis, rows: Val, targets: list[str]) -> list[dict]:
    """The feature matrices chosen from the rows a file read (the columns named, or the columns
    dropped), with the target columns the file learns: what a column computed in the writer is
    used as."""
    out, seen = [], set()
    for X in _matrices_by_source(module).get(id(rows), ()):
        selection = feature_selection(module, X)
        if selection is None or selection.node.lineno in seen:
            continue
        seen.add(selection.node.lineno)
        out.append({"targets": targets, "explicit": selection.explicit, "dropped": selection.dropped,
                    **_place(module, selection.node.lineno)})
    return out


def _matrices_by_source(module: ModuleAnalysis) -> dict[int, list[Val]]:
    """id of each value -> the feature matrices derived from it (one walk per matrix, kept on the
    module: a notebook of many experiments asks it once per read)."""
    return module.shared(_MatricesBySource).index


class _MatricesBySource:
    def __init__(self, module: ModuleAnalysis) -> None:
        self.index: dict[int, list[Val]] = {}
        for X in module.feature_matrices:
            for anc in module.flow.ancestors(X, rows=True):
                bucket = self.index.setdefault(id(anc), [])
                if not bucket or bucket[-1] is not X:
                    bucket.append(X)


def _consumers(module: ModuleAnalysis) -> dict[str, dict[int, list[int]]]:
    """For splits and for cross-validation: the id of each value rows come from -> the lines of the
    splits (cross-validation calls) that take rows from it, computed once and looked up per read."""
    splits: dict[int, list[int]] = {}
    for split in module.splits:
        sources: set[int] = set()
        for inp in split.inputs:
            sources |= module.flow.data_sources(inp)
        for key in sources:
            splits.setdefault(key, []).append(split.line)
    cv: dict[int, list[int]] = {}
    for c in module.cv_calls:
        if (x := c.arg(1, "X")) is not None:
            for key in module.flow.data_sources(x):
                cv.setdefault(key, []).append(c.line)
    return {"splits": splits, "cv": cv}


def _is_read(call: CallSite) -> bool:
    short = call.short or ""
    if call.method is None and short.startswith(("read_", "scan_")) and call.qualname is not None:
        return True
    return call.is_(*READ_CALLS)


@dataclass
class HandOff:
    """Rows one file writes with a label ('fitted' on all rows, 'resampled') that another file of
    the project reads and splits or cross-validates: `entry` is the label's place in the writer."""
    writer: str
    write: dict
    entry: dict
    reader: str
    read: dict

    @property
    def step(self) -> dict:
        return (self.read["splits"] or self.read["cv"])[0]

    @property
    def verb(self) -> str:
        return "splits" if self.read["splits"] else "cross-validates"

    @property
    def related(self) -> list[tuple[str, int, str]]:
        """Where the rows are saved, read, and split."""
        return [(self.writer, self.write["line"], f"the rows are saved to {self.write['path']} here"),
                (self.reader, self.read["line"], f"{self.reader} reads {self.write['path']} here"),
                (self.reader, self.step["line"], f"and {self.verb} them here")]


def hand_offs(facts: dict[str, dict], label: str, consumed=None, kept: bool | None = None) -> list[HandOff]:
    """Every data file one file writes with `label` ('fitted' or 'resampled') and another file of
    the project reads and consumes, once per labelled place of the writer. `consumed(read)` says
    what the reader must do with the rows (by default: split or cross-validate them); `kept`, when
    given, keeps only the labelled places whose transform the writer keeps (True) or not (False).
    Files are paired by the name both use (the file name or configuration key)."""
    consumed = consumed or (lambda read: bool(read["splits"] or read["cv"]))
    readers: dict[str, list[tuple[str, dict]]] = {}
    for rel, f in facts.items():
        for read in (f.get("lineage") or {}).get("reads", ()):
            if consumed(read):
                readers.setdefault(read["path"], []).append((rel, read))
    out: dict[tuple[str, int], HandOff] = {}
    for rel, f in sorted(facts.items()):
        for write in (f.get("lineage") or {}).get("writes", ()):
            for entry in write[label]:
                if kept is not None and entry.get("kept", True) != kept:
                    continue
                reader = next(((r, read) for r, read in readers.get(write["path"], ()) if r != rel), None)
                if reader is not None:
                    out.setdefault((rel, entry["line"]), HandOff(rel, write, entry, *reader))
    return list(out.values())


def by_import_name(facts: dict[str, dict], key: str) -> dict[str, tuple[str, str, dict]]:
    """Dotted name (every module name a file can be imported under, and the bare name) -> (file,
    qualname, summary) for the functions a lineage key (`functions`, `loaders`) lists per file."""
    index: dict[str, tuple[str, str, dict]] = {}
    for rel, f in facts.items():
        summaries = (f.get("lineage") or {}).get(key) or {}
        for prefix in (import_prefixes(rel) + [""]) if summaries else ():
            for qualname, summary in summaries.items():
                index.setdefault(f"{prefix}.{qualname}" if prefix else qualname, (rel, qualname, summary))
    return index


@dataclass
class HelperCall:
    """A call of another file's function that fits a transform on, or oversamples, the rows it is
    given (`entry`: where, in `definer`), made on all rows; the caller splits or cross-validates
    what it returns."""
    caller: str
    call: dict
    definer: str
    entry: dict

    @property
    def name(self) -> str:
        return self.call["target"].rsplit(".", 1)[-1]

    @property
    def step(self) -> dict:
        return (self.call["splits"] or self.call["cv"])[0]

    @property
    def verb(self) -> str:
        return "split" if self.call["splits"] else "cross-validated"

    def related(self, what: str) -> list[tuple[str, int, str]]:
        return [(self.definer, self.entry["line"], what),
                (self.caller, self.step["line"], "the split" if self.call["splits"] else "the cross-validation")]


def helper_calls(facts: dict[str, dict], kind: str) -> list[HelperCall]:
    """Every call of another file's function that fits a transform on (`kind` 'fits') or
    oversamples (`kind` 'resamples') the rows it is given, with rows that are not only training
    rows, when the caller then splits or cross-validates what it returns."""
    index = by_import_name(facts, "functions")
    out = []
    for rel, f in sorted(facts.items()):
        for call in (f.get("lineage") or {}).get("calls", ()):
            found = index.get(call["target"])
            if found is None or found[0] == rel:
                continue
            trained = call["train_args"]
            entry = next((e for e in found[2].get(kind, ())
                          if 0 <= e["param"] < len(trained) and not trained[e["param"]]), None)
            if entry is not None:
                out.append(HelperCall(rel, call, found[0], entry))
    return out


@dataclass
class TargetDerived:
    """A column one file computes from the label another file learns (`sources` reach the target),
    written to a data file the other reads and keeps among its features."""
    writer: str
    column: dict  # the writer's derivation: column, sources, line, where
    reader: str
    use: dict  # the reader's feature choice: targets, explicit/dropped, line, where
    target: str
    path: str


def target_derived(facts: dict[str, dict]) -> list[TargetDerived]:
    """Every column computed (transitively) from the column another file of the project learns as its
    target, written to a data file that file reads and keeps among the features it names (or does
    not drop)."""
    writers: dict[str, list[tuple[str, dict]]] = {}
    for rel, f in facts.items():
        for write in (f.get("lineage") or {}).get("writes", ()):
            if write.get("derived"):
                writers.setdefault(write["path"], []).append((rel, write))
    out = []
    for rel, f in sorted(facts.items()):
        for read in (f.get("lineage") or {}).get("reads", ()):
            for writer, write in writers.get(read["path"], ()):
                if writer == rel:
                    continue
                derivations = {d["column"]: (set(d["sources"]), d["line"]) for d in write["derived"]}
                by_column = {d["column"]: d for d in write["derived"]}
                for use in read.get("features", ()):
                    for target in use["targets"]:
                        leaky = derived_from(derivations, target)
                        if use["explicit"] is not None:
                            kept = [c for c in use["explicit"] if c in leaky]
                        else:
                            kept = sorted(leaky - set(use["dropped"] or ()))
                        if kept:
                            out.append(TargetDerived(writer, by_column[kept[0]], rel, use, target, read["path"]))
                            break
    return out


@dataclass
class RerunLoad:
    """A Streamlit script (`script`, at `call`) that calls, on every rerun, another file's function
    (`loader`, `qualname`) that loads a model each time it runs (at `load`)."""
    script: str
    call: dict
    loader: str
    qualname: str
    load: dict


def rerun_loads(facts: dict[str, dict]) -> list[RerunLoad]:
    index = by_import_name(facts, "loaders")
    out, seen = [], set()
    for rel, f in sorted(facts.items()):
        for call in (f.get("lineage") or {}).get("reruns") or ():
            found = next((index[t] for t in call["targets"] if t in index and index[t][0] != rel), None)
            if found is not None and (found[0], found[2]["line"]) not in seen:
                seen.add((found[0], found[2]["line"]))
                out.append(RerunLoad(rel, call, found[0], found[1], found[2]))
    return out
