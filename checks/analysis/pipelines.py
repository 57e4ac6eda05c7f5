"""The feature pipeline of each side across files: which of the project's functions build the frame a
model is fitted on or predicts from, what each of those functions computes per column, and the
feature lists kept as module constants, so that a training script that calls a shared
`build_features` (or per-feature helpers of another file) is compared by what those functions do.

Per file (plain facts, cached with the file): `builders` (functions that write columns onto a frame
and return it), `lists` (module-level lists of column names), `summaries` (the fingerprints of the
file's functions, `featureprint.summaries`). At the project stage `resolve` completes a file's
training or serving facts from the files it imports.
"""
from __future__ import annotations

import ast
from pathlib import PurePosixPath
import copy
from typing import TYPE_CHECKING, Iterable

from wicked_data.checks.analysis.featureprint import BOUNDARIES, Print, disagreement, holds, printer, resolve as resolve_print, substitute
from wicked_data.checks.analysis.flowtypes import Val, str_list
from wicked_data.checks.analysis.names import dotted, last

if TYPE_CHECKING:
    from wicked_data.checks.analysis.module import ModuleAnalysis


def pipeline_facts(module: ModuleAnalysis) -> dict:
    from wicked_data.checks.analysis.featureprint import summaries
    return {"builders": builders(module), "lists": lists(module), "summaries": summaries(module),
            "aliases": aliases(module), "squashed": squashed_columns(module)}


LABEL_SQUASH = {"log", "log1p", "log2", "log10", "sqrt", "cbrt", "boxcox"}  # transforms a label is trained under
INVERSES = {"exp", "expm1", "power", "pow", "square", "inverse_transform", "inv_boxcox", "exp2"}


def squashed_columns(module: ModuleAnalysis) -> dict[str, list[str]]:
    """Columns written as a log/root of a value (`df["log_sales"] = np.log1p(df["sales"])`): a model
    that learns one as its label predicts on that scale."""
    out = {}
    for write in module.flow.column_writes:
        node = write.node.value if isinstance(write.node, ast.Assign) else write.node
        ops = outer_squash(module, node)
        if ops:
            out[write.column] = sorted(ops)
    return out


def outer_squash(module: ModuleAnalysis, node: ast.AST | None, depth: int = 3) -> set[str]:
    """The log or root a value is, as its last step (`np.log1p(x)`, `x ** 0.5`, `s.apply(np.log)`,
    through `astype`/`fillna` and names): a rolling deviation of log returns is not a log."""
    for _ in range(6):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("astype", "to_numpy", "fillna", "reshape", "ravel", "copy"):
            node = node.func.value
        elif isinstance(node, ast.Attribute) and node.attr == "values":
            node = node.value
        else:
            break
    if isinstance(node, ast.Name) and depth > 0:
        val = module.flow.val_at(node)
        origin = val.node if val is not None else None
        return outer_squash(module, origin, depth - 1) if isinstance(origin, ast.expr) and origin is not node else set()
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant) \
            and node.right.value in (0.5, 1 / 3):
        return {"sqrt" if node.right.value == 0.5 else "cbrt"}
    if isinstance(node, ast.Call):
        name = _canonical(last(module.imports.resolve(node.func) or dotted(node.func) or ""))
        if name in LABEL_SQUASH:
            return {name}
        if name in ("apply", "transform", "pipe") and node.args:
            applied = _canonical(last(dotted(node.args[0]) or ""))
            return {applied} if applied in LABEL_SQUASH else set()
    return set()


def rebalanced_fit(module: ModuleAnalysis) -> dict | None:
    """The saved classifier is fitted on rows an oversampler or undersampler rebalanced, with no
    calibration fitted afterwards: its `predict_proba` describes the rebalanced classes, not the
    population it will score. {"line", "by"} of the fit and the resampling."""
    from wicked_data.checks.analysis.flowtypes import RESAMPLED
    from wicked_data.checks.analysis.kept import kept
    from wicked_data.checks.analysis.lineage import resample_origin

    if any(c.short in ("CalibratedClassifierCV", "IsotonicRegression") for c in module.calls):
        return None
    keeps = kept(module)
    found, names, known = None, set(), True
    for fit in module.model_fits:
        if fit.X is None or not fit.X.flags & RESAMPLED or not keeps.is_saved(fit):
            continue
        paths = keeps.final_paths(fit)
        if paths is not None and not paths:
            continue  # saved, then replaced in its file by a model fitted later on other rows: not served
        names |= {PurePosixPath(p).name for p in paths or () if p}
        known = known and paths is not None and None not in paths
        if found is None:
            origin = resample_origin(module, fit.X)
            what = (origin.method if origin is not None and origin.method not in (None, "fit_resample", "fit_sample")
                    else last(origin.receiver.ctor) if origin is not None and origin.receiver is not None
                    and origin.receiver.ctor else "a resampler")
            found = {"line": module.source.shown_line(fit.line), "by": what or "a resampler",
                     "at": module.source.shown_line(origin.line) if origin is not None else 0}
    if found is not None and known:
        found["paths"] = sorted(names)  # the files holding a rebalanced model when the module has run
    return found


def label_facts(module: ModuleAnalysis) -> dict:
    """How the saved model's label is made: {"ops": the log/root applied to it, "reads": the columns
    it is read from, "line"}."""
    from wicked_data.checks.analysis.kept import kept
    keeps = kept(module)
    for fit in module.model_fits:
        if fit.y is None or not keeps.is_saved(fit):
            continue
        ops: set[str] = set()
        reads: set[str] = set()
        for anc in module.flow.ancestors(fit.y, rows=True, values=True):
            if anc.call is not None and anc.call.short:
                ops.add(_canonical(anc.call.method or anc.call.short))
            if isinstance(anc.key, str) and isinstance(anc.node, ast.Subscript):
                reads.add(anc.key)
                break  # the column the label is read from: what made it is the writer's
        if isinstance(fit.y.node, ast.expr):
            ops |= outer_squash(module, fit.y.node)
        return {"ops": sorted(ops & LABEL_SQUASH), "reads": sorted(reads), "line": fit.line}
    return {"ops": [], "reads": [], "line": 0}


def _canonical(name: str) -> str:
    from wicked_data.checks.analysis.featureprint import _op
    return _op(name)


def inverted(module: ModuleAnalysis, call) -> bool:
    """A prediction's output goes through an inverse of a log or root (`np.expm1(pred)`,
    `pred ** 2`, `scaler.inverse_transform(pred)`) before it leaves."""
    if call.val is None:
        return False
    for c in module.calls:
        if (c.short in INVERSES or c.method in INVERSES) and c.val is not None and c is not call \
                and module.flow.derives_from(c.val, call.val):
            return True
    for node in ast.walk(module.tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            val = module.flow.val_at(node)
            if val is not None and module.flow.derives_from(val, call.val):
                return True
    return False


def aliases(module: ModuleAnalysis) -> dict[str, str]:
    """Names this file imports from the project's own modules (`from features.customer import
    build_features`): another file importing them from this one (a package's `__init__`) reaches
    the same function."""
    from wicked_data.checks.analysis.featureprint import _project
    return {name: target for name, target in module.imports.aliases.items()
            if "." in target and _project(target) and name != target}


def lists(module: ModuleAnalysis) -> dict[str, list[str]]:
    """Module-level lists of names: `FEATURES = ["a", "b"]`, `ALL = NUMERIC + CATEGORICAL` (once per file)."""
    return module.shared(_lists)


def _lists(module: ModuleAnalysis) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for stmt in module.tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            value = names_list(stmt.value, out)
            if value:
                out[stmt.targets[0].id] = value
    return out


def names_list(node: ast.AST, known: dict[str, list[str]]) -> list[str] | None:
    """The column names a list expression holds: a literal, a known list's name, a sum of them."""
    if isinstance(node, ast.Name):
        return known.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = names_list(node.left, known), names_list(node.right, known)
        return left + right if left is not None and right is not None else None
    values = str_list(node)
    return values if isinstance(node, (ast.List, ast.Tuple)) and values else None


def builders(module: ModuleAnalysis) -> dict[str, dict]:
    """Functions that write columns onto a frame and return it (or a selection of it):
    {qualname: {"columns": {column: {"expr", "line", "print"}}, "features": [...] | None,
    "features_ref": imported name | None}}."""
    from wicked_data.checks.analysis.project import divisions, normalise, steps_in

    by_scope: dict[str, list] = {}
    for write in module.flow.column_writes:
        by_scope.setdefault(write.scope, []).append(write)
    p = printer(module)
    out = {}
    for qualname, fn in module.flow.functions.items():
        writes = by_scope.get(qualname)
        if not writes or not fn.returns:
            continue
        columns = {}
        for write in writes:
            node = write.node.value if isinstance(write.node, ast.Assign) else write.node
            columns[write.column] = {"expr": normalise(node), "line": write.line, "steps": sorted(steps_in(node)),
                                     "divides_by": divisions(node), "print": p.of(node, fn).to_json()}
        features, ref = None, None
        for ret in fn.returns:
            node = ret.node
            if isinstance(node, ast.Subscript):
                features, ref = _selection(module, node.slice)
                if features or ref:
                    break
        out[qualname] = {"columns": columns, "features": features, "features_ref": ref}
    return out


def _selection(module: ModuleAnalysis, key: ast.AST) -> tuple[list[str] | None, str | None]:
    """The columns a subscript keeps: a literal list, a module list, or an imported name."""
    cols = str_list(key)
    if cols and not isinstance(key, ast.Constant):
        return cols, None
    if isinstance(key, ast.Name):
        own = lists(module).get(key.id)
        if own:
            return own, None
        resolved = module.imports.resolve(key)
        if resolved:
            return None, resolved
    return None, None


def built_by(module: ModuleAnalysis, X: Val | None, ancestors: list[Val] | None = None) -> dict | None:
    """The calls of other files' functions the frame `X` comes from, nearest first: the first, with
    its position (`at`) among `ancestors` when they are given, and up to three more (`others`); the
    project stage takes the first that is a feature builder."""
    from wicked_data.checks.analysis.featureprint import _project
    chain = ancestors if ancestors is not None else module.flow.ancestors(X, rows=True, values=True)
    found: list[dict] = []
    for position, anc in enumerate(chain):
        call = anc.call
        if call is None or call.method is not None or call.callee is not None or not call.qualname:
            continue
        if _project(call.qualname):
            found.append({"target": call.qualname.lstrip("."), "line": call.line,
                          "args": [printer(module).of(a).to_json() for a in call.node.args], "at": position})
            if len(found) == 4:
                break
    if not found:
        return None
    first = found[0]
    if ancestors is None:
        first.pop("at")
    for other in found[1:]:
        other.pop("at")
    return {**first, "others": found[1:]} if len(found) > 1 else first


def _builder(index: Index, built: dict | None) -> tuple[tuple[str, str, dict], dict] | None:
    """The first of a side's builder calls that the project holds as a feature builder."""
    for call in ([built, *(built.get("others") or ())] if built else ()):
        found = index.builders.get(call["target"])
        if found is not None:
            return found, call
    return None


def list_ref(module: ModuleAnalysis, X: Val | None) -> str | None:
    """`frame[FEATURES]` with `FEATURES` imported from another file of the project."""
    for anc in module.flow.ancestors(X, rows=True, values=True):
        node = anc.node
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Name):
            resolved = module.imports.resolve(node.slice)
            if resolved:
                return resolved
    return None


def fitted_transforms(module: ModuleAnalysis) -> list[dict]:
    """Transforms that learn from the rows (a scaler, an imputer, PCA; not an encoder of
    categories), fitted outside the model, whose output a saved model is trained on, with where
    each is saved: {"what", "line", "saved_to": path | None, "with_model": saved in the model's
    artifact}."""
    from wicked_data.checks.analysis.kept import feeding_saved_models, holds, kept
    from wicked_data.checks.analysis.lineage import path_of
    from wicked_data.checks.analysis.vocab import MODEL_SAVE_METHODS

    keeps = kept(module)
    out = []
    for fit, model in feeding_saved_models(module):
        saved_to, with_model = None, False
        for call in keeps.saves:
            values = [a for a in [*call.args, *call.kwargs.values(), call.receiver] if a is not None]
            if any(holds(module, v, fit) for v in values):
                saved_to = path_of(module, call, 0 if call.method in MODEL_SAVE_METHODS else 1)
                with_model = any(holds(module, v, model) for v in values)
                break
        out.append({"what": last(fit.ctor) or "a transform", "line": fit.line, "saved_to": saved_to,
                    "with_model": with_model, "kept": keeps.is_kept(fit)})
    return out


def uninverted_label(facts: dict[str, dict], train: str, serve: str) -> dict | None:
    """The model learns a log (or root) of its label and the serving side hands out `predict`'s
    output as it is: {"ops", "column", "file", "line"} of where the label is squashed."""
    t, s = facts[train].get("training") or {}, facts[serve].get("serving") or {}
    label = t.get("label") or {}
    if s.get("inverted", True) or s.get("evaluates") or not label:
        return None
    if label.get("ops"):
        return {"ops": label["ops"], "column": None, "file": train, "line": label["line"]}
    if len(label.get("reads") or ()) != 1:
        return None
    column = label["reads"][0]
    folder = train.rsplit("/", 1)[0] if "/" in train else ""
    # the writer nearest the training file first: its own folder, then scripts before notebooks
    for rel, f in sorted(facts.items(), key=lambda kv: ((kv[0].rsplit("/", 1)[0] if "/" in kv[0] else "") != folder,
                                                       kv[0].endswith(".ipynb"), kv[0])):
        ops = ((f.get("pipeline") or {}).get("squashed") or {}).get(column)
        if ops:
            return {"ops": ops, "column": column, "file": rel, "line": label["line"]}
    return None


def unapplied_transforms(facts: dict[str, dict], train: str, serve: str) -> list[dict]:
    """Transforms training fits and saves in a file of their own that the serving side never loads
    (neither the file, nor a module it imports) and never applies (no `.transform` call): the model
    gets the raw values."""
    from wicked_data.checks.analysis.serving.base import import_prefixes

    t, s = facts[train].get("training") or {}, facts[serve].get("serving") or {}
    if s.get("transform_calls") or s.get("input_loaded"):
        return []  # (rows unpickled: saved after training's transforms, as far as the review can tell)
    imported = set(facts[serve].get("local_imports") or ())
    reachable = [serve] + [rel for rel in facts if rel != serve and imported & set(import_prefixes(rel))]
    loaded = {_base(a["path"]) for rel in reachable for a in (facts[rel].get("artifacts") or {}).get("loaded", ())
              if a.get("path")}
    if any(not a.get("path") for rel in reachable for a in (facts[rel].get("artifacts") or {}).get("loaded", ())) \
            and len([a for a in (facts[serve].get("artifacts") or {}).get("loaded", ())]) > 1:
        return []  # a load of a path the review cannot read: it may be the transform's
    return [x for x in t.get("transforms") or () if x["saved_to"] and not x["with_model"]
            and _base(x["saved_to"]) not in loaded]


def _base(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


# ---------------------------------------------------------------------- the project stage
class Index:
    """Every file's builders, lists and summaries, by every name they can be imported under."""

    def __init__(self, facts: dict[str, dict]) -> None:
        from wicked_data.checks.analysis.serving.base import import_prefixes

        self.builders: dict[str, tuple[str, str, dict]] = {}
        self.lists: dict[str, list[str]] = {}
        self.summaries: dict[str, tuple[str, str, dict]] = {}
        for rel, f in facts.items():
            pipe = f.get("pipeline") or {}
            prefixes = import_prefixes(rel) + [""]
            for prefix in prefixes:
                for key, table, target in (("builders", pipe.get("builders") or {}, self.builders),
                                           ("summaries", pipe.get("summaries") or {}, self.summaries)):
                    for qualname, summary in table.items():
                        target.setdefault(f"{prefix}.{qualname}" if prefix else qualname, (rel, qualname, summary))
                for name, values in (pipe.get("lists") or {}).items():
                    self.lists.setdefault(f"{prefix}.{name}" if prefix else name, values)
        for _ in range(3):  # re-exports (`from .customer import build_features` in a package's __init__)
            for rel, f in facts.items():
                for name, target in ((f.get("pipeline") or {}).get("aliases") or {}).items():
                    for prefix in import_prefixes(rel):
                        key = f"{prefix}.{name}"
                        for table in (self.builders, self.summaries, self.lists):
                            if key not in table and target in table:
                                table[key] = table[target]  # type: ignore[index]

    def print_of(self, data: dict | None, args: list[dict] | None = None) -> dict | None:
        """A fingerprint with other files' functions resolved and, for a builder's column, the
        builder's parameters replaced by the arguments of the call (`args`)."""
        if not data:
            return data
        out = resolve_print(data, self.summaries)
        if args is not None:
            resolved = [resolve_print(a, self.summaries) for a in args]
            for context in resolved[1:]:
                # past the rows themselves, a builder's arguments are its context (the as-of date, a
                # cap): what they are read from is a setting of the side, not an input of the feature
                context.settings |= context.reads
                context.reads = set()
            out = substitute(out, resolved)
        return out.to_json()


def resolve(facts: dict[str, dict], rel: str, index: Index) -> dict:
    """`facts[rel]` with its training and serving sides completed from the files it imports: a
    frame built by another file's builder takes that builder's columns; a feature list imported
    by name takes its values; every fingerprint's calls of other files' functions are resolved."""
    f = facts[rel]
    out = dict(f)
    t = f.get("training")
    if t:
        t = copy.deepcopy(t)
        if not t["features"] and t.get("features_ref") in index.lists:
            t["features"] = list(index.lists[t["features_ref"]])
        hit = _builder(index, t.get("built_by"))
        if hit is not None:
            builder, call = hit
            b = builder[2]
            if not t["features"]:
                # a builder returning a selection gives exactly those columns; one returning its whole
                # frame also passes through the columns it was given, which are not known here
                t["features"] = list(b["features"] or index.lists.get(b.get("features_ref") or "", []))
            for column, entry in b["columns"].items():
                if column not in t["derivations"]:
                    t["derivations"][column] = {"expr": entry["expr"], "line": entry["line"], "clock": False,
                                                "steps": entry["steps"], "divides_by": entry["divides_by"],
                                                "print": index.print_of(entry["print"], call["args"]),
                                                "file": builder[0], "builder": call["target"]}
        for d in t["derivations"].values():
            if "builder" not in d:
                d["print"] = index.print_of(d.get("print"))
        out["training"] = t
    s = f.get("serving")
    if s:
        s = copy.deepcopy(s)
        hit = _builder(index, s.get("built_by"))
        if hit is None and s.get("unresolved") and s.get("fallback"):
            s = {**s["fallback"], "predict_line": s.get("predict_line"), "refits": s.get("refits", []),
                 "transform_calls": s.get("transform_calls", 0), "inverted": s.get("inverted", True)}
        elif hit is not None:
            builder, call = hit
            b = builder[2]
            columns = [{"name": column, "expr": entry["expr"], "line": entry["line"], "steps": entry["steps"],
                        "divides_by": entry["divides_by"], "scalar": False,
                        "print": index.print_of(entry["print"], call["args"]),
                        "file": builder[0], "builder": call["target"]}
                       for column, entry in b["columns"].items()]
            if s["features"] and not s.get("passthrough"):
                # the frame was laid out here from the builder's columns: those it computes are the builder's
                by_name = {c["name"]: c for c in columns}
                s["features"] = [by_name.get(e["name"], e) for e in s["features"]]
            else:
                # the builder's frame: the columns it computes, the others as given to it; a builder
                # that returns a selection gives exactly those columns
                from wicked_data.checks.analysis.project import _passthrough
                returned = b["features"] or index.lists.get(b.get("features_ref") or "")
                by_name = {c["name"]: c for c in columns}
                s["features"] = [by_name.get(n) or _passthrough(n, s["line"]) for n in returned] if returned else columns
                s["passthrough"] = not returned
            s.pop("unresolved", None)
            s.pop("unnamed", None)
        for e in s["features"]:
            if "builder" not in e:
                e["print"] = index.print_of(e.get("print"))
        out["serving"] = s
    return out


# ---------------------------------------------------------------------- the diff by category
def print_differences(name: str, derivation: dict | None, entry: dict,
                      computed: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(category, words) for the ways one feature's fingerprints differ between the sides. `computed`:
    the columns training writes; a side reading one of them (or the feature itself) reads a value
    computed somewhere the fingerprint does not show, so the sources are not compared."""
    if derivation is None or not derivation.get("print") or not entry.get("print"):
        return []
    if derivation.get("builder") and derivation.get("builder") == entry.get("builder"):
        return []  # one function builds it on both sides
    t, s = Print.from_json(derivation["print"]), Print.from_json(entry["print"])
    if t.calls or s.calls:
        return []  # part of a side is another library's or an unresolved function: not compared
    _align(t, s)
    out: list[tuple[str, str]] = []
    fills = []
    if t.fills and s.fills and t.fills != s.fills and not ({"value", "param", "per-column"} & (t.fills | s.fills)):
        fills.append(("fill", f"missing values are filled with {_fills(t.fills)} in training and with "
                              f"{_fills(s.fills)} at serving"))
    if s.reads <= {name} and not (s.ops - {"get"}):
        # taken as the caller sends it (perhaps with a default): a request may well carry a field
        # computed upstream, so that alone is no evidence of skew (a clock-derived one is reported
        # from the derivation); only how a missing value is filled is compared, and a value function
        # training applies to the raw column itself (`x = np.log1p(x)`): the caller sends the raw value
        rewritten = t.ops & _TRANSFORMS
        if t.reads == {name} and rewritten and not OPAQUE & t.ops and not (s.ops & _TRANSFORMS):
            fills.insert(0, ("function", f"training applies {', '.join(sorted(rewritten))} to the raw '{name}' "
                                         "before fitting; serving passes the value as sent"))
        return fills
    out: list[tuple[str, str]] = []
    derived = {_norm(c) for c in computed} | {_norm(name)}
    # the same fields, or one side's source unknown (a column picked at run time): the rest compared
    same_source = t.reads == s.reads or not t.reads or not s.reads
    # a function handed to apply/pipe, or a side reading a computed column the other does not: what
    # it does is not all in the print
    opaque = bool(OPAQUE & (t.ops | s.ops)) or any(_norm(r) in derived for r in t.reads ^ s.reads)
    if t.reads and s.reads and t.reads != s.reads and not (t.reads < s.reads) and not opaque:
        only_t, only_s = t.reads - s.reads, s.reads - t.reads
        if only_s:
            words = f"training reads {_names(only_t)} and serving reads {_names(only_s)} for it" if only_t \
                else f"serving also reads {_names(only_s)}, which training does not use"
        else:
            words = f"training also reads {_names(only_t)}, which serving does not use"
        out.append(("source", words))
    ft, fs = t.ops & _TRANSFORMS, s.ops & _TRANSFORMS
    if ft != fs and not opaque:
        words = []
        if ft - fs:
            words.append(f"training applies {', '.join(sorted(ft - fs))}")
        if fs - ft:
            words.append(f"serving applies {', '.join(sorted(fs - ft))}")
        out.append(("function", " and ".join(words)))
    out += fills
    if not (t.pred and s.pred) and (t.reads or s.reads) and same_source and not opaque:
        at, as_ = t.ops & ARITHMETIC, s.ops & ARITHMETIC
        if at != as_:
            out.append(("formula", f"training computes `{derivation['expr']}` and serving `{entry['expr']}`: "
                                   f"{_arith(at)} against {_arith(as_)}"))
        wt, ws = t.ops & WINDOWS, s.ops & WINDOWS
        if wt != ws and t.stats and t.stats == s.stats:
            def over(ops):
                return f"over {', '.join(sorted(ops))} windows" if ops else "with no window, over every row it is given"
            out.append(("window", f"training takes the {', '.join(sorted(t.stats))} {over(wt)}; serving takes it "
                                  f"{over(ws)}"))
    mt, ms = _maps(t), _maps(s)
    if mt and ms and mt != ms:
        out.append(("encoding", f"the categories are coded differently: training {' '.join(sorted(mt))}, serving "
                                f"{' '.join(sorted(ms))}"))
    conditions = bool(t.pred and s.pred and same_source)  # conditions on the same value: evaluated
    if conditions:
        x = disagreement(t.pred, s.pred)
        if x is not None:
            value = int(x) if x == int(x) else x
            named = t.pred.get("subject") or s.pred.get("subject")
            subject = f"'{named}'" if named else _names(t.reads) if t.reads else "the value"
            out.append(("boundary", f"the conditions differ where {subject} is {value}: training's is "
                                    f"{holds(t.pred['tree'], x)}, serving's {holds(s.pred['tree'], x)}"))
    bt, bs = t.ops & BOUNDARIES, s.ops & BOUNDARIES
    if not conditions and bt and bs and bt != bs and t.reads and t.reads == s.reads:
        at = _nums(t.consts & s.consts) if t.consts & s.consts else "the cut"
        out.append(("boundary", f"training compares with {' '.join(sorted(bt))} and serving with {' '.join(sorted(bs))}: "
                                f"values at {at} fall on different sides"))
    if t.divides and s.divides and t.guarded and not s.guarded:
        out.append(("zero guard", "training guards the division against a zero denominator; serving divides "
                                  "unguarded (inf, NaN or ZeroDivisionError where training has its fallback)"))
    if not out and not conditions and t.reads == s.reads and ft == fs and t.divides == s.divides:
        ct, cs = t.consts - {0.0, 1.0}, s.consts - {0.0, 1.0}
        if ct and cs and ct != cs:
            out.append(("constant", f"training uses {_nums(ct)}; serving uses {_nums(cs)}"))
    return out


_TRANSFORMS = {"hour", "minute", "second", "dayofweek", "month", "day", "dayofyear", "quarter", "week", "year",
               "days", "seconds", "total_seconds", "log", "log1p", "log2", "log10", "sqrt", "cbrt", "exp", "expm1", "round", "floor", "ceil", "abs",
               "pow", "qcut", "cut", "rank", "tanh", "sigmoid", "boxcox", "get_dummies", "digitize", "sign"}


def served_as_sent(name: str, entry: dict) -> bool:
    """The serving value is the caller's own field of that name (`payload.get(name, 0)`,
    `req.name`), with nothing computed from it."""
    data = entry.get("print")
    if not data:
        return False
    p = Print.from_json(data)
    return p.reads <= {name} and bool(p.reads) and not (p.ops - {"get"}) and not p.divides and not p.calls


def compared(derivation: dict | None, entry: dict) -> bool:
    """Both sides' fingerprints hold the whole computation: no call of a function the review did not
    resolve, no function handed to `apply`/`pipe`. Otherwise finding no difference says nothing."""
    if derivation is None or not derivation.get("print") or not entry.get("print"):
        return False
    t, s = Print.from_json(derivation["print"]), Print.from_json(entry["print"])
    return not (t.calls or s.calls or OPAQUE & (t.ops | s.ops))


def _maps(p: Print) -> set[str]:
    """The literal lookup tables a fingerprint applies (`map:'F'=0,'M'=1`)."""
    return {o[4:] for o in p.ops if o.startswith("map:")}


def _align(t: Print, s: Print) -> None:
    """Make the two sides' reads comparable: a key one side reads as a setting (from a loaded
    configuration or artifact) is a setting on the other too, and names that differ only in case
    and separators are one name."""
    settings = {_norm(k) for k in t.settings | s.settings}
    t.reads = {r for r in t.reads if _norm(r) not in settings}
    s.reads = {r for r in s.reads if _norm(r) not in settings}
    t.reads, s.reads = _spelled(t.reads, s.reads), _spelled(s.reads, t.reads)


def _spelled(reads: set[str], other: set[str]) -> set[str]:
    """`reads` with each name spelled as in `other` where the two differ only in case and separators
    (`Age` and `age`, `num_items` and `numItems`)."""
    key = {_norm(o): o for o in other}
    return {key.get(_norm(r), r) for r in reads}


def _norm(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def batch_stats(entry: dict) -> list[str]:
    """The statistics a serving feature computes over the rows being scored."""
    data = entry.get("print")
    return sorted(Print.from_json(data).stats & {"mean", "median", "std", "var", "quantile", "mode"}) if data else []


OPAQUE = frozenset({"apply", "pipe", "applymap"})
ARITHMETIC = frozenset({"add", "sub", "mult", "div", "floordiv", "mod", "pow"})
WINDOWS = frozenset({"rolling", "expanding", "ewm", "shift", "diff", "cumsum", "cumcount", "cummax", "cummin",
                     "cumprod", "pct_change"})
_ARITH_WORDS = {"add": "+", "sub": "-", "mult": "*", "div": "/", "floordiv": "//", "mod": "%", "pow": "**"}


def _arith(ops) -> str:
    return " ".join(_ARITH_WORDS[o] for o in sorted(ops)) if ops else "no arithmetic"


def _names(values) -> str:
    return ", ".join(f"'{v}'" for v in sorted(values))


def _fills(values) -> str:
    return " / ".join(sorted(v.replace("stat:", "the rows' ") for v in values))


def _nums(values) -> str:
    return ", ".join(f"{v:g}" for v in sorted(values))
