from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterator

from wicked_data.checks.analysis.flowtypes import str_list
from wicked_data.checks.analysis.lineage import by_import_name
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.names import last
from wicked_data.checks.analysis.project import LOAD_CALLS
from wicked_data.checks.analysis.values import fixed_categories
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, ProjectHit, Rule

if TYPE_CHECKING:
    from wicked_data.checks.analysis.project import Project


def _realigned(module: ModuleAnalysis, dummies) -> bool:
    """What the model is given is the dummies' frame laid out on a column list of its own (the
    training columns loaded with the model, a constant list, `model.feature_names_in_`):
    `frame.reindex(columns=saved, fill_value=0)` or `frame[saved]` after adding the missing ones.
    The columns then do not depend on the categories of the batch (unless `drop_first=True` dropped
    the batch's own first category, which the realignment fills with 0)."""
    flow = module.flow
    made = dummies.val
    drop_first = dummies.kwarg_node("drop_first")
    if made is None or drop_first is not None and not (isinstance(drop_first, ast.Constant) and not drop_first.value):
        return False  # `drop_first=True` drops whichever category the batch has first: realigning cannot bring it back

    def from_dummies(v) -> bool:
        return v is not None and flow.derives_from(v, made, rows=False)

    for pred in module.predictions:
        for inp in pred.args[:1]:
            for a in flow.ancestors(inp):
                if isinstance(a.node, ast.Subscript) and a.parents and from_dummies(a.parents[0]) and a.index \
                        and a.index[0] is not None and not from_dummies(a.index[0]) and not isinstance(a.node.slice, ast.Constant):
                    return True
                call = a.call
                if call is not None and call.method == "reindex" and from_dummies(call.receiver):
                    cols = call.kwarg_node("columns")
                    val = call.kwargs.get("columns") or (call.args[0] if cols is None and call.args else None)
                    if (cols is not None or val is not None) and not from_dummies(val):
                        return True
    return False

class TransformRefitAtServing(Rule):
    """
    ## What it does
    Flags a scaler, encoder, imputer or other stateful transform fitted (`fit`, `fit_transform`)
    in code that serves a loaded model, instead of being loaded with it from training.
    Also flags statistics of the rows being scored used in their place: features rescaled by the
    batch's mean and standard deviation, gaps filled with the batch's median, mean or mode.

    ## Why is this bad?
    At serving the transform learns from the request batch: a single row scales to zeros, a new
    batch gets new category codes, and the model receives inputs on a scale it was never trained
    on. Predictions change with the batch they arrive in.

    ## Example
    ```python
    model = joblib.load("model.joblib")
    def predict(rows):
        X = StandardScaler().fit_transform(rows)
        return model.predict(X)
    ```

    ## Use instead
    Persist the fitted transform with the model (best: one fitted `Pipeline`) and only call
    `transform`/`predict` at serving.

    ## Known problems
    A helper of another file that fits a transform on the rows it is given and builds the model's
    input at serving (`feature_encoder(request_df, cols)`) is followed into that file; a helper that
    reaches the model only through further calls of other files is not.
    A file that both trains and serves is treated as training, and so is one that fits or trains a
    model of any class on rows and labels (`pipeline.train(X, y)`). A `ColumnTransformer` made only
    of "passthrough" and "drop" parts selects columns and learns nothing. `get_dummies` whose frame is laid out again on a column list of its own (`reindex(columns=saved)`,
    `frame[saved]`) before the model sees it is not flagged. `get_dummies` over columns
    whose categories the code declares in the same file (`pd.Categorical(col, categories=[...])`)
    gives the same columns for any batch; categories declared in another file are not seen.
    """

    id = "ML303"
    name = "transform-refit-at-serving"
    severity = Severity.P1

    def check_project(self, project: Project) -> Iterator[ProjectHit]:
        """Serving code that builds the model's input with another file's function which fits a
        transform on the rows it is given (`feature_encoder(request_df, cols)` around an
        `OrdinalEncoder().fit_transform`): at serving it is fitted again, on the request's rows."""
        helpers = by_import_name(project.facts, "functions")
        for serve in project.serving:
            s = project.facts[serve]["serving"]
            if s.get("evaluates"):
                continue
            built = s.get("built_by")
            for call in [built, *(built.get("others") or ())] if built else ():
                found = helpers.get(call["target"])
                fits = [f for f in found[2].get("fits") or () if not f.get("flagged")] \
                    if found is not None and found[0] != serve else None  # (a fit behind `if training:`: not known)
                if not fits:
                    continue
                name = call["target"].rsplit(".", 1)[-1]
                yield ProjectHit(serve, call["line"], f"{name}() fits {fits[0]['what']} on the rows it is given "
                                 f"({found[0]}, {fits[0]['where']}) and builds the model's input here, so at serving "
                                 "it is fitted again on the incoming rows: the model receives values encoded or scaled "
                                 "differently from what it learned. Fit it once in training, save it, and only apply "
                                 "the loaded one here", confidence="high" if fits[0]["confidence"] == "high" else "medium",
                                 related=[(found[0], fits[0]["line"], f"{fits[0]['what']} is fitted here")])
                break

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        loads_model = bool(module.calls_named(*LOAD_CALLS) or module.method_calls("load_model", "load_state_dict"))
        trains = bool(module.model_fits) or any(
            c.method in ("fit", "train", "partial_fit") and (len(c.node.args) >= 2 or c.kwarg_node("y") is not None)
            for c in module.calls)  # a model of unknown class trained on rows and labels
        if trains or not (module.role == "serving" or (loads_model and module.predictions)):
            return  # only code that serves a model trained elsewhere
        for fit in module.fits:
            if fit.kind == "transformer":
                what = last(fit.ctor) or (fit.estimator.name if fit.estimator is not None else "a transform")
                yield Hit(f"{what} is fitted at serving time on the incoming data instead of loaded from training; "
                          "the model receives inputs scaled/encoded differently from what it learned",
                          node=fit.call.node, confidence=fit.confidence)
        for call in module.calls_named("pandas.get_dummies", "pandas.factorize"):
            if call.short == "get_dummies" and fixed_categories(module, call.arg(0, "data"), str_list(call.kwarg_node("columns"))):
                continue  # the categories are declared in the code: the same columns for any batch
            if call.short == "get_dummies" and _realigned(module, call):
                continue  # the dummies are laid out again on a column list that does not come from them
            yield Hit(f"{call.short}() encodes the request's own categories at serving: the columns/codes "
                      "depend on what this batch contains, not on what the model was trained with",
                      node=call.node, confidence="high")
        seen: set[int] = set()
        for node, stat in module.flow.stat_ops:
            if node.lineno not in seen:
                seen.add(node.lineno)
                yield Hit(f"features are rescaled with the {stat.method}() of the request batch; use the "
                          "statistics saved from training", node=node, confidence="high")
        for call, stat in _batch_fills(module):
            if call.line not in seen:
                seen.add(call.line)
                yield Hit(f"missing values are filled with the {stat}() of the rows being scored: a single request "
                          f"fills with its own value (or NaN), each batch with its own {stat}; the model learned "
                          f"with the training rows' {stat}. Save the fill values (a fitted SimpleImputer in the "
                          "pipeline, or the training statistics in the bundle) and use them here",
                          node=call.node, confidence="high")


_FILL_STATS = {"mean", "median", "mode"}


def _batch_fills(module: ModuleAnalysis):
    """`frame["x"].fillna(frame["x"].median())` at serving, where the filled rows reach `predict`: a
    statistic of the rows at hand (not of a loaded artifact) used as the fill value."""
    inputs = [p.arg(0, "X") for p in module.predictions]
    for call in module.method_calls("fillna"):
        value = call.arg(0, "value")
        stat = value.call if value is not None else None
        if stat is None and value is not None and value.call is None and value.parents:
            stat = value.parents[0].call  # `.mode()[0]`
        if stat is None or stat.method not in _FILL_STATS or stat.receiver is None:
            continue
        if any(a.call is not None and a.call.is_(*LOAD_CALLS) for a in module.flow.ancestors(stat.receiver)):
            continue  # a statistic of a frame loaded from training's artifacts
        if call.val is None:
            continue
        # the filled value reaches predict, itself or written into a column of the frame predicted on
        frames = [w.frame for w in module.flow.column_writes if w.value is call.val and w.frame is not None]
        if any(module.flow.derives_from(x, call.val) or any(module.flow.derives_from(x, f) for f in frames)
               for x in inputs if x is not None):
            yield call, stat.method


TransformRefitAtServing.invalid = [
    """
    import joblib
    from sklearn.preprocessing import StandardScaler
    model = joblib.load("model.joblib")

    def predict(rows):
        X = StandardScaler().fit_transform(rows)  # ruleid: ML303
        return model.predict(X)
    """,
    """
    import pickle
    import pandas as pd
    from sklearn import preprocessing as pp
    from flask import Flask, request
    app = Flask(__name__)
    clf = pickle.load(open("clf.pkl", "rb"))
    enc = pp.LabelEncoder()

    @app.post("/predict")
    def predict():
        frame = pd.DataFrame(request.json)
        frame["city"] = enc.fit_transform(frame["city"])  # ruleid: ML303
        return {"p": clf.predict_proba(frame)[:, 1].tolist()}
    """,
]

TransformRefitAtServing.invalid += [
    # a network normalising each batch by its own statistics; dummies of one request
    """
    import torch
    import pandas as pd
    net = torch.load("net.pt", weights_only=False)
    def risk(rows):
        x = torch.tensor(rows, dtype=torch.float32)
        x = (x - x.mean(dim=0)) / (x.std(dim=0) + 1e-6)  # ruleid: ML303
        return net(x)
    def upsell(payload, model):
        frame = pd.get_dummies(pd.DataFrame([payload]), columns=["plan"])  # ruleid: ML303
        return model.predict_proba(frame)
    """,
    # a nightly job filling gaps with the median of tonight's rows
    """
    import joblib
    import pandas as pd
    model = joblib.load("model.joblib")
    def score_file(path):
        rows = pd.read_csv(path)
        rows["income"] = rows["income"].fillna(rows["income"].median())  # ruleid: ML303
        return model.predict(rows[["income", "age"]])
    """,
]

TransformRefitAtServing.valid = [
    # the request's dummies are laid out again on the training columns saved with the model
    """
    import joblib
    import pandas as pd
    bundle = joblib.load("upsell.joblib")

    def upsell(payload):
        frame = pd.get_dummies(pd.DataFrame([payload]), columns=["plan", "region"])
        frame = frame.reindex(columns=bundle["columns"], fill_value=0)
        return bundle["model"].predict_proba(frame)[0, 1]
    """,
    # the fill values saved from training
    """
    import joblib
    import pandas as pd
    bundle = joblib.load("model.joblib")
    def score_file(path):
        rows = pd.read_csv(path)
        rows = rows.fillna(bundle["medians"])
        return bundle["model"].predict(rows[["income", "age"]])
    """,
    """
    import joblib
    bundle = joblib.load("bundle.joblib")
    scaler, model = bundle["scaler"], bundle["model"]
    def predict(rows):
        return model.predict(scaler.transform(rows))
    """,
    """
    import joblib
    from sklearn.preprocessing import StandardScaler
    from sklearn.linear_model import LogisticRegression
    scaler = StandardScaler().fit(X_train)
    model = LogisticRegression().fit(scaler.transform(X_train), y_train)
    joblib.dump((scaler, model), "m.joblib")
    """,
    # the categories are declared in the code before get_dummies: the same dummy columns for any batch
    """
    import joblib
    import pandas as pd
    model = joblib.load("sales.joblib")

    def predict(record):
        frame = pd.DataFrame([record])
        frame["shop_type"] = pd.Categorical(frame["shop_type"], categories=["a", "b", "c"])
        frame["holiday"] = frame["holiday"].astype(pd.CategoricalDtype(["none", "public", "school"]))
        return model.predict(pd.get_dummies(frame, drop_first=True))[0]
    """,
]
