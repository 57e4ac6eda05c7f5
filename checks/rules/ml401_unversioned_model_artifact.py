from __future__ import annotations

import ast
import re
from pathlib import PurePosixPath
from typing import Iterator

from wicked_data.checks.analysis import vocab
from wicked_data.checks.analysis.flowtypes import CallSite, Val
from wicked_data.checks.analysis.libraries import LIBRARIES
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.production import inference
from wicked_data.checks.analysis.syntax import FunctionNode, Syntax, syntax
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule

# The saved object is the first argument of these; the destination is the second.
SAVE_FUNCS = ("pickle.dump", "joblib.dump", "torch.save", "cloudpickle.dump", "dill.dump",
              "sklearn.externals.joblib.dump", "skops.io.dump", "safetensors.torch.save_file")
SAVE_METHODS = {"save_model", "save", "save_pretrained", "save_weights"}  # the receiver is saved
MODEL_NAME = re.compile(r"model|clf|classifier|regressor|estimator|pipe|booster|net\b|network|bundle|artifact|gbm|"
                        r"xgb|lgb|forest|svm|knn|state_dict|checkpoint|ckpt|weights|ridge|lasso|tree", re.I)
METADATA_KEY = re.compile(r"version|trained_at|train(ing)?_date|created_at|timestamp|^features?$|feature_names|"
                          r"^columns$|metrics?|score|auc|commit|git|sha|params|hyperparam|meta", re.I)
# A version or a date written into the file name itself.
LITERAL_VERSION = re.compile(r"(?:^|[_\-.])v\d+(?:[._]\d+)*(?=[_\-.]|$)|(?:^|[_\-])\d+\.\d+(?:\.\d+)?(?=[_\-]|\.[a-z]|$)"
                             r"|(?:^|[_\-])(?:19|20)\d{2}-?[01]\d-?[0-3]\d(?=[_\-.T]|$)", re.I)
VERSION_WORD = re.compile(r"version|\bver\b|_v\b|tag|run_id|timestamp|sha|commit|date|stamp", re.I)
STAMP_CALLS = {"strftime", "now", "utcnow", "today", "isoformat", "uuid4", "uuid1", "time", "date"}
MODEL_METHODS = {"fit", "predict", "predict_proba", "decision_function", "parameters", "named_parameters",
                 "state_dict", "load_state_dict", "eval", "forward", "get_booster", "booster_", "save_model",
                 "feature_importances_", "get_params", "set_params", "zero_grad", "compile", "summary"}
DATA_OUTPUTS = {"transform", "fit_transform", "predict", "predict_proba", "predict_log_proba", "decision_function",
                "fit_resample", "inverse_transform"}
MODEL_STATE_METHODS = {"state_dict", "get_booster", "get_params"}
STORE = re.compile(r"regist|store|repo|client|manager|session|bucket|db\b|cache", re.I)
MAX_RELATED = 8  # the other unversioned saves of the file listed with its finding
SIDE_CAR_WRITES = {"dump", "dumps", "write_text", "write", "to_json", "safe_dump", "log_params", "log_dict",
                   "set_tags", "log_metrics"}


class UnversionedModelArtifact(Rule):
    """
    ## What it does
    Flags a model written to disk (`pickle.dump`, `joblib.dump`, `torch.save`, `model.save(...)`,
    `booster.save_model(...)`) with no version and no metadata: the object saved is the bare
    model (not a bundle with a version, training date, feature list or metrics), its file name is
    not built from a version or a date, and the module writes no metadata file beside it.

    One finding per file: the first model fitted there that is saved bare, with the file's other
    bare saves (a scaler, an encoder, checkpoints) as its related places. It is P1 where the project
    deploys the artifact: a service, a scoring job or an inference module of the reviewed code loads
    it (by file name, or by a path the analysis cannot read). Where nothing in the reviewed code loads
    a model to predict (a notebook, a competition kernel, an experiment), or the serving code loads
    artifacts of other names, it is P3 and the message says why.

    ## Why is this bad?
    A bare pickle cannot say which code, data, features and library versions produced it. When
    predictions go wrong nobody can tell which model is live, reproduce it, roll back, or check
    that the serving code expects the same features. Unpickling with another scikit-learn
    version can silently change behaviour.

    ## Example
    ```python
    with open("churn_model.pkl", "wb") as f:
        pickle.dump(model, f)
    ```

    ## Use instead
    Save a bundle that carries its own description, under a versioned name (or log it to a model
    registry such as MLflow):
    ```python
    bundle = {"model": model, "version": VERSION, "trained_at": datetime.now(timezone.utc).isoformat(),
              "features": FEATURES, "metrics": metrics, "sklearn_version": sklearn.__version__}
    joblib.dump(bundle, MODEL_DIR / f"churn-{VERSION}.joblib")
    ```

    ## Known problems
    A side-car that records the feature list, parameters or metrics but no version or training
    date gives a P3 (low confidence) instead. A metadata file written by another module, or a version kept in the surrounding directory
    name set by a deployment tool, is not seen. Any dict or JSON written in the same module with
    a version or a training date counts as the artifact's metadata. Objects are recognised as
    models by what the code does with them (fitted here, built by an estimator class, `predict`,
    `parameters()`, `state_dict()` called on them). Name evidence: an object that only its name
    calls a model (`model`, `clf`, `pipe`) gives a low-confidence P2. A model saved through a
    helper of another module is not seen.
    A save to a path made by `tempfile` (a hash, a round-trip check) keeps nothing and is not flagged.
    """

    id = "ML401"
    name = "unversioned-model-artifact"
    severity = Severity.P1
    name_evidence = True

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        saves = [(call, saved) for call in module.calls if (saved := _saved(call, module)) is not None
                 and not (call.name or "").startswith("mlflow.")]
        if not saves:
            return  # most files save nothing: skip the syntax facts
        syn = syntax(module)
        sidecar = _writes_metadata(module)
        partial = not sidecar and _writes_partial_metadata(module)
        bare: list[tuple[CallSite, str, dict, bool]] = []
        for call, saved in saves:
            obj_node, obj_val, dest = saved
            evidence = _is_model(module, obj_node, obj_val)
            if evidence is None:
                continue
            scope = syn.function_of(call.node)
            if _has_metadata(module, obj_node, obj_val) or (dest is not None and _versioned_path(syn, scope, dest)):
                continue
            if dest is not None and _temporary(module, dest):
                continue  # written to a temporary file or folder (a round trip, a hash): not the artifact kept
            if sidecar:
                continue
            what = module.text(obj_node) if obj_node is not None else "the model"
            if partial:  # a side-car with the feature list or metrics, but nothing says which version
                yield Hit(f"`{what}` is saved with no version or training date: the metadata written beside it "
                          "(feature list, parameters or metrics) does not say which model it describes. Add a version "
                          "or training date to it, or save under a versioned name", node=call.node,
                          confidence="low", severity=Severity.P3)
                continue
            bare.append((call, what, _strength(module, obj_val, evidence), _fitted_model(module, obj_val)))
        if not bare:
            return
        # One problem, one finding: the file's artifacts share the missing versioning. The finding sits
        # on the first model fitted here (else the first save); the other saves are its related places.
        call, what, strength, _ = min(bare, key=lambda b: (not b[3], b[2].get("confidence") != "high", b[0].line))
        related = [(None, other.line, f"`{other_what}` is saved without a version too")
                   for other, other_what, _, _ in bare if other is not call][:MAX_RELATED]
        yield Hit(f"`{what}` is saved with no version and no metadata (training date, feature list, metrics, "
                  "library versions); nobody can tell which model is deployed or reproduce it. Save a bundle "
                  "with a version and metadata, under a versioned name or in a model registry",
                  node=call.node, related=related, **strength,
                  fix=(f"Save `{what}` in a bundle that says what it is: "
                       f"`{{\"model\": {what}, \"version\": ..., \"trained_at\": ..., \"features\": [...], "
                       "\"metrics\": {...}}`, under a versioned name." if len(what) <= 40 and "\n" not in what
                       else None))

    def calibrate(self, finding, project):
        """P1 is for the artifact a service or a scoring job of the project loads. With no code in the
        project that loads a model to predict (a notebook, a competition kernel, an experiment), or
        when the serving code loads artifacts by other names, a missing version is advisory (P3)."""
        if finding.severity != Severity.P1:
            return None
        facts = project.facts.get(finding.file) or {}
        deploying = [rel for rel in project.facts if project.deploys(rel)]
        if not deploying:
            return Severity.P3, "nothing in the reviewed code loads it to serve predictions; it matters once it is deployed"
        loaded = [a.get("path") for rel in deploying for a in (project.facts[rel].get("artifacts") or {}).get("loaded", ())]
        lines = {finding.line, *(r.line for r in finding.related if r.file == finding.file)}
        names = {PurePosixPath(a["path"]).name for a in (facts.get("artifacts") or {}).get("written", ())
                 if a.get("line") in lines and a.get("path")}
        if names and loaded and all(loaded) and not names & {PurePosixPath(p).name for p in loaded}:
            return Severity.P3, "the serving code loads other artifacts, not these"
        return None

    def settled_elsewhere(self, finding, project) -> bool:
        """The script is the command of a DVC stage that declares outputs (`dvc.yaml`: `cmd: python
        train.py`, `outs: [models/model.pt]`): DVC records each output's hash with the parameters and
        code that produced it in `dvc.lock`, which versions the artifact with its provenance."""
        return finding.file in _dvc_stage_scripts(project.facts)


def _temporary(module: ModuleAnalysis, dest: ast.expr) -> bool:
    """The destination comes from the `tempfile` module (`mkstemp()`, `NamedTemporaryFile`, a
    `TemporaryDirectory()`): the file is gone after the run, so it versions nothing."""
    val = module.flow.val_at(dest)
    if val is None:
        return False
    return any(a.call is not None and (a.call.qualname or "").startswith("tempfile.") for a in module.flow.ancestors(val))


def _dvc_stage_scripts(facts: dict) -> set[str]:
    """Files of the project run by a DVC stage that has outputs, found in the stage's command as a
    path (`python src/train.py`) or a module (`python -m src.train`), relative to its dvc.yaml."""
    out: set[str] = set()
    for rel, data in facts.items():
        if PurePosixPath(rel).name not in ("dvc.yaml", "dvc.yml"):
            continue
        folder = PurePosixPath(rel).parent
        keys = (data or {}).get("keys") or {}
        for key, item in keys.items():
            parts = key.split(".")
            if len(parts) != 3 or parts[0] != "stages" or parts[2] != "cmd":
                continue
            outs = (keys.get(f"stages.{parts[1]}.outs") or {}).get("value")
            command = item.get("value")
            if not outs or not isinstance(command, str):
                continue
            for word in re.split(r"[\s;&|]+", command):
                if word.endswith(".py"):
                    out.add(str(folder / word).removeprefix("./"))
                elif re.fullmatch(r"[A-Za-z_][\w.]*", word) and "." in word:
                    out.add(str(folder / (word.replace(".", "/") + ".py")).removeprefix("./"))
    return out


def _saved(call: CallSite, module: ModuleAnalysis) -> tuple[ast.AST | None, Val | None, ast.AST | None] | None:
    """(saved object node, its value, destination node) of a model-saving call, else None."""
    node = call.node
    if call.is_(*SAVE_FUNCS):
        obj = call.arg_node(0, "obj") or call.arg_node(0, "value")
        dest = call.arg_node(1, "filename") or call.arg_node(1, "f") or call.arg_node(1, "file")
        return obj, call.arg(0, "obj") or call.arg(0, "value"), dest
    if call.method in SAVE_METHODS and call.callee is not None:
        return None  # `self.save_model()` defined in this file: its body is reviewed where it writes
    if call.method in SAVE_METHODS and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) \
            and node.func.value.id == "self" and _project_base_method(module, call):
        return None  # inherited from the project's own base class: reviewed in the file that defines it
    if call.method in SAVE_METHODS and call.receiver is not None and isinstance(node.func, ast.Attribute):
        if call.method == "save" and (STORE.search(f"{call.receiver.name} {call.receiver.ctor}")
                                      or not (_model_named(call.receiver) or call.receiver.ctors)):
            return None  # `registry.save(name, model)`: the registry is reviewed where it pickles
        return node.func.value, call.receiver, call.arg_node(0, "filepath") or call.arg_node(0, "fname")
    return None


# Libraries whose model classes have a `save`/`save_model` of their own (a subclass inherits it):
# every library with a semantics table, and model hubs that have none yet.
_MODEL_LIBRARIES = {lib.root for lib in LIBRARIES} | {"transformers", "lightning", "pytorch_lightning", "gensim",
                                                      "sentence_transformers"}


def _project_base_method(module: ModuleAnalysis, call: CallSite) -> bool:
    """`self.save_model()` in a class whose bases are all the project's own classes (imported from
    its modules or defined here), none a library model class."""
    owner = next((a for a in syntax(module).ancestors(call.node) if isinstance(a, ast.ClassDef)), None)
    if owner is None or not owner.bases:
        return False
    local = {n.name for n in ast.walk(module.tree) if isinstance(n, ast.ClassDef)}
    for base in owner.bases:
        name = module.imports.resolve(base) or (base.id if isinstance(base, ast.Name) and base.id in local else "")
        if not name or name.split(".")[0] in _MODEL_LIBRARIES:
            return False
    return True


def _is_model(module: ModuleAnalysis, node: ast.AST | None, val: Val | None) -> str | None:
    """'code' when the code shows the saved object is a model (fitted or built here as one, used
    as one: `predict`, `parameters()`, `state_dict()`...), 'name' when only its name says so, else None."""
    if val is not None and (val.shape in ("frame", "series")):
        return None
    if val is not None and val.call is not None and val.call.method in DATA_OUTPUTS:
        return None  # what an estimator produced (`selector.fit_transform(X)`): rows, not a model
    if isinstance(node, ast.Dict):
        inner = [_is_model(module, v, _val_of(module, v)) for v in node.values]
        return "code" if "code" in inner else "name" if "name" in inner or _model_text(module, node) else None
    if val is not None and (_fitted(module, val) or _used_as_model(module, val)):
        return "code"
    if (val is not None and _model_named(val)) or _model_text(module, node):
        return "name"
    return None


def _val_of(module: ModuleAnalysis, node: ast.AST | None) -> Val | None:
    """The value an entry of a literal evaluated to, where it stands (scope and order included)."""
    return module.flow.val_at(node) if node is not None else None


def _used_as_model(module: ModuleAnalysis, val: Val) -> bool:
    """A model's own API is called on the value or it is one's state (`model.parameters()`,
    `clf.predict(...)`, `net.state_dict()`), or it was built by an estimator class."""
    if val.call is not None and val.call.method in MODEL_STATE_METHODS:
        return True
    if any(vocab.is_estimator(c) for c in (val.ctor, *val.ctors) if c):
        return True
    return any(c.receiver is val and c.method in MODEL_METHODS for c in module.calls)


def _strength(module: ModuleAnalysis, val: Val | None, evidence: str) -> dict:
    if evidence == "name":  # only a name says it is a model: never a P1
        return {"confidence": "low", "severity": Severity.P2}
    return {"confidence": "high" if val is not None and _fitted(module, val) else "medium"}


def _model_text(module: ModuleAnalysis, node: ast.AST | None) -> bool:
    return node is not None and any(isinstance(n, ast.Name) and MODEL_NAME.search(n.id) for n in ast.walk(node))


def _fitted_model(module: ModuleAnalysis, val: Val | None) -> bool:
    """A model fitted in this module (not a scaler or an encoder), or what its fit returned."""
    fitted = {id(v) for fit in module.model_fits for v in (fit.estimator, fit.call.val) if v is not None}
    return val is not None and any(id(a) in fitted for a in module.flow.ancestors(val))


def _fitted(module: ModuleAnalysis, val: Val) -> bool:
    fitted = inference(module).fitted_here
    return any(id(a) in fitted for a in module.flow.ancestors(val))


def _model_named(val: Val, depth: int = 3) -> bool:
    for _ in range(depth):
        if val is None:
            return False
        if MODEL_NAME.search(val.name or "") or (val.ctor and MODEL_NAME.search(val.ctor)):
            return True
        val = val.call.receiver if val.call is not None and val.call.receiver is not None else (
            val.parents[0] if val.parents else None)
    return False


def _has_metadata(module: ModuleAnalysis, obj: ast.AST | None, val: Val | None) -> bool:
    """The saved object is a bundle that carries metadata keys: a dict literal or `dict(...)` it is
    built from, or keys written into it (`bundle["trained_at"] = ...`), through the data flow."""
    keys: list[str] = list(_literal_keys(obj))
    for anc in module.flow.ancestors(val):
        keys += _literal_keys(anc.node)
        if anc.colvals:
            keys += [k for k in anc.colvals if isinstance(k, str)]
    return any(METADATA_KEY.search(k) for k in keys)


def _literal_keys(node: ast.AST | None) -> list[str]:
    if isinstance(node, ast.Dict):
        return [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return [k.arg for k in node.keywords if k.arg]
    return []


def _versioned_path(syn: Syntax, scope: FunctionNode | None, dest: ast.AST, depth: int = 4) -> bool:
    """The destination is built from a version, a date or a run id (following names and the
    `with open(path) as f` that a file handle comes from)."""
    for node in ast.walk(dest):
        if isinstance(node, ast.Name) and VERSION_WORD.search(node.id):
            return True
        if isinstance(node, ast.Attribute) and VERSION_WORD.search(node.attr) and node.attr not in ("parent",):
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and isinstance(syn.parent.get(id(node)), ast.Subscript) \
                and VERSION_WORD.search(node.value):
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and LITERAL_VERSION.search(node.value.rsplit("/", 1)[-1]):
            return True  # `model_v1.h5`, `pipeline-0.1.0.pkl`, `churn_2024-05-01.joblib`
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name)) \
                and (getattr(node.func, "attr", None) or getattr(node.func, "id", None)) in STAMP_CALLS:
            return True
    if depth == 0:
        return False
    for name in {n.id for n in ast.walk(dest) if isinstance(n, ast.Name)}:
        for value in syn.assigned_values(scope, name) + _with_sources(syn, scope, name):
            if _versioned_path(syn, scope, value, depth - 1):
                return True
    return False


def _with_sources(syn: Syntax, scope: FunctionNode | None, name: str) -> list[ast.expr]:
    """`with open(path, "wb") as name:` / `with path.open("wb") as name:` -> the path expression."""
    body = syn.body_nodes(scope) if scope is not None else syn.body_nodes(syn.tree)
    out = []
    for node in body:
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                target = item.optional_vars
                if isinstance(target, ast.Name) and target.id == name and isinstance(item.context_expr, ast.Call):
                    ctx = item.context_expr
                    out += ctx.args[:1]
                    if isinstance(ctx.func, ast.Attribute):
                        out.append(ctx.func.value)
    return out


# Keys of a side-car that describes a model without saying which one it is.
PARTIAL_KEYS = r"feature|columns|params|metric|auc|accuracy|f1|rmse|mae|threshold|numeric|categorical"


def _writes_metadata(module: ModuleAnalysis, keys: str = r"version|trained_at|train(ing)?_date|created_at") -> bool:
    """The module writes a metadata record (a dict with a version or a training date; with `keys`,
    any of those keys) beside the artifact: a JSON/YAML side-car, MLflow params or tags."""
    stamped = any(re.search(keys, e.key, re.I) for e in module.flow.dict_entries)
    if not stamped:
        return False
    return any((c.method or c.name or "").rsplit(".", 1)[-1] in SIDE_CAR_WRITES for c in module.calls)


def _writes_partial_metadata(module: ModuleAnalysis) -> bool:
    """A dict with a feature list, parameters or metrics is itself written to a side-car
    (`json.dump({"feature_names": ...}, fh)`): the model is described, not versioned."""
    flow = module.flow
    dicts = {id(v) for e in module.flow.dict_entries if re.search(PARTIAL_KEYS, e.key, re.I)
             for v in [flow.val_at(e.dict_node)] if v is not None}
    if not dicts:
        return False
    for call in module.calls:
        if (call.method or call.name or "").rsplit(".", 1)[-1] not in SIDE_CAR_WRITES or _saved(call, module) is not None:
            continue  # (a model save is not a side-car)
        if any(id(v) in dicts for v in flow.upstream([*call.args, *call.kwargs.values()])):
            return True
    return False


UnversionedModelArtifact.invalid = [
    # the seed: a bare pickle
    """
    import pickle
    from sklearn.ensemble import RandomForestClassifier
    model = RandomForestClassifier(n_estimators=100)
    model.fit(X_train, y_train)
    with open("churn_model.pkl", "wb") as f:
        pickle.dump(model, f)  # ruleid: ML401
    """,
    # joblib through an alias, inside a training function
    """
    import joblib as jl
    from sklearn.linear_model import Ridge

    def train(X, y, out_path):
        ridge = Ridge(alpha=1.0).fit(X, y)
        jl.dump(ridge, out_path)  # ruleid: ML401
        return ridge
    """,
    # a torch state dict and an XGBoost booster saved bare: one finding, on the model fitted here,
    # with the other save as its related place
    """
    import torch
    import xgboost as xgb
    torch.save(net.state_dict(), "artifacts/risknet.pt")
    booster = xgb.train(params, dtrain, num_boost_round=300)
    booster.save_model("artifacts/attrition.json")  # ruleid: ML401
    """,
    # a registry class that pickles whatever model it is given
    """
    import pickle
    from pathlib import Path

    class ModelRegistry:
        def __init__(self, root):
            self.root = Path(root)

        def save(self, name, model):
            path = self.root / f"{name}.pkl"
            with path.open("wb") as fh:
                pickle.dump(model, fh)  # ruleid: ML401
            return path
    """,
    # a notebook
    {"train.ipynb": """
    import joblib
    from sklearn.ensemble import GradientBoostingClassifier
    gbm = GradientBoostingClassifier().fit(X_train, y_train)
    # %%
    joblib.dump(gbm, "models/gbm.joblib")  # ruleid: ML401
    """},
    # a Keras model
    """
    from tensorflow import keras
    model = keras.Sequential([keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, y, epochs=5)
    model.save("model.keras")  # ruleid: ML401
    """,
]

UnversionedModelArtifact.valid = [
    # dumped to a temporary file only to hash it, and into a temporary folder for a round trip
    """
    import hashlib, os, tempfile
    import joblib
    from sklearn.linear_model import LogisticRegression
    model = LogisticRegression().fit(X, y)
    handle, scratch = tempfile.mkstemp(suffix=".joblib")
    joblib.dump(model, scratch)
    digest = hashlib.sha256(open(scratch, "rb").read()).hexdigest()
    with tempfile.TemporaryDirectory() as room:
        joblib.dump(model, os.path.join(room, "m.joblib"))
        assert joblib.load(os.path.join(room, "m.joblib")).coef_.shape == model.coef_.shape
    """,
    # the selected feature matrix is saved for the next script: data, not a model
    """
    import joblib
    from sklearn.feature_selection import SelectKBest, f_classif
    chosen = SelectKBest(score_func=f_classif, k=10).fit_transform(X_ready, y)
    joblib.dump(chosen, "work/chosen.pkl")
    """,
    # the version is written into the file name itself
    """
    import joblib
    from sklearn.linear_model import LogisticRegression
    clf = LogisticRegression().fit(X, y)
    joblib.dump(clf, "artifacts/lead_model-1.4.0.joblib")
    """,
    # a bundle with version and metadata
    """
    import joblib, sklearn
    from datetime import datetime, timezone
    bundle = {"model": model, "version": VERSION, "trained_at": datetime.now(timezone.utc).isoformat(),
              "features": FEATURES, "sklearn_version": sklearn.__version__}
    joblib.dump(bundle, MODEL_DIR / "churn.joblib")
    """,
    # the bundle written inline
    """
    import pickle
    with open("engagement.pkl", "wb") as fh:
        pickle.dump({"model": model, "features": FEATURES, "version": "engage-2"}, fh)
    """,
    # a file name built from the version
    """
    import joblib
    from sklearn.ensemble import RandomForestClassifier
    model = RandomForestClassifier().fit(X, y)
    model_version = os.environ["MODEL_VERSION"]
    joblib.dump(model, f"models/churn-{model_version}.joblib")
    """,
    # a dated file name through a with-statement
    """
    import pickle
    from datetime import datetime
    clf.fit(X, y)
    path = f"models/clf_{datetime.now():%Y%m%d}.pkl"
    with open(path, "wb") as f:
        pickle.dump(clf, f)
    """,
    # a metadata side-car file next to the model
    """
    import json
    booster = lgb.train(params, train_set)
    booster.save_model(str(out / "model.txt"))
    meta = {"version": cfg["model_version"], "features": FEATURES, "metrics": metrics}
    (out / "metadata.json").write_text(json.dumps(meta))
    """,
    # MLflow logs the model with its run, parameters and library versions
    """
    import mlflow.sklearn
    mlflow.sklearn.log_model(model, "model", registered_model_name="churn")
    """,
    # data, not a model
    """
    import pandas as pd
    df = pd.read_csv("events.csv")
    df.to_pickle("cache/events.pkl")
    """,
]
