"""The project as a whole: what each file contributes to training and to serving, as plain facts
(so they are cached with the file), and the links between files.

Per Python file: the features it trains on and how each is derived (a normalised expression over
raw columns, whether it reads the clock, the steps applied), the frame it builds before `predict`,
the model artifacts it writes and loads, the configuration it reads and the literal settings it
hard-codes. Per config file (YAML, JSON, TOML): its keys with values and lines.
"""
from __future__ import annotations

import ast
import copy
import re
from functools import cached_property
import json
import tomllib
from pathlib import PurePosixPath

from wicked_data.checks.analysis import vocab
from wicked_data.checks.analysis.entries import INPUT_WIDGETS
from wicked_data.checks.analysis.evaluation import evaluation
from wicked_data.checks.analysis.flowtypes import DELTA, Val, str_list
from wicked_data.checks.analysis.leakage import feature_selection
from wicked_data.checks.analysis.kept import LIBRARIES
from wicked_data.checks.analysis.lineage import lineage, path_of
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.names import dotted, last
from wicked_data.checks.analysis.featureprint import fill_value, printer
from wicked_data.checks.analysis.pipelines import Index, built_by, compared, served_as_sent, fitted_transforms, inverted, label_facts, rebalanced_fit, list_ref, pipeline_facts, print_differences, resolve
from wicked_data.checks.analysis.monitoring import TRACKERS
from wicked_data.checks.analysis.serving import service_facts
from wicked_data.checks.analysis.syntax import is_main_test, syntax
from wicked_data.checks.projects import Unit, module_names

FRAME_BUILDERS = {"DataFrame", "from_dict", "from_records", "json_normalize"}
STEP_METHODS = {"fillna", "clip", "replace", "round", "abs", "log", "log1p", "sqrt", "astype", "where", "mask"}
LOAD_CALLS = ("pickle.load", "joblib.load", "torch.load", "cloudpickle.load", "dill.load", "skops.io.load",
              "mlflow.pyfunc.load_model", "mlflow.sklearn.load_model", "xgboost.Booster", "lightgbm.Booster",
              # Keras, TensorFlow and Spark models read back from where training wrote them
              "keras.models.load_model", "keras.saving.load_model", "tensorflow.keras.models.load_model",
              "tensorflow.saved_model.load", "pyspark.ml.PipelineModel.load", "pyspark.ml.tuning.CrossValidatorModel.load",
              "pyspark.ml.tuning.TrainValidationSplitModel.load")
CONFIG_LOADS = ("yaml.safe_load", "yaml.load", "yaml.full_load", "json.load", "json.loads", "tomllib.load",
                "tomllib.loads", "toml.load", "omegaconf.OmegaConf.load", "configparser.ConfigParser",
                "dotenv.load_dotenv", "hydra.main")
CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".toml", ".ini", ".cfg")
SETTING_KWARGS = {"n_estimators", "max_depth", "learning_rate", "test_size", "random_state", "C", "alpha",
                  "min_samples_leaf", "min_samples_split", "num_leaves", "subsample", "max_iter", "n_neighbors",
                  "threshold", "batch_size", "epochs", "lr", "max_features", "colsample_bytree", "gamma",
                  "n_splits", "k", "penalty", "kernel", "objective", "reg_lambda", "reg_alpha", "eta",
                  "num_boost_round", "nfold", "early_stopping_rounds", "hidden_size", "dropout", "weight_decay"}


# ---------------------------------------------------------------------- expressions
def normalise(node: ast.AST | None) -> str:
    """A canonical text for comparing how a feature is computed on either side: record and frame
    accessors become the bare column (`df['a']`, `row.a`, `payload["a"]` -> `a`), conversions that
    do not change the value are dropped (`pd.to_datetime(x)`, `.astype(float)`, `.values`), and
    `.dt.days` reads as `.days`."""
    if node is None:
        return ""
    return ast.unparse(_Normaliser().visit(_copy(node)))


def _copy(node: ast.AST) -> ast.AST:
    """A copy the normaliser may rewrite: never the module's own tree (a statement too is copied)."""
    return ast.parse(ast.unparse(node), mode="eval").body if isinstance(node, ast.expr) else copy.deepcopy(node)


class _Normaliser(ast.NodeTransformer):
    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return ast.Name(id=key.value, ctx=ast.Load())
        self.generic_visit(node)
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.generic_visit(node)
        if node.attr in ("dt", "values", "array"):
            return node.value
        if isinstance(node.value, ast.Name) and node.value.id in _RECORD_NAMES:
            return ast.Name(id=node.attr, ctx=ast.Load())
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        name = dotted(node.func) or ""
        if last(name) in ("to_datetime", "Timestamp", "float", "int", "to_numeric") and len(node.args) == 1:
            return node.args[0]
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("astype", "to_numpy", "copy") :
            return node.func.value
        return node


_RECORD_NAMES = {"row", "record", "r", "df", "data", "frame", "x", "features", "payload", "customer", "item",
                 "request", "req", "body", "inputs", "sample"}


def steps_in(node: ast.AST | None) -> set[str]:
    """The value-changing steps an expression applies (`fillna`, `clip`, ...)."""
    if node is None:
        return set()
    return {n.func.attr for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and n.func.attr in STEP_METHODS - {"astype"}}


def divisions(node: ast.AST | None) -> list[str]:
    """The denominators of the divisions in an expression, normalised."""
    if node is None:
        return []
    return [normalise(n.right) for n in ast.walk(node) if isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Div, ast.FloorDiv, ast.Mod))]


# ---------------------------------------------------------------------- per-file facts
def module_facts(module: ModuleAnalysis) -> dict:
    """The JSON-able facts a project-level rule needs from one Python file. A test of the project
    exercises the pipeline with made-up values: it is neither a training nor a serving side, and its
    literals contradict no configuration."""
    config = _config_use(module)
    if module.is_test:
        config = {**config, "literals": []}
    return {
        "training": None if module.is_test else _training(module),
        "serving": None if module.is_test else _serving(module),
        "service": service_facts(module),
        "artifacts": artifacts(module),
        "models": [] if module.is_test else _model_names(module),
        "config": config,
        "local_imports": sorted({m.split(".")[0] for m in module.imports.modules if m and not third_party(m)}),
        "calls_out": sorted({c.qualname.lstrip(".") for c in module.calls
                             if c.qualname and c.callee is None and c.method is None and not third_party(c.qualname.lstrip("."))}),
        "imported": _imported(module),
        "targets": [] if module.is_test else sorted(module.target_columns),
        "serves": _serves(module),
        "tracks": module.imports.uses(*TRACKERS),
        "pipeline": {"builders": {}, "lists": {}, "summaries": {}} if module.is_test else pipeline_facts(module),
        "orchestrated": _orchestrated(module),
        "bounded_ui": _bounded_ui(module),
        "script": _script(module),
        "main": not module.source.is_notebook and any(isinstance(stmt, ast.If) and is_main_test(stmt.test)
                                                      for stmt in module.tree.body),
        "entries": _entry_spans(module),
        "test": module.is_test,
        "decisions": None if module.is_test else _decisions(module),
        "lineage": {"writes": [], "reads": [], "functions": {}, "calls": [], "files": {"written": [], "read": []}}
        if module.is_test else lineage(module),
    }


def _sorted_codes(val: Val | None) -> bool:
    """The value is a fitted encoder's output that numbers categories in sorted order
    (`LabelEncoder().fit_transform(col)`, an `OrdinalEncoder` with automatic categories)."""
    call = val.call if val is not None else None
    if call is None or call.method != "fit_transform" or call.receiver is None:
        return False
    ctor = last(call.receiver.ctor or "")
    made = call.receiver.node
    automatic = not (isinstance(made, ast.Call) and any(k.arg == "categories" for k in made.keywords))
    return ctor == "LabelEncoder" or ctor == "OrdinalEncoder" and automatic


# Pipeline orchestrators: a function they are handed (a Kedro `node(func=...)`, an Airflow
# `PythonOperator(python_callable=...)`) or that they decorate (Prefect `@task`, Dagster `@op`,
# ZenML `@step`) runs as a step of a batch pipeline, not behind a request.
ORCHESTRATORS = ("kedro", "airflow", "prefect", "dagster", "luigi", "zenml", "metaflow", "flytekit")


def _bounded_ui(module: ModuleAnalysis) -> bool:
    """A Streamlit script whose every input is a typed, bounded widget (sliders, choices, number
    inputs): no free text, no uploaded file or table reaches what it calls."""
    if not any((c.qualname or "").startswith("streamlit.") for c in module.calls):
        return False
    from wicked_data.checks.analysis.production import inference

    facts = inference(module)
    kinds = [k for c in module.calls if (k := facts.widget_kind(c)) is not None]
    return bool(kinds) and all(k == "bounded" for k in kinds)


def _orchestrated(module: ModuleAnalysis) -> list[str]:
    """Qualified names of the project's functions this file hands to an orchestrator uncalled, and
    of its own functions an orchestrator's decorator wraps."""
    out: set[str] = set()
    for call in module.calls:
        if not (call.qualname and call.qualname.lstrip(".").split(".")[0] in ORCHESTRATORS):
            continue
        for arg in [*call.node.args, *(k.value for k in call.node.keywords)]:
            if isinstance(arg, ast.Name):
                name = module.imports.resolve(arg)
                if name and not third_party(name.lstrip(".")):
                    out.add(name.lstrip("."))
                elif arg.id in module.flow.functions:
                    out.add(arg.id)
    for fn in module.flow.functions.values():
        for deco in getattr(fn.node, "decorator_list", ()):
            target = deco.func if isinstance(deco, ast.Call) else deco
            name = module.imports.resolve(target) or ""
            if name.lstrip(".").split(".")[0] in ORCHESTRATORS:
                out.add(fn.qualname)
    return sorted(out)


# Frameworks whose import makes a file part of what answers users: web servers, UI apps, RPC.
FRONT_ENDS = ("streamlit", "gradio", "dash", "grpc", "panel", "shiny", "chainlit")


def _script(module: ModuleAnalysis) -> bool:
    """The file runs as a program (`if __name__ == "__main__":` at its top level) and serves nothing
    (no route, no web, UI or RPC framework imported, no entry function taking a record to score):
    what it loads at its top level is loaded once, when it starts."""
    from wicked_data.checks.analysis.production import inference
    if module.source.is_notebook or not any(isinstance(stmt, ast.If) and is_main_test(stmt.test) for stmt in module.tree.body):
        return False
    facts = inference(module)
    # an entry function that takes the record (`predict(customer)`) is there to be imported and called
    takes_input = any(e.function is not None and [a for a in (*e.function.args.posonlyargs, *e.function.args.args,
                                                               *e.function.args.kwonlyargs) if a.arg != "self"]
                      for e in facts.entries)
    from wicked_data.checks.analysis.serving.base import WEB_FRAMEWORKS

    serves = {*FRONT_ENDS, *WEB_FRAMEWORKS}
    return not takes_input and not any(e.kind == "route" for e in facts.entries) and not facts.rerun_functions \
        and not any(m.split(".")[0] in serves for m in module.imports.modules if m)


def _method_used(module: ModuleAnalysis, fn, qualname: str) -> bool:
    """A method of a class of the module that the module itself reaches: called by its name on
    some object (`current().predict_batch(ids)`: the object's class is not always known), or its
    class constructed here."""
    owner = qualname.split(".")[0]
    return any(c.method == fn.name or c.method is None and c.short == owner for c in module.calls)


def _imported(module: ModuleAnalysis) -> list[str]:
    """Everything the file imports from outside the libraries, fully spelled: modules (`src.models`)
    and names taken from them (`src.models.online.Forecaster`); a relative import keeps its own
    spelling (`online.Forecaster`), which still names the file by its stem; a star import ends in
    `.*` (`helpers.*`)."""
    imports = module.imports
    names = {m for m in imports.modules if m} | set(imports.aliases.values()) | {f"{m}.*" for m in imports.stars}
    return sorted(n for n in names if n and not third_party(n))


def _serves(module: ModuleAnalysis) -> bool:
    """The file answers users itself: it imports a web, UI or RPC framework (a route module, a
    Streamlit or Gradio app, a Dash callback file), or it is a command line whose arguments reach
    the model (`predict.py --recent 3 5 8`)."""
    if module.is_test or module.source.is_notebook:
        return False
    from wicked_data.checks.analysis.production import inference
    from wicked_data.checks.analysis.serving.base import WEB_FRAMEWORKS

    frameworks = (*WEB_FRAMEWORKS, *FRONT_ENDS)
    roots = {f.split(".")[0] for f in frameworks}
    # the framework is used, not only imported (`from flask.config import T`, an editor's stray import)
    used = module.imports.uses(*frameworks) and any(
        c.qualname is not None and c.qualname.split(".")[0] in roots for c in module.calls)
    return used or any(e.kind == "cli" for e in inference(module).entries)


def _entry_spans(module: ModuleAnalysis) -> list[dict]:
    """The file's inference entry points and the functions that apply a model, plain functions (not
    routes, not the module's top level), with their lines: another file may show they only run
    offline."""
    if module.source.is_notebook or module.role == "training" or module.is_test:
        return []
    from wicked_data.checks.analysis.production import inference

    facts = inference(module)
    routes = {id(e.function) for e in facts.entries if e.kind == "route"} | (facts.rerun_functions or set())
    spans = {}
    # entry functions, and any function that applies the model (an evaluation helper)
    for fn in [*(e.function for e in facts.entries), *(p.function for p in facts.predictions)]:
        if fn is None or id(fn) in routes:
            continue  # (a route, or a function a Streamlit script runs on every rerun: served)
        qualname = next((f.qualname for f in module.flow.functions.values() if f.node is fn), fn.name)
        callers = facts.callers(fn)
        spans[qualname] = {"qualname": qualname, "line": fn.lineno, "end": fn.end_lineno or fn.lineno,
                           "called": bool(callers) or "." in qualname and _method_used(module, fn, qualname),
                           "top": any(facts.syntax.function_of(c.node) is None for c in callers),
                           "handed": _model_handed(module, facts, fn)}
    return list(spans.values())


def _model_handed(module: ModuleAnalysis, facts, fn) -> bool:
    """Every model the function applies is one of its own parameters (`def score(model, X): return
    model.predict_proba(X)`): it scores whatever its caller hands it, a helper rather than a service."""
    params = {id(a) for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)}
    preds = [p for p in facts.predictions if p.function is fn]
    return bool(preds) and all(p.model is not None and any(id(a.node) in params for a in module.flow.ancestors(p.model))
                               for p in preds)


def _decisions(module: ModuleAnalysis) -> dict:
    """Where the file decides at the default cut (`p > 0.5`), whether it analyses the threshold, and
    what says the two errors cost differently (the target's name, a stated positive rate)."""
    facts = evaluation(module)
    costly = facts.rare_class_name or (facts.imbalance if module.stated.get("positive-rate") else None)
    predicts = [] if module.model_fits else sorted({module.source.shown_line(c.line) for c in module.predictions
                                                     if c.method == "predict" and not facts.predicts_scores(c)})
    return {"cuts": sorted({module.source.shown_line(n.lineno) for n in facts.default_thresholds}),
            "analysed": bool(facts.threshold_analysis), "costly": costly,
            "stated": bool(module.stated.get("positive-rate")) and not facts.rare_class_name,
            "chosen_at": _threshold_chosen(module, facts), "task": facts.task, "predicts": predicts}


_CURVES = ("precision_recall_curve", "roc_curve", "det_curve")


def _threshold_chosen(module: ModuleAnalysis, facts) -> int:
    """The first line where the file decides at a threshold of its own choice: scores cut at another
    value than 0.5, or the thresholds a curve returns used afterwards (not only a curve drawn). A
    tuned-threshold classifier applies its cut in `predict()` itself: no choice left behind."""
    lines = [n.lineno for n, t in facts.probability_compares
             if t is not None and t != 0.5 and not (t == 0 and facts.is_margin(n))]
    parent = syntax(module).parent
    loads: dict[str, list[int]] | None = None
    for call in module.calls:
        if call.short not in _CURVES:
            continue
        stmt = parent.get(id(call.node))
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Tuple)
                and len(stmt.targets[0].elts) == 3 and isinstance(stmt.targets[0].elts[2], ast.Name)):
            continue
        if loads is None:
            loads = {}
            for node in ast.walk(module.tree):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and hasattr(node, "lineno"):
                    loads.setdefault(node.id, []).append(node.lineno)  # (names a notebook magic's rewrite made have none)
        name = stmt.targets[0].elts[2].id
        if name != "_" and any(line > call.line for line in loads.get(name, ())):
            lines.append(call.line)
    return module.source.shown_line(min(lines)) if lines else 0


def third_party(name: str) -> bool:
    return name.split(".")[0] in LIBRARIES




def _training(module: ModuleAnalysis) -> dict | None:
    if not module.model_fits:
        return None
    features: list[str] = []
    list_line = 0
    builder, ref = None, None
    for X in module.feature_matrices:
        selection = feature_selection(module, X)
        if selection is not None and selection.explicit:
            features, list_line = list(selection.explicit), selection.node.lineno
            break
    for X in module.feature_matrices:  # a frame built by another file's function, a list imported by name
        builder = builder or built_by(module, X)
        if not features:
            ref = ref or list_ref(module, X)
            if ref and not list_line:
                list_line = getattr(X.node, "lineno", 0)
    if builder and not list_line:
        list_line = builder["line"]
    p = printer(module)
    derivations = {}
    for write in _defining_writes(module):
        node = write.node.value if isinstance(write.node, ast.Assign) else write.node
        derivations[write.column] = {
            "expr": normalise(node), "line": write.line, "clock": bool(write.value is not None and write.value.flags & DELTA),
            "steps": sorted(steps_in(node)), "divides_by": divisions(node), "print": p.of(node).to_json(),
        }
        if _sorted_codes(write.value):
            derivations[write.column]["sorted_codes"] = True
    frame_steps = []
    for call in module.method_calls("fillna", "replace", "clip", "dropna"):
        receiver = call.node.func.value  # type: ignore[attr-defined]
        if isinstance(receiver, ast.Subscript) or call.receiver is None or call.receiver.shape != "frame":
            continue  # a column, or an expression: part of that feature's own derivation
        frame_steps.append({"op": module.text(call.node.func).split(".")[-1] + _args(module, call.node), "line": call.line,
                            "method": call.method, **({"fills": frame_fills(module, call)} if call.method == "fillna" else {})})
    return {"features": features, "features_line": list_line, "derivations": derivations, "frame_steps": frame_steps,
            "built_by": builder, "features_ref": ref, "transforms": fitted_transforms(module),
            "label": label_facts(module), "rebalanced": rebalanced_fit(module), "dummies": dummy_encodings(module)}


def _defining_writes(module: ModuleAnalysis) -> list:
    """The write that defines each column, in the order written: the last one, except that a write in
    a function the file never calls does not replace one that runs (a method pasted into a notebook
    cell), and a constant (`df["x"] = 0.0` in the branch without the input) does not replace a
    computed one."""
    kept: dict[str, object] = {}
    for write in module.flow.column_writes:
        old = kept.get(write.column)
        if old is not None and (_uncalled(module, write.scope) and not _uncalled(module, old.scope)
                                or _constant(write) and not _constant(old)):
            continue
        kept.pop(write.column, None)
        kept[write.column] = write
    return list(kept.values())


def _uncalled(module: ModuleAnalysis, scope: str) -> bool:
    fn = module.flow.functions.get(scope)
    return fn is not None and fn.calls == 0


def _constant(write) -> bool:
    node = write.node.value if isinstance(write.node, ast.Assign) else None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return isinstance(node, ast.Constant)


def _args(module: ModuleAnalysis, call: ast.Call) -> str:
    text = ", ".join(module.text(a) for a in call.args)
    return f"({text})"


def dummy_encodings(module: ModuleAnalysis) -> list[dict]:
    """The columns a file one-hot encodes with `get_dummies`, each with the text its dummy columns
    start with: `prefix` (one, a list in column order, or a dict) and `prefix_sep`, or by default the
    column's name and "_" for a frame's columns, nothing for a Series. A prefix or column list the
    code does not spell out is left out (not compared)."""
    out = []
    for call in module.calls_named("pandas.get_dummies"):
        data, columns_node = call.arg_node(0, "data"), call.kwarg_node("columns")
        series = False
        columns = str_list(columns_node) if columns_node is not None else None
        if columns_node is None and isinstance(data, ast.Subscript):
            one = data.slice.value if isinstance(data.slice, ast.Constant) and isinstance(data.slice.value, str) else None
            columns, series = ([one], True) if one is not None else (str_list(data.slice), False)
        sep_node, prefix_node = call.kwarg_node("prefix_sep"), call.kwarg_node("prefix")
        sep = "_" if sep_node is None else sep_node.value if isinstance(sep_node, ast.Constant) \
            and isinstance(sep_node.value, str) else None
        if not columns or sep is None:
            continue
        for i, column in enumerate(columns):
            if prefix_node is None or isinstance(prefix_node, ast.Constant) and prefix_node.value is None:
                prefix = "" if series else column + sep
            elif isinstance(prefix_node, ast.Constant) and isinstance(prefix_node.value, str):
                prefix = prefix_node.value + sep
            elif isinstance(prefix_node, (ast.List, ast.Tuple)) and len(prefix_node.elts) == len(columns) \
                    and isinstance(prefix_node.elts[i], ast.Constant) and isinstance(prefix_node.elts[i].value, str):
                prefix = prefix_node.elts[i].value + sep
            elif isinstance(prefix_node, ast.Dict):
                given = {k.value: v.value for k, v in zip(prefix_node.keys, prefix_node.values)
                         if isinstance(k, ast.Constant) and isinstance(v, ast.Constant) and isinstance(v.value, str)}
                if column not in given:
                    continue
                prefix = given[column] + sep
            else:
                continue
            out.append({"column": column, "prefix": prefix, "line": call.line})
    return out


def frame_fills(module: ModuleAnalysis, call) -> dict[str, str]:
    """What a whole-frame `fillna` puts in each column's gaps: `{"score": "0"}` for
    `fillna({"score": 0})`, `{"*": "stat:median"}` for `fillna(df.median())` (every column, with a
    statistic of the rows at hand). A value that cannot be read (a variable dict) is "value"."""
    node = call.arg_node(0, "value")
    if node is None:
        return {}
    if isinstance(node, ast.Name) and isinstance(_bound(module, node), ast.Dict):
        node = _bound(module, node)
    if isinstance(node, ast.Dict):
        out = {}
        for key, value in zip(node.keys, node.values):
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                return {"*": "value"}
            out[key.value] = fill_value(value, printer(module))
        return out
    return {"*": fill_value(node, printer(module))}


def _serving(module: ModuleAnalysis) -> dict | None:
    """The frame handed to `predict` on a model this file did not fit (a loaded one)."""
    if module.model_fits:
        return None
    writes = _serving_writes(module)
    for call in module.predictions:
        if call.receiver is None:
            continue
        X = call.arg(0, "X")
        frame = _feature_frame(module, X, writes)
        if frame is None:
            continue
        frame["predict_line"] = call.line
        frame["refits"] = [f.line for f in module.fits if f.kind == "transformer"]
        frame["transform_calls"] = len(module.method_calls("transform", "inverse_transform"))
        frame["inverted"] = inverted(module, call)
        frame["probabilities"] = _probability_lines(module)
        frame["dummies"] = dummy_encodings(module)
        frame["aligned"] = _aligned(module)
        frame.update(_use_of(module, call, X))
        return frame
    for call in module.predictions:  # a frame the review cannot name (an array, a DMatrix): no features
        if call.receiver is not None and (module.calls_named(*LOAD_CALLS) or module.method_calls("load_model")):
            return {"features": [], "line": call.line, "steps": [], "predict_line": call.line, "refits": [],
                    "unnamed": True, "transform_calls": len(module.method_calls("transform", "inverse_transform")),
                    "inverted": inverted(module, call), "probabilities": _probability_lines(module),
                    "dummies": dummy_encodings(module), **_use_of(module, call, call.arg(0, "X"))}
    return None


# What a fitted model remembers of the columns it was trained on.
MODEL_COLUMNS = ("feature_names_in_", "feature_name_", "feature_names", "feature_names_")


def _aligned(module: ModuleAnalysis) -> bool:
    """The serving frame is laid out by the columns the loaded model (or a loaded list) remembers:
    `frame.reindex(columns=model.feature_names_in_, fill_value=0)`: dummy columns of categories the
    request lacks become zeros, extra ones are dropped; the encoding needs no saved encoder."""
    for call in module.method_calls("reindex"):
        columns = call.kwarg_node("columns")
        if columns is None:
            continue
        val = call.kwargs.get("columns")
        if any(isinstance(n, ast.Attribute) and n.attr in MODEL_COLUMNS for n in ast.walk(columns)) or any(
                a.call is not None and (a.call.is_(*LOAD_CALLS) or a.call.is_(*CONFIG_LOADS))
                for a in module.flow.ancestors(val)):
            return True
    return False


def _use_of(module: ModuleAnalysis, call, X: Val | None) -> dict:
    """How a side uses its model: `input_loaded` when the rows predicted on are a deserialised object
    (an array pickled after training's transforms: nothing left to apply), `evaluates` when every
    prediction of the file reaches a metric (a held-out evaluation, not a service)."""
    ancestors = list(module.flow.ancestors(X, rows=True)) if X is not None else []
    # a loaded transform applied on the way (`scaler.transform(row)`) is not loaded rows
    applied = {id(v) for a in ancestors if a.call is not None and a.call.receiver is not None
               and a.call.method in ("transform", "inverse_transform", "predict", "predict_proba")
               for v in (a.call.receiver, *module.flow.ancestors(a.call.receiver))}
    loaded = any(a.call is not None and a.call.is_(*LOAD_CALLS) and id(a) not in applied for a in ancestors)
    metrics = [m for m in module.evaluation_calls if m.val is not None]
    outputs = [p.val for p in module.predictions if p.val is not None]
    evaluates = bool(outputs) and all(any(module.flow.derives_from(m.val, out) for m in metrics) for out in outputs)
    return {"input_loaded": loaded, "evaluates": evaluates}


# Request fields that are always strings: a missing one fails the request before any feature is built.
_FORM_FIELDS = ("flask.request.form", "flask.request.args", "flask.request.values")


def _never_missing(module: ModuleAnalysis, node: ast.AST) -> bool:
    """The served value cannot be missing: an `int()`/`str()`/`bool()` of one value (a missing or
    empty one raises, none gives NaN), or a required form field (`request.form["rooms"]`, a string
    or a failed request)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("int", "str", "bool") \
            and node.func.id not in module.flow.functions and len(node.args) == 1 and not node.keywords:
        return True
    return isinstance(node, ast.Subscript) and (module.imports.resolve(node.value) or "") in _FORM_FIELDS


def _probability_lines(module: ModuleAnalysis) -> list[int]:
    """Lines where the serving code asks a loaded classifier for its probabilities."""
    return sorted({module.source.shown_line(c.line) for c in module.predictions if c.method == "predict_proba"})


def _serving_writes(module: ModuleAnalysis) -> dict[str, dict]:
    """Features computed at serving by assignment: `row["ratio"] = p["a"] / p["b"]` (a scalar on a
    record) or `frame["ratio"] = frame["a"] / frame["b"]` (vectorised on a frame)."""
    out = {}
    for write in _defining_writes(module):
        node = write.node.value if isinstance(write.node, ast.Assign) else write.node
        out[write.column] = _entry(write.column, node, scalar=write.frame is None or write.frame.shape != "frame",
                                   module=module)
    return out


def _entry(name: str, node: ast.AST, scalar: bool, module: ModuleAnalysis | None = None) -> dict:
    out = {"name": name, "expr": normalise(node), "line": node.lineno, "steps": sorted(steps_in(node)),
           "divides_by": divisions(node), "scalar": scalar}
    if module is not None:
        out["print"] = printer(module).of(node).to_json()
        if _never_missing(module, node):
            out["present"] = True
    codes = _codes(module, node) if module is not None else None
    if codes:
        out["codes"] = codes
    return out


def _codes(module: ModuleAnalysis, node: ast.AST) -> dict[str, int] | None:
    """The category codes a hand-written map gives (`gender_map.get(g, 0)`, `CODES[g]`,
    `col.map(CODES)`), when the map is a literal dict of strings to integers."""
    table = None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        table = node.func.value
    elif isinstance(node, ast.Subscript):
        table = node.value
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("map", "replace") \
            and node.args:
        table = node.args[0]
    if isinstance(table, ast.Name):
        val = module.flow.val_at(table)
        table = val.node if val is not None else None
    if not isinstance(table, ast.Dict) or not table.keys:
        return None
    codes = {}
    for key, value in zip(table.keys, table.values):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str) and isinstance(value, ast.Constant)
                and isinstance(value.value, int) and not isinstance(value.value, bool)):
            return None
        codes[key.value] = value.value
    return codes


def _passthrough(name: str, line: int) -> dict:
    return {"name": name, "expr": name, "line": line, "steps": [], "divides_by": [], "scalar": False,
            "print": {"reads": [name], "ops": [], "consts": [], "fills": [], "stats": [], "guarded": False,
                      "divides": False, "clock": False, "params": [], "calls": []}}


def _feature_frame(module: ModuleAnalysis, X: Val | None, writes: dict[str, dict]) -> dict | None:
    """The named features of the value given to predict: a dict literal (in `pd.DataFrame([{...}])`
    or returned by a helper), a column list, a positional array of record fields, or a selection by
    a list known only at run time (every feature then comes as given)."""
    ancestors = list(module.flow.ancestors(X, rows=True, values=True))
    held = {id(a) for a in ancestors}
    # steps applied in place to a frame the rows come from (`days.fillna(0, inplace=True)`)
    steps: set[str] = {c.method for c in module.method_calls(*STEP_METHODS) if c.receiver is not None
                       and id(c.receiver) in held and _true(c.kwarg_node("inplace"))}
    builder = built_by(module, X, ancestors)  # another file's function builds the frame (resolved by the project)
    # a frame laid out after the builder (nearer the prediction) holds its columns; one found beyond
    # it is the builder's input, used only if the project does not hold the builder
    position = builder.pop("at") if builder is not None else len(ancestors)
    # steps on the way, wherever the columns are named (`frame.fillna(...)` before `frame[cols]`)
    stepped = [a.call for a in ancestors[:position] if a.call is not None and a.call.method in STEP_METHODS]
    steps |= {c.method for c in stepped}
    fills: dict[str, str] = {}
    for call in [*stepped, *(c for c in module.method_calls("fillna") if c.receiver is not None
                             and id(c.receiver) in held and _true(c.kwarg_node("inplace")))]:
        if call.method == "fillna":
            fills.update(frame_fills(module, call))
    frame = _frame_of(module, X, writes, ancestors[:position], steps)
    if frame is not None and fills:
        frame["fills"] = fills
    if frame is not None and frame.get("passthrough") and _internal_param(module, ancestors[:position]):
        # the row is a helper's parameter and the helper's callers are not followed: not the request
        frame = {**frame, "features": [], "passthrough": False, "unnamed": True}
    if builder is None:
        return frame
    if frame is not None:
        return {**frame, "built_by": builder}
    fallback = _frame_of(module, X, writes, ancestors, set(steps))
    return {"features": [], "line": builder["line"], "steps": sorted(steps), "built_by": builder, "unresolved": True,
            "fallback": fallback}


def _internal_param(module: ModuleAnalysis, ancestors: list[Val]) -> bool:
    """The values come from an unbound parameter of a function that this file itself calls (a
    cached helper given a tuple of values): what they hold is decided by the caller in this file."""
    called = {id(fn.node.args): fn for fn in module.flow.functions.values() if fn.calls}
    parents_of = {}
    for fn in called.values():
        for arg in (*fn.node.args.posonlyargs, *fn.node.args.args, *fn.node.args.kwonlyargs):
            parents_of[id(arg)] = fn
    return any(isinstance(a.node, ast.arg) and id(a.node) in parents_of and not a.parents for a in ancestors)


def _true(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _frame_of(module: ModuleAnalysis, X: Val | None, writes: dict[str, dict], ancestors: list[Val],
              steps: set[str]) -> dict | None:
    selected_at: int | None = None  # `frame[bundle["features"]]`: names known only at run time
    built_at: int | None = None  # `pd.DataFrame([record])`: the caller's fields, whatever they are
    for anc in ancestors:
        if anc.call is not None and anc.call.method in STEP_METHODS:
            steps.add(anc.call.method)
        node = anc.node
        if anc.call is not None and last(anc.call.name) == "concat" and _side_by_side(anc.call.node):
            return _concatenated(module, anc.call.node, writes, steps)
        if isinstance(node, ast.Dict) and node.keys and all(isinstance(k, ast.Constant) for k in node.keys):
            entries = [writes.get(k.value) or _entry(k.value, v, scalar=True, module=module)
                       for k, v in zip(node.keys, node.values)]
            return {"features": entries, "line": node.lineno, "steps": sorted(steps)}
        if isinstance(node, ast.Dict) and None in node.keys \
                and all(k is None or isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys):
            # `{**record, "ratio": ...}`: the caller's fields as given, plus the ones computed here
            entries = [writes.get(k.value) or _entry(k.value, v, scalar=True, module=module)
                       for k, v in zip(node.keys, node.values) if k is not None]
            return {"features": entries, "passthrough": True, "line": node.lineno, "steps": sorted(steps)}
        if anc.call is not None and built_at is None and last(anc.call.name) in FRAME_BUILDERS:
            columns = str_list(anc.call.kwarg_node("columns")) if anc.call.kwarg_node("columns") is not None else None
            if columns and len(columns) > 1 and selected_at is None:
                entries = [dict(writes.get(c) or _passthrough(c, anc.call.line)) for c in columns]
                fields = _positional_fields(module, anc.call.node.args[0]) if anc.call.node.args else None
                if fields is not None and len(fields) == len(entries):
                    for entry, field in zip(entries, fields):
                        entry["field"] = field
                return {"features": entries, "line": anc.call.line, "steps": sorted(steps)}
            built_at = anc.call.line
        if isinstance(node, ast.Subscript):
            cols = str_list(node.slice)
            if cols is None and anc.index and anc.index[0].node is not None:
                cols = str_list(anc.index[0].node)
            if cols and len(cols) > 1:
                entries = [writes.get(c) or _passthrough(c, node.lineno) for c in cols]
                return {"features": entries, "line": node.lineno, "steps": sorted(steps)}
            if cols is None and selected_at is None and not isinstance(node.slice, (ast.Slice, ast.Tuple, ast.Compare)):
                selected_at = node.lineno
        if anc.call is not None and anc.call.method == "reindex" and anc.call.kwarg_node("columns") is not None \
                and selected_at is None:
            selected_at = anc.call.line
        laid_out = anc.call.node.args[0] if anc.call is not None and anc.call.node.args \
            and last(anc.call.name) in ("array", "asarray", "tensor", "DMatrix") else \
            node if anc is ancestors[0] and isinstance(node, ast.List) and _row_literal(node) \
            else None  # (`model.predict([[a, b, c]])`: the value predicted on is one row of values, as a list)
        if laid_out is not None:
            frame = _laid_out(module, laid_out, writes, steps)
            if frame is not None:
                return frame
    if selected_at is not None or built_at is not None:
        # every feature comes as the caller gave it, except the columns written on the way here
        computed = {w.column: writes[w.column] for w in _writes_reaching(module, ancestors) if w.column in writes}
        return {"features": list(computed.values()), "passthrough": True, "line": selected_at or built_at,
                "steps": sorted(steps)}
    return None


def _side_by_side(call: ast.Call) -> bool:
    """`pd.concat([a, b], axis=1)`: frames joined column-wise."""
    axis = next((k.value for k in call.keywords if k.arg == "axis"), None)
    return bool(call.args) and isinstance(call.args[0], (ast.List, ast.Tuple)) and isinstance(axis, ast.Constant) \
        and axis.value in (1, "columns")


def _concatenated(module: ModuleAnalysis, call: ast.Call, writes: dict[str, dict], steps: set[str]) -> dict | None:
    """The columns of frames joined side by side, each piece followed on its own; a piece whose
    columns are not known leaves the frame open (passthrough)."""
    features: list[dict] = []
    passthrough = False
    for elt in call.args[0].elts:  # type: ignore[attr-defined]
        val = module.flow.val_at(elt)
        piece = _frame_of(module, val, writes, list(module.flow.ancestors(val, rows=True, values=True)), steps) \
            if val is not None else None
        if piece is None or piece.get("positional"):
            passthrough = True
            continue
        features += [f for f in piece["features"] if f["name"] not in {g["name"] for g in features}]
        passthrough |= bool(piece.get("passthrough"))
    if not features:
        return None
    return {"features": features, "line": call.lineno, "steps": sorted(steps), **({"passthrough": True} if passthrough else {})}


def _positional_fields(module: ModuleAnalysis, node: ast.AST) -> list[str | None] | None:
    """For values laid out by position (`[[location, sqft, bath]]`), the record field each one was
    read from (`request.form.get("bath")`, `payload["sqft"]`, through names and conversions), or None
    where it was not read from a named field."""
    values = _positional_values(module, node)
    return [_field_read(module, v) for v in values] if values else None


def _row_literal(node: ast.List) -> bool:
    """`[[a, b, c]]` or `[a, b, c]` (as the flow holds the row): values, not names of columns."""
    if len(node.elts) == 1 and isinstance(node.elts[0], (ast.List, ast.Tuple)):
        node = node.elts[0]  # type: ignore[assignment]
    return len(node.elts) > 1 and not any(
        isinstance(e, (ast.List, ast.Tuple, ast.Starred)) or isinstance(e, ast.Constant) and isinstance(e.value, str)
        for e in node.elts)


def _laid_out(module: ModuleAnalysis, laid_out: ast.AST, writes: dict[str, dict], steps: set[str]) -> dict | None:
    """The frame of values laid out by position (`np.array([[...]])`, `[[...]]`): named by the
    record fields they were read from, or else known by position only."""
    fields = _positional_fields(module, laid_out)
    names = fields if fields and all(fields) else None
    if names:
        entries = [writes.get(n) or _passthrough(n, laid_out.lineno) for n in names]
        return {"features": entries, "line": laid_out.lineno, "steps": sorted(steps), "positional": True}
    values = _positional_values(module, laid_out) if fields else None
    if not values:
        return None
    # values with no field name (a widget's, a callback's parameter): known by position only, named
    # after the training features when the project pairs the sides (`by_position`)
    entries = [_passthrough(f"#{i + 1}", laid_out.lineno) if _raw_input(module, v)
               else _entry(f"#{i + 1}", v, scalar=True, module=module) for i, v in enumerate(values)]
    return {"features": entries, "line": laid_out.lineno, "steps": sorted(steps), "positional": True,
            "by_position": True}


def _positional_values(module: ModuleAnalysis, node: ast.AST) -> list[ast.expr] | None:
    """The expressions laid out by position (`[[age, sex_code, chol]]`, a list bound to a name)."""
    if isinstance(node, ast.Name):  # `values = [...]` then `np.array(values)`
        node = _bound(module, node)
    while isinstance(node, ast.List) and len(node.elts) == 1 and isinstance(node.elts[0], (ast.List, ast.Tuple)):
        node = node.elts[0]
    if not isinstance(node, (ast.List, ast.Tuple)) or len(node.elts) < 2 \
            or any(isinstance(e, ast.Starred) for e in node.elts):
        return None
    return list(node.elts)


# UI input widgets (Streamlit's table, and the built-in `input`): what they return is the user's raw value.
_INPUT_WIDGETS = INPUT_WIDGETS | {"input"}


def _raw_input(module: ModuleAnalysis, node: ast.AST) -> bool:
    """The value is what the user typed, as typed: a function's parameter (a UI callback's input),
    an input widget's value, a request field, through names and number conversions."""
    for _ in range(6):
        if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords \
                and last(dotted(node.func) or "") in ("float", "int"):
            node = node.args[0]
            continue
        if isinstance(node, ast.Name):
            bound = _bound(module, node)
            if isinstance(bound, ast.arg):
                return True
            if bound is None:
                return False
            node = bound
            continue
        if isinstance(node, ast.Call):
            return last(dotted(node.func) or "") in _INPUT_WIDGETS or _field_read(module, node) is not None
        return _field_read(module, node) is not None
    return False


def _bound(module: ModuleAnalysis, name: ast.Name) -> ast.AST | None:
    """What a name was bound to: the assigned expression, or the binding node itself (a parameter,
    a loop target); None when the flow does not know."""
    val = module.flow.val_at(name)
    origin = val.node if val is not None else None
    if origin is None or origin is name:
        return None
    return origin.value if isinstance(origin, (ast.Assign, ast.AnnAssign)) and origin.value is not None else origin


def _field_read(module: ModuleAnalysis, node: ast.AST) -> str | None:
    for _ in range(6):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            return node.slice.value
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("get", "getlist") \
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            return node.args[0].value
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            return node.attr  # a field of a parsed request (`payload.age`)
        if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords \
                and last(dotted(node.func) or "") in ("float", "int", "str", "bool", "Decimal"):
            node = node.args[0]  # a conversion of one value
            continue
        if isinstance(node, ast.Name):
            bound = _bound(module, node)
            if bound is None:
                return None
            node = bound
            continue
        return None
    return None


def _writes_reaching(module: ModuleAnalysis, ancestors: list[Val]) -> list:
    """The column writes whose result is among `ancestors` (`row["r"] = ...` before the row is
    framed; not a score written back after the prediction)."""
    nodes = {id(a.node) for a in ancestors if a.node is not None}
    parent = syntax(module).parent
    out = []
    for write in module.flow.column_writes:
        node, hops = write.node, 0
        while node is not None and hops < 3 and id(node) not in nodes:  # `.assign(r=...)`: the call holds it
            node, hops = parent.get(id(node)), hops + 1
        if node is not None and id(node) in nodes:
            out.append(write)
    return out


def artifacts(module: ModuleAnalysis) -> dict:
    """The model files a module writes and loads ({"written": [{"path", "line"}], "loaded": [...]})."""
    written, loaded = [], []
    for call in module.calls:
        if call.short not in _ARTIFACT_SHORTS and call.method not in _ARTIFACT_SHORTS:  # neither a save nor a load
            continue
        if call.is_(*vocab.MODEL_SAVE_CALLS) or call.method in vocab.MODEL_SAVE_METHODS:
            path = path_of(module, call, 1 if call.method is None else 0)
            written.append({"path": path, "line": call.line})
        elif call.is_(*LOAD_CALLS) or call.method in ("load_model",):
            loaded.append({"path": path_of(module, call, 0), "line": call.line, "scope": call.scope})
    return {"written": written, "loaded": loaded}


def _model_names(module: ModuleAnalysis) -> list[str]:
    """The models this file fits, by resolved name (`lightgbm.LGBMRegressor`, `xgboost.train`); a model
    whose class the analysis cannot name is `?`."""
    out = set()
    for fit in module.model_fits:
        est = fit.estimator
        out.add((est.ctor if est is not None and est.ctor else None) or fit.call.qualname or "?")
    return sorted(out)


_ARTIFACT_SHORTS = {last(n) for n in (*vocab.MODEL_SAVE_CALLS, *LOAD_CALLS)} | set(vocab.MODEL_SAVE_METHODS) | {"load_model"}


def _config_use(module: ModuleAnalysis) -> dict:
    # (an orchestrator's run parameters are settings handed over when a run is triggered)
    loads = [c.line for c in module.calls if c.is_(*CONFIG_LOADS) or (c.qualname or "").endswith(RUN_PARAMETERS)]
    mentioned = sorted({PurePosixPath(n.value).name for n in _string_constants(module)
                        if n.value.endswith(CONFIG_SUFFIXES) and "\n" not in n.value and len(n.value) < 200})
    literals = []
    for call in module.calls:
        for kw in call.node.keywords:
            if kw.arg in SETTING_KWARGS and isinstance(kw.value, ast.Constant) and kw.value.value is not None:
                literals.append({"name": kw.arg, "value": kw.value.value, "line": kw.value.lineno,
                                 **({"owner": call.name} if call.name else {})})
    defaults = _Defaults(module)
    owners: dict[int, str | None] = {}
    for entry in module.flow.dict_entries:  # params = {"max_depth": 6, ...}
        if entry.key in SETTING_KWARGS and isinstance(entry.node, ast.Constant) and entry.node.value is not None:
            if entry.dict_node in defaults:
                continue  # a default the caller's settings replace (`cfg.update(params)`)
            if id(entry.dict_node) not in owners:
                owners[id(entry.dict_node)] = _consumer(module, entry.dict_node)
            owner = owners[id(entry.dict_node)]
            literals.append({"name": entry.key, "value": entry.node.value, "line": entry.node.lineno,
                             **({"owner": owner} if owner else {})})
    for compare in module.flow.compares:  # `proba >= 0.5`: a decision threshold
        for side in (compare.left, *compare.comparators):
            if isinstance(side, ast.Constant) and isinstance(side.value, float) and 0 < side.value < 1 \
                    and isinstance(compare.ops[0], (ast.Gt, ast.GtE, ast.Lt, ast.LtE)):
                literals.append({"name": "threshold", "value": side.value, "line": side.lineno})
    # a framework that loads its configuration folder by convention (Kedro's `conf/`, given to nodes
    # as `params:...` inputs)
    folders = sorted({folder for framework, folder in CONVENTION_FOLDERS.items()
                      if any(a == framework or a.startswith(framework + ".") for a in module.imports.aliases.values())})
    return {"loads": loads, "mentions": mentioned, "literals": literals, **({"folders": folders} if folders else {})}


# Frameworks that read every configuration file of a folder by convention, not by a name in the code.
CONVENTION_FOLDERS = {"kedro": "conf"}


def _consumer(module: ModuleAnalysis, node: ast.Dict) -> str | None:
    """What a dict of settings is for: the section of a larger dict it fills (`params["lightgbm"] =
    {...}`), or the library call it is handed to (`lgb.train(params, ...)`, `XGBRegressor(**params)`),
    by its full name."""
    parent = syntax(module).parent.get(id(node))
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Subscript) \
            and isinstance(parent.targets[0].slice, ast.Constant) and isinstance(parent.targets[0].slice.value, str):
        return parent.targets[0].slice.value  # `params["lightgbm"] = {...}`: the section it fills
    if isinstance(parent, ast.Dict):
        key = next((k for k, v in zip(parent.keys, parent.values) if v is node), None)
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value  # `{"xgboost": {...}}`
    val = module.flow.val_at(node)
    if val is None:
        return None
    for call in module.calls:
        spread = [module.flow.val_at(k.value) for k in call.node.keywords if k.arg is None]  # `**params`
        if call.name and third_party(call.name) and any(
                a is not None and module.flow.derives_from(a, val, rows=False)
                for a in (*call.args, *call.kwargs.values(), *spread)):
            return call.name
    return None


# Declarations of run-time parameters whose first argument is a default the run may replace.
RUN_PARAMETERS = ("airflow.models.param.Param", "airflow.models.Param", "airflow.sdk.Param", "prefect.Parameter",
                  "metaflow.Parameter", "dagster.Field")


class _Defaults:
    """Which dict literals hold defaults that other settings replace: in a function, the dict is
    merged with or replaced by one of the function's parameters (`cfg.update(params)`,
    `params if params is not None else {...}`, `{**defaults, **params}`, `dict(defaults, **params)`,
    `defaults | params`), or in a function enclosing it; at module level, a dict bound to a name that
    is updated with, or spread before, another value (`DEFAULTS.update(cfg)`, `{**DEFAULTS, **cfg}`).
    Asked only of the dicts that hold settings, each function looked at once."""

    def __init__(self, module: ModuleAnalysis) -> None:
        self.module = module
        self._functions: dict[int, bool] = {}
        self._module: set[int] | None = None

    @cached_property
    def syn(self):
        return syntax(self.module)

    def __contains__(self, node: ast.Dict) -> bool:
        parent = self.syn.parent.get(id(node))
        if isinstance(parent, ast.keyword) and parent.arg == "default":
            return True  # `add_argument("--params", default={...})`: a value the run may replace
        call = parent if isinstance(parent, ast.Call) else None
        if call is not None and (self.module.imports.resolve(call.func) or "").endswith(RUN_PARAMETERS):
            return True  # an orchestrator's run parameter (`Param({...})`), overridden at trigger time
        fn = self.syn.function_of(node)
        if fn is None:
            return id(node) in self._module_defaults()
        while fn is not None:
            if id(fn) not in self._functions:
                params = {a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)} - {"self", "cls"}
                if fn.args.kwarg is not None:
                    params.add(fn.args.kwarg.arg)
                self._functions[id(fn)] = bool(params) and _merges_with(fn, params)
            if self._functions[id(fn)]:
                return True
            fn = self.syn.function_of(fn)
        return False

    def _module_defaults(self) -> set[int]:
        if self._module is None:
            tree = self.module.tree
            named = {stmt.targets[0].id: stmt.value for stmt in tree.body
                     if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                     and isinstance(stmt.targets[0], ast.Name) and isinstance(stmt.value, ast.Dict)}
            out: set[int] = set()
            if named:
                for node in ast.walk(tree):
                    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update" \
                            and isinstance(node.func.value, ast.Name) and node.func.value.id in named \
                            and node.args and not isinstance(node.args[0], ast.Dict):
                        out.add(id(named[node.func.value.id]))
                    elif isinstance(node, ast.Dict) and sum(k is None for k in node.keys) >= 2:
                        spread = [v for k, v in zip(node.keys, node.values) if k is None]
                        if isinstance(spread[0], ast.Name) and spread[0].id in named:
                            out.add(id(named[spread[0].id]))
            self._module = out
        return self._module


def _merges_with(fn: ast.AST, params: set[str]) -> bool:
    """A parameter is merged into or chosen over a value: `x.update(p)`, `p if c else x`, `p or x`,
    `{**x, **p}`, `dict(x, **p)`, `x | p`."""
    def mentions(node: ast.AST | None) -> bool:
        return node is not None and any(isinstance(n, ast.Name) and n.id in params for n in ast.walk(node))

    def holder(node: ast.AST) -> bool:  # the defaults chosen when the parameter is not given
        return isinstance(node, (ast.Dict, ast.Name, ast.Attribute)) and not mentions(node)

    for node in ast.walk(fn):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update" \
                and any(mentions(a) for a in (*node.args, *(k.value for k in node.keywords))):
            return True
        if isinstance(node, ast.IfExp) and ((mentions(node.body) and holder(node.orelse))
                                            or (mentions(node.orelse) and holder(node.body))):
            return True
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and any(mentions(v) for v in node.values) \
                and any(holder(v) for v in node.values):
            return True
        if isinstance(node, ast.Dict) and any(k is None and mentions(v) for k, v in zip(node.keys, node.values)):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" \
                and any(k.arg is None and mentions(k.value) for k in node.keywords):
            return True
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr) and mentions(node.right):
            return True
    return False


def _string_constants(module: ModuleAnalysis):
    for call in module.calls:
        for arg in [*call.node.args, *(k.value for k in call.node.keywords)]:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield arg
    for name, val in module.flow.bindings:
        if isinstance(val.node, ast.Constant) and isinstance(val.node.value, str):
            yield val.node


# ---------------------------------------------------------------------- config files
def config_facts(name: str, text: str) -> dict:
    """Leaf keys of a YAML/JSON/TOML file as {dotted key: {"value", "line"}}; lists of scalars are
    one value. Unparseable files give an `error`."""
    suffix = PurePosixPath(name).suffix
    try:
        if suffix in (".yaml", ".yml"):
            keys = _yaml_keys(text)
        elif suffix == ".json":
            keys = _plain_keys(json.loads(text), text)
        elif suffix == ".toml":
            keys = _plain_keys(tomllib.loads(text), text)
        else:
            keys = {}
    except Exception as exc:  # a broken config is reported, not fatal
        return {"keys": {}, "error": f"cannot parse {suffix[1:].upper()}: {str(exc).splitlines()[0]}"}
    return {"keys": keys}


def _yaml_keys(text: str) -> dict:
    import yaml

    from wicked_data.checks.analysis import safe_yaml

    root = safe_yaml.compose(text)
    out: dict = {}

    def walk(node, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                path = f"{prefix}.{key.value}" if prefix else str(key.value)
                if isinstance(value, (yaml.MappingNode,)):
                    walk(value, path)
                else:
                    out[path] = {"value": _yaml_value(value), "line": key.start_mark.line + 1}

    if root is not None:
        walk(root, "")
    return out


def _yaml_value(node):
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return [_yaml_value(v) for v in node.value]
    return yaml.safe_load(yaml.serialize(node)) if isinstance(node, yaml.ScalarNode) else None


def _plain_keys(data, text: str) -> dict:
    out: dict = {}
    lines = text.splitlines()

    def line_of(key: str) -> int:
        for number, line in enumerate(lines, start=1):
            if f'"{key}"' in line or line.strip().startswith((f"{key} =", f"{key}=")):
                return number
        return 1

    def walk(obj, prefix: str) -> None:
        if isinstance(obj, dict):
            for key, value in obj.items():
                path = f"{prefix}.{key}" if prefix else str(key)
                if isinstance(value, dict):
                    walk(value, path)
                else:
                    out[path] = {"value": value, "line": line_of(str(key))}

    walk(data, "")
    return out


# ---------------------------------------------------------------------- the project
class Project:
    """The facts of every reviewed file, keyed by path relative to the root."""

    def __init__(self, facts: dict[str, dict], roles: dict[str, str], root: str = ".",
                 parts: list[Unit] | None = None) -> None:
        self.facts = facts
        self.roles = roles
        self.root = root
        # The projects inside the reviewed folder (`checks.projects.partition`); pairing happens
        # within one of them.
        self.parts = parts if parts is not None else [Unit(root, sorted(roles))]

    @cached_property
    def service_map(self):
        """The prediction service across this project's files (`service_map.ServiceMap`)."""
        from wicked_data.checks.analysis.service_map import ServiceMap

        return ServiceMap(self)

    def split(self) -> list[Project]:
        """One project per part, holding that part's files only."""
        if len(self.parts) == 1:
            return [self]
        return [Project({f: self.facts[f] for f in u.files if f in self.facts},
                        {f: self.roles[f] for f in u.files if f in self.roles}, u.root) for u in self.parts]

    # The facts do not change once the project is built, so what is derived from them is computed
    # once (`pairs()` asks for these per serving file; recomputing made the project stage quadratic).
    @cached_property
    def training(self) -> list[str]:
        return [f for f, x in self.facts.items() if x.get("training") and x["training"].get("features") is not None]

    @cached_property
    def serving(self) -> list[str]:
        return [f for f, x in self.facts.items() if x.get("serving")]

    @cached_property
    def index(self) -> Index:
        """Every file's feature builders, name lists and function fingerprints, by import name."""
        return Index(self.facts)

    def resolved(self, rel: str) -> dict:
        """`facts[rel]` with its training and serving sides completed from the files it imports
        (`pipelines.resolve`)."""
        cache = self.__dict__.setdefault("_resolved", {})
        if rel not in cache:
            cache[rel] = resolve(self.facts, rel, self.index)
        return cache[rel]

    @cached_property
    def module_names(self) -> set[str]:
        """Importable names of the project's own modules and packages (every folder and module on
        the path from the project's root: a file may be imported from any source root)."""
        return module_names(Unit(self.root, list(self.facts)))

    @property
    def configs(self) -> list[str]:
        return [f for f, x in self.facts.items() if "keys" in x]

    def offline_only(self, file: str, line: int) -> bool:
        """The entry function of `file` holding `line` is a step a pipeline orchestrator runs (handed
        to a Kedro `node`, an Airflow operator, decorated by a Prefect or Dagster task), or it is
        called from other files of the project, and only from training code (a file that fits or
        saves a model), notebooks, tests and programs that serve nothing (`_script`): an export check,
        a benchmark, a submission helper, not a service."""
        entry = self._entry_at(file, line)
        if entry is None:
            return False
        names = self._entry_names(file, entry)
        if entry["qualname"] in ((self.facts.get(file) or {}).get("orchestrated") or ()) or any(
                names & set(f.get("orchestrated") or ()) for rel, f in self.facts.items() if rel != file):
            return True  # a step of a batch pipeline (a Kedro node, an Airflow task): never behind a request
        callers = self.entry_callers(file, line)
        if entry.get("handed") and not entry.get("called") and not callers and not any(
                names & {n.lstrip(".") for n in f.get("imported") or ()} for rel, f in self.facts.items() if rel != file):
            return True  # scores the model its caller hands it, and nothing in the project calls it: a helper
        return bool(callers) and all(self.roles.get(rel) in ("training", "notebook") or self.facts[rel].get("test")
                                     or (self.facts[rel].get("artifacts") or {}).get("written")  # saves a model
                                     or self.facts[rel].get("script")  # a program that serves nothing
                                     for rel in callers)

    def _entry_at(self, file: str, line: int) -> dict | None:
        return next((e for e in (self.facts.get(file) or {}).get("entries") or () if e["line"] <= line <= e["end"]), None)

    def _entry_names(self, file: str, entry: dict) -> set[str]:
        from wicked_data.checks.analysis.serving.base import import_prefixes

        names = {f"{prefix}.{entry['qualname']}" for prefix in import_prefixes(file)}
        if "." in entry["qualname"] and not (self.facts.get(file) or {}).get("main"):
            # a method: its callers construct the class and call it on the object (unless the file
            # is a program that runs the class itself)
            names |= {f"{prefix}.{entry['qualname'].split('.')[0]}" for prefix in import_prefixes(file)}
        return names

    @cached_property
    def _fixed_names(self) -> set[str]:
        """Dotted names, as other files import them, of the project's top-level names bound to a
        path written in the code (`values.ARTIFACT_DIR = "artifacts"`)."""
        from wicked_data.checks.analysis.serving.base import import_prefixes

        out = set()
        for rel, facts in self.facts.items():
            names = (((facts.get("lineage") or {}).get("paths") or {}).get("fixed")) or ()
            for prefix in import_prefixes(rel) if names else ():
                out |= {f"{prefix}.{n}" for n in names}
        return out

    def fixed_in_code(self, names: list[str]) -> bool:
        """Every imported project name is bound, in its own module, to a path written in the code."""
        fixed = self._fixed_names
        return all(n in fixed or any(n.endswith("." + f) or f.endswith("." + n) for f in fixed if "." in n)
                   for n in names)

    def load_path_fixed(self, file: str, line: int) -> bool | None:
        """For an unsafe load of `file` at `line` whose path comes from its function's parameters or
        from imported project names: True when every path that reaches it is written in the
        project's code (the project's own constants, or what every caller hands the function);
        False when one is not; None when the review cannot tell (no caller found)."""
        from wicked_data.checks.analysis.serving.base import import_prefixes

        paths = ((self.facts.get(file) or {}).get("lineage") or {}).get("paths") or {}
        load = (paths.get("loads") or {}).get(str(line))
        if load is None:
            return None
        if load["imported"] and not self.fixed_in_code(load["imported"]):
            return False
        if not load["params"]:
            return True
        if not load["fn"]:
            return None
        fn = load["fn"]
        names = {f"{prefix}.{fn}" for prefix in import_prefixes(file)}
        if "." in fn:  # a method: its callers hand the path to the class or the method
            names |= {f"{prefix}.{fn.split('.')[0]}" for prefix in import_prefixes(file)}
        calls = [c for rel, f in self.facts.items() if rel != file
                 for c in (((f.get("lineage") or {}).get("paths") or {}).get("handed") or ()) if c["target"] in names]
        if not calls:
            return None
        for c in calls:
            for index in load["params"]:
                arg = c["args"][index] if index < len(c["args"]) else None
                if arg is None or not self.fixed_in_code(arg):
                    return False
        return True

    def entry_callers(self, file: str, line: int) -> list[str]:
        """The other files of the project that call the entry function of `file` holding `line`
        (by the names it can be imported under; a method's class constructed counts)."""
        entry = self._entry_at(file, line)
        if entry is None:
            return []
        names = self._entry_names(file, entry)
        return [rel for rel, f in self.facts.items() if rel != file and names & set(f.get("calls_out") or ())]

    @cached_property
    def _importers(self) -> dict[str, set[str]]:
        """For each file, the other non-test files that import it: by one of the names it can be
        imported under, or through a package `__init__` that imports it (`from pkg import X` runs
        `pkg/__init__.py`, which may import the file)."""
        from wicked_data.checks.analysis.serving.base import import_prefixes

        by_name: dict[str, set[str]] = {}  # every leading part of an imported name -> the importing files
        for rel, facts in self.facts.items():
            if facts.get("test") or "imported" not in facts:
                continue
            for name in (*facts.get("imported", ()), *facts.get("calls_out", ())):
                parts = name.split(".")
                for end in range(1, len(parts) + 1):
                    by_name.setdefault(".".join(parts[:end]), set()).add(rel)
        direct = {rel: {g for p in import_prefixes(rel) for g in by_name.get(p, ())} - {rel} for rel in self.facts}
        out = {rel: set(found) for rel, found in direct.items()}
        changed = True
        while changed:  # through packages: importing the package runs its __init__
            changed = False
            for rel, found in out.items():
                for init in [f for f in found if PurePosixPath(f).name == "__init__.py"]:
                    more = out.get(init, set()) - found - {rel}
                    if more:
                        found |= more
                        changed = True
        return out

    def importers(self, file: str) -> set[str]:
        """The project's other non-test files that import `file` (see `_importers`)."""
        return self._importers.get(file, set())

    @cached_property
    def front_ends(self) -> list[str]:
        """The files that answer users (routes, a UI app): the project's service."""
        return [rel for rel, facts in self.facts.items() if facts.get("serves")]

    @cached_property
    def _io_helpers(self) -> dict[str, dict[str, int]]:
        """The project's functions that write or read a data file named by a parameter, under every
        dotted name they can be imported by: {"utils.save2pkl": {"writes": 0}}."""
        from wicked_data.checks.analysis.serving.base import import_prefixes

        out: dict[str, dict[str, int]] = {}
        for rel, facts in self.facts.items():
            io = ((facts.get("lineage") or {}).get("files") or {}).get("io") or {}
            for qualname, kinds in io.items():
                for prefix in import_prefixes(rel):
                    out[f"{prefix}.{qualname}"] = kinds
        return out

    def data_files(self, file: str) -> tuple[set[str], set[str]]:
        """(names written, names read) of the data files `file` hands on, directly or through the
        project's own I/O helpers (`save2pkl("../feats/prices.pkl", df)` in a feature script)."""
        cache = self.__dict__.setdefault("_data_files", {})
        if file not in cache:
            cache[file] = self._data_files_of(file)
        return cache[file]

    def _data_files_of(self, file: str) -> tuple[set[str], set[str]]:
        files = ((self.facts.get(file) or {}).get("lineage") or {}).get("files") or {}
        written = {PurePosixPath(p).name for p in files.get("written") or ()}
        read = {PurePosixPath(p).name for p in files.get("read") or ()}
        for via in files.get("via") or ():
            kinds = self._io_helpers.get(via["fn"], {})
            if kinds.get("writes") == via["arg"]:
                written.add(via["path"])
            if kinds.get("reads") == via["arg"]:
                read.add(via["path"])
        return written, read

    @cached_property
    def records(self) -> set[str]:
        """File-name patterns of the records the project's code writes (tuned parameters, metrics),
        directly or through its own helpers (`to_json(best, "configs/train.json")`)."""
        out = set()
        for rel, facts in self.facts.items():
            files = (facts.get("lineage") or {}).get("files") or {}
            out.update(files.get("records") or ())
            out.update(via["path"] for via in files.get("via") or ()
                       if self._io_helpers.get(via["fn"], {}).get("records") == via["arg"])
        return out

    def consumers(self, file: str) -> set[str]:
        """The files that take what `file` produces: itself, the files that import it, and the files
        that read a data file it writes (matched by file name, through the project's I/O helpers too)."""
        cache = self.__dict__.setdefault("_consumers", {})
        if file in cache:
            return cache[file]
        written, _ = self.data_files(file)
        out = {file, *self.importers(file)}
        if written:
            for rel, other in self.facts.items():
                if rel != file and not other.get("test") and written & self.data_files(rel)[1]:
                    out.add(rel)
        cache[file] = out
        return out

    def models_fed_by(self, file: str, depth: int = 8) -> set[str]:
        """The models (resolved names, `?` when unknown) first fitted on what `file` produces, following
        the files that take it on (a feature script, then the aggregation that reads its output, then
        the training that reads that); where the chain reaches no model, every model of the project."""
        found: set[str] = set()
        seen, frontier = {file}, [file]
        for _ in range(depth):
            nexts = []
            for rel in frontier:
                models = (self.facts.get(rel) or {}).get("models") or ()
                if models:
                    found.update(models)  # a training file: what it writes next (predictions) is another matter
                    continue
                for other in self.consumers(rel) - seen:
                    seen.add(other)
                    nexts.append(other)
            if not nexts:
                break
            frontier = nexts
        else:
            if frontier:
                return {m for f in self.facts.values() if not f.get("test") for m in f.get("models") or ()}
        return found or {m for f in self.facts.values() if not f.get("test") for m in f.get("models") or ()}

    def deploys(self, file: str) -> bool:
        """Does `file` put a model to use: it answers users (routes, a UI app), or it is inference code
        that predicts, that other files import (a loader), or that loads an artifact it did not write
        itself (a scoring script)? A notebook, or a script that only reads back what it wrote, does not."""
        facts = self.facts.get(file) or {}
        if facts.get("test"):
            return False
        if facts.get("serves") or self.roles.get(file) == "serving":
            return True
        role = self.roles.get(file)
        if role not in ("inference", "notebook") or role == "notebook" and facts.get("models"):
            return False  # (a notebook that fits nothing but scores with a loaded model is a batch job)
        if facts.get("serving") is not None or self.importers(file):
            return True
        artifacts = facts.get("artifacts") or {}
        own = {PurePosixPath(a["path"]).name for a in artifacts.get("written", ()) if a.get("path")}
        loaded = [PurePosixPath(a["path"]).name if a.get("path") else None for a in artifacts.get("loaded", ())]
        return any(name is None or name not in own for name in loaded)  # (not a round trip of its own files)

    def off_service(self, file: str, line: int) -> bool:
        """The code of `file` at `line` is not part of what the project serves: the project answers
        users from other files (a route or UI file, a command line), `file` answers nobody itself,
        and the code is not reached from them: no other non-test file imports the file, which is a
        program of its own (a `__main__` block: a demo run) or a module of a package nothing uses
        (a helper class only its tests use); or other files import the file, but none of them names
        the entry function holding `line` (nor its class). A project with no front end is a library
        whose functions are its interface: nothing is off the service there. A loose module with no
        `__main__` block, outside any package and imported by nobody, may be called by a platform
        (an Azure ML `score.py`, a Lambda handler, a CML model script): it stays, unless its own top
        level calls the function (a script predicting on its own input)."""
        from wicked_data.checks.analysis.serving.base import import_prefixes

        facts = self.facts.get(file) or {}
        if "imported" not in facts or facts.get("serves") or facts.get("test") or not self.front_ends:
            return False
        importers = self.importers(file)
        entry = next((e for e in facts.get("entries") or () if e["line"] <= line <= e["end"]), None)
        if not importers:
            # (a loose module that calls the function from its own top level is a program run on its
            # own data, not a handler a platform calls)
            return bool(facts.get("main")) or self._in_package(file) or bool(entry and entry.get("top"))
        if entry is None or entry.get("called", True):
            return False  # (called in its own file: by what another file may call)
        prefixes = import_prefixes(file)
        names = {f"{p}.{entry['qualname']}" for p in prefixes}
        if "." in entry["qualname"]:
            names |= {f"{p}.{entry['qualname'].split('.')[0]}" for p in prefixes}
        for rel in importers:
            other = self.facts.get(rel) or {}
            used = {n.lstrip(".") for n in (*other.get("imported", ()), *other.get("calls_out", ()))}
            if any(f"{p}.*" in used for p in prefixes):
                return False  # `from module import *`: any of its names may be used
            if any(u == n or u.startswith(n + ".") for u in used for n in names):
                return False
        return True

    def _in_package(self, file: str) -> bool:
        """`file` sits in a package (its folder has an `__init__.py`): a module meant to be imported."""
        parent = PurePosixPath(file).parent
        return str(parent / "__init__.py") in self.facts if str(parent) != "." else False

    def skew_blind_spots(self) -> list[tuple[str, int, str]]:
        """(serving file, line, note) where a train/serve pair was not compared feature by feature:
        the values handed to the model could not be named, or are known by position only while the
        training side's feature list is not a literal list. "No skew found" says nothing there."""
        out: dict[str, tuple[str, int, str]] = {}
        for train, serve in self.pairs():
            s, t = self.resolved(serve)["serving"], self.resolved(train)["training"]
            if serve in out or s.get("evaluates") or s.get("input_loaded"):
                continue
            line = s.get("predict_line") or s["line"]
            if not frame_followed(s):
                out[serve] = (serve, line, f"train/serve skew against {train} not compared: the values handed to the "
                                           "model here could not be named (an array built elsewhere, a helper's "
                                           "parameter, or another file's function the review did not find)")
            elif s.get("by_position") and not t["features"]:
                out[serve] = (serve, line, f"train/serve skew against {train} not compared: the values are laid out by "
                                           "position and the training side's feature list is computed at run time")
        return list(out.values())

    def pairs(self, training: str | None = None, serving: str | None = None) -> list[tuple[str, str]]:
        """(training file, serving file) pairs: linked by the artifact one writes and the other
        loads, else every serving file with the only training file."""
        if len(self.parts) > 1:
            return [pair for part in self.split()
                    if (training is None or training in part.facts) and (serving is None or serving in part.facts)
                    for pair in part.pairs(training, serving)]
        trains = [training] if training else self.training
        serves = [serving] if serving else self.serving
        out = []
        for s in serves:
            loads = {a["path"] for a in self.facts[s]["artifacts"]["loaded"] if a["path"]}
            linked = [t for t in trains if loads & {a["path"] for a in self.facts[t]["artifacts"]["written"] if a["path"]}]
            if not linked:  # both import the same module of the project (shared feature code)
                shared = set(self.facts[s]["local_imports"]) & self.module_names
                linked = [t for t in trains if shared & set(self.facts[t]["local_imports"])]
            if not linked and len(trains) == 1:
                linked = trains
            out += [(t, s) for t in linked if t != s]
        return out


def frame_followed(serving: dict) -> bool:
    """The columns of the frame a serving file predicts on are known: it is not an unnamed array or
    a helper's parameter (`unnamed`), nor built by another file's function the review did not find
    (`unresolved`). What was not followed is never compared."""
    return not (serving.get("unnamed") or serving.get("unresolved"))


def compare_features(train: dict, serve: dict) -> list[dict]:
    """Feature-by-feature comparison of one training file's facts with one serving file's facts:
    each item has `feature`, `status` ('same' | 'different' | 'missing' | 'extra'), both
    expressions and lines, and `differences` in words."""
    t, s = train["training"], serve["serving"]
    renamed = _dummies_renamed(t, s)
    if s.get("by_position"):
        if not t["features"] or len(t["features"]) != len(s["features"]):
            return renamed  # (a count that differs is ML302's finding; with no list, nothing lines up)
        # the values laid out by position are the training features in training's order
        s = {**s, "features": [{**e, "name": n, "expr": n if e["expr"] == e["name"] else e["expr"],
                                "print": _named_print(e.get("print"), e["name"], n)}
                               for e, n in zip(s["features"], t["features"])]}
    if not frame_followed(s):
        return renamed  # built by a function of the project the review did not find: nothing else to compare
    served = {e["name"]: e for e in s["features"]}
    positions = {e["name"]: i for i, e in enumerate(s["features"])}
    if s.get("passthrough"):  # the caller's frame (selected by a list known at run time, or whole)
        served = {name: _passthrough(name, s["line"]) for name in (t["features"] or t["derivations"])} | served
    frame_steps = [st for st in t["frame_steps"] if st["method"] in ("fillna", "replace", "clip")
                   and st["line"] > min((d["line"] for d in t["derivations"].values()), default=0)]
    # columns training computes from other fields (not a raw column cleaned in place)
    computed = {c for c, d in t["derivations"].items() if not (d.get("print") and set(d["print"]["reads"]) <= {c})}
    out = []
    labels = set((t.get("label") or {}).get("reads") or ())
    for name in t["features"] or [c for c in t["derivations"] if c not in labels]:  # (the label is no feature)
        derivation = t["derivations"].get(name)
        train_expr = derivation["expr"] if derivation else name
        entry = served.get(name)
        item = {"feature": name, "training": train_expr, "training_line": derivation["line"] if derivation else t["features_line"],
                "serving": entry["expr"] if entry else None, "serving_line": entry["line"] if entry else s["line"],
                "differences": []}
        if derivation and derivation.get("file"):
            item["training_file"] = derivation["file"]  # computed by a builder of another file
        if entry and entry.get("file"):
            item["serving_file"] = entry["file"]
        if entry is None and not t["features"]:
            continue  # a column training writes, with no list saying the model sees it
        if entry is None:
            item["status"] = "missing"
            item["categories"] = ["missing"]
            out.append(item)
            continue
        diffs = item["differences"]
        raw = served_as_sent(name, entry)  # the caller's field, perhaps with a default for a missing one
        if derivation and derivation["clock"] and entry["expr"] == name:
            diffs.append("training derives it from raw dates and the current time; serving takes it precomputed "
                         "from the caller, so nothing guarantees the same reference date or formula")
        elif derivation and entry.get("codes") and derivation.get("sorted_codes"):
            wrong = _unsorted_codes(entry["codes"])  # a hand-written map against codes in sorted order
            if wrong:
                diffs.append(f"training's `{train_expr}` numbers the categories in sorted order "
                             f"({', '.join(f'{k}={i}' for i, k in enumerate(sorted(entry['codes'])))}); serving's map "
                             f"gives {', '.join(f'{k}={v}' for k, v in wrong)}")
        elif derivation and not raw and entry["expr"] not in (train_expr, name) \
                and _strip_steps(entry["expr"]) != _strip_steps(train_expr) \
                and not _both_transform(train_expr, entry["expr"]) and not _printed(derivation, entry):
            # no fingerprint on a side (nothing to compare but the text)
            diffs.append(f"computed differently: training `{train_expr}`, serving `{entry['expr']}`")
        # Steps count when serving computes the feature, or when training cleans the raw column
        # itself (`x = x.fillna(0)`): a value passed through at serving arrives uncleaned.
        cleans_raw = bool(derivation) and derivation["expr"].startswith(name + ".")
        only_train = set(derivation["steps"]) - set(entry["steps"]) - set(s["steps"]) \
            if derivation and ((entry["expr"] != name and not raw) or cleans_raw) else set()
        only_serve = set(entry["steps"]) - (set(derivation["steps"]) if derivation else set())
        if entry.get("present"):
            only_train -= _FILL_STEPS  # a value that cannot be missing at serving needs no fill there
        if only_train:
            diffs.append(f"{', '.join(sorted(only_train))} only in training")
        if only_serve:
            diffs.append(f"{', '.join(sorted(only_serve))} only at serving")
        if s.get("positional") and t["features"]:
            at, trained_at = positions[name], t["features"].index(name)
            if at != trained_at:
                seen_as = f", which the model reads as '{t['features'][at]}'" if at < len(t["features"]) else ""
                diffs.append(f"the serving values are laid out by position and '{name}' is value {at + 1}{seen_as}; "
                             f"training's feature list has it at position {trained_at + 1}")
        fill = _fill_difference(name, derivation, entry, t, s)
        if fill:
            diffs.append(fill)
        scalar_division = bool(derivation and entry["scalar"] and entry["divides_by"] and derivation["divides_by"]
                               and not derivation["clock"])
        if scalar_division:
            denominator = entry["divides_by"][0]
            diffs.append(f"training divides with pandas (a zero {denominator} gives inf/NaN"
                         f"{', then filled' if frame_steps else ''}); serving divides Python scalars, which "
                         f"raises ZeroDivisionError when {denominator} is 0")
        categories = ["clock" if d.startswith("training derives it from raw dates") else
                      "encoding" if "numbers the categories" in d else
                      "division" if d.startswith("training divides") else
                      "order" if d.startswith("the serving values are laid out by position") else
                      "fill" if d.startswith(("fillna only", "missing values are filled")) else
                      "step" if d.endswith(" only in training") or d.endswith(" only at serving") else "formula"
                      for d in diffs]
        for category, words in print_differences(name, derivation, entry, computed):
            if category == "fill" and "fill" in categories:  # the values say more than "fillna only in training"
                at = categories.index("fill")
                diffs[at] = words
                continue
            if category in categories or (category == "zero guard" and scalar_division) \
                    or (category in ("source", "function") and "clock" in categories):
                continue
            if category in ("function", "constant") and "formula" in categories:
                continue  # the formula difference already shows both expressions
            diffs.append(words)
            categories.append(category)
        item["categories"] = categories
        item["status"] = "different" if diffs else "same"
        if not diffs and derivation and not raw and entry["expr"] not in (train_expr, name) \
                and _strip_steps(entry["expr"]) != _strip_steps(train_expr) and not compared(derivation, entry):
            item["status"] = "unknown"  # written differently, and part of a side is code the review did not follow
            item["categories"] = ["not compared"]
            item["differences"] = ["not compared: part of it is computed by a function the review could not follow "
                                   "(another library's, or one handed to apply/pipe)"]
        out.append(item)
    out += renamed
    for name, entry in served.items():
        if t["features"] and name not in t["features"] and not s.get("passthrough"):
            out.append({"feature": name, "status": "extra", "training": None, "training_line": t["features_line"],
                        "serving": entry["expr"], "serving_line": entry["line"], "differences": [],
                        "categories": ["extra"]})
    return out


def _named_print(data: dict | None, placeholder: str, name: str) -> dict | None:
    """A positional value's fingerprint, reading the feature it stands for."""
    if not data:
        return data
    return {**data, "reads": sorted((set(data["reads"]) - {placeholder}) | ({name} if placeholder in data["reads"] else set()))}


def _dummies_renamed(t: dict, s: dict) -> list[dict]:
    """A column one-hot encoded on both sides whose dummy columns are named differently
    (`prefix="channel"` in training, `prefix="acquisition_channel"` at serving): none of the columns
    the model learnt exists at serving, and a realignment fills them all with 0."""
    out = []
    served = {d["column"]: d for d in s.get("dummies", ())}
    for d in t.get("dummies", ()):
        other = served.get(d["column"])
        if other is None or other["prefix"] == d["prefix"]:
            continue
        out.append({"feature": d["column"], "status": "different", "categories": ["encoding"],
                    "training": f"get_dummies: {d['prefix']}<category>", "training_line": d["line"],
                    "serving": f"get_dummies: {other['prefix']}<category>", "serving_line": other["line"],
                    "differences": [f"its dummy columns are named '{d['prefix']}<category>' in training and "
                                    f"'{other['prefix']}<category>' at serving, so none of the columns the model learnt "
                                    "for it exists at serving (a realignment to training's columns fills them all with 0)"]})
    return out


_FILL_STEPS = {"fillna", "interpolate", "ffill", "bfill"}


def _fill_difference(name: str, derivation: dict | None, entry: dict, t: dict, s: dict) -> str | None:
    """Both sides fill the feature's missing values, with different values: a fill in the feature's
    own expression (`x.fillna(0)`) or a whole-frame `fillna` naming the column (or every column)."""
    def side(print_data: dict | None, frame: list[dict]) -> set[str]:
        own = set(print_data.get("fills", ())) if print_data else set()
        if own:
            return own
        return {f[name] if name in f else f["*"] for f in frame if name in f or "*" in f}
    trained = side(derivation.get("print") if derivation else None, [st.get("fills", {}) for st in t["frame_steps"]])
    served = side(entry.get("print"), [s.get("fills", {})])
    unread = {"value", "param", "per-column"}
    if not trained or not served or trained == served or (trained | served) & unread:
        return None
    def words(values: set[str]) -> str:
        return " / ".join(sorted(v.replace("stat:", "the rows' ") for v in values))
    return f"missing values are filled with {words(trained)} in training and with {words(served)} at serving"


def _printed(derivation: dict, entry: dict) -> bool:
    """Both sides of a feature have a fingerprint: the fingerprints decide whether it is computed
    alike (`pipelines.print_differences`), never the spelling of the two expressions."""
    return bool(derivation.get("print")) and bool(entry.get("print"))


def _unsorted_codes(codes: dict[str, int]) -> list[tuple[str, int]]:
    """The entries of a hand-written map whose code is not the category's rank in sorted order."""
    return [(k, codes[k]) for i, k in enumerate(sorted(codes)) if codes[k] != i]


_TRANSFORM_CALL = re.compile(r"^\[*\s*[\w.]+\.(?:fit_)?transform\(")


def _both_transform(train_expr: str, serve_expr: str) -> bool:
    """Both sides apply a fitted transform to the value (`enc.fit_transform(x)` in training,
    `enc.transform([x])[0]` at serving): the one saved by training and loaded at serving gives the
    same codes (a refit at serving is ML303's)."""
    return bool(_TRANSFORM_CALL.match(train_expr.strip())) and bool(_TRANSFORM_CALL.match(serve_expr.strip()))


def _strip_steps(expr: str) -> str:
    return expr.replace(" ", "")
