from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Iterator

from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.serving import applies, serving
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, ProjectHit, Rule

if TYPE_CHECKING:
    from wicked_data.checks.analysis.project import Project

WHAT = {"sigmoid": "a hand-made sigmoid", "clamp": "a clamp to fixed bounds", "power": "a power",
        "rescale": "a linear rescale"}


class AdHocProbabilityCalibration(Rule):
    """
    ## What it does
    Flags predicted probabilities (the output of `predict_proba`, or a helper's probability-named
    parameter such as `raw_probability`) reshaped by hand before they are returned: a sigmoid
    (`1 / (1 + exp(-k * (p - 0.5)))`, `expit(p)`), a clamp to fixed bounds (`max(0.05, min(0.95, p))`,
    `np.clip(p, FLOOR, CEILING)`), a power, or a linear rescale stored as a "calibrated" value.
    Across files, also flags (at P2) a service that serves `predict_proba` of a classifier its
    training code fitted on rebalanced rows (SMOTE, random over- or undersampling) and never
    calibrated: the scores describe the balanced classes, not the population.

    ## Why is this bad?
    The numbers stop being probabilities. A lead shown as 72% converts nowhere near 72% of the
    time, thresholds and expected-value maths built on them are wrong, and the distortion changes
    silently with every retrained model, because the curve was tuned by eye on one model's output.
    Clamping hides the cases the model is surest about.

    ## Example
    ```python
    raw = model.predict_proba(X)[0, 1]
    calibrated = max(0.05, min(0.95, 1 / (1 + np.exp(-2 * (raw - 0.5)))))
    ```

    ## Use instead
    Fit the calibration on held-out data and ship it with the model, then check it with a
    reliability curve or the Brier score:
    ```python
    model = CalibratedClassifierCV(forest, method="isotonic", cv=5).fit(X_train, y_train)
    probability = model.predict_proba(X)[0, 1]
    ```

    ## Known problems
    Probabilities are followed from `predict_proba` through local assignments, loops, module
    helpers and returns, not through object attributes set in another method or across files.
    Name evidence: a helper whose callers are in another file is reviewed through its parameter's
    name (`p`, `proba`, `probability`), and such a finding is a low-confidence P2. A sigmoid inside a
    network's own forward pass, `CalibratedClassifierCV` and clipping by a numerical epsilon
    (`clip(p, 1e-7, 1 - 1e-7)`) are not flagged.
    """

    id = "ML501"
    name = "ad-hoc-probability-calibration"
    severity = Severity.P1
    name_evidence = True

    def check_project(self, project: Project) -> Iterator[ProjectHit]:
        """A service returning `predict_proba` of a classifier the paired training code fitted on
        rebalanced rows (SMOTE, random over- or undersampling) and never calibrated."""
        seen: set[str] = set()
        for train, serve in project.pairs():
            t = project.facts[train].get("training") or {}
            s = project.facts[serve].get("serving") or {}
            shifted = t.get("rebalanced")
            if not shifted or not s.get("probabilities") or s.get("evaluates") or serve in seen:
                continue
            loaded = {PurePosixPath(a["path"]).name for a in (project.facts[serve].get("artifacts") or {}).get("loaded", ())
                      if a.get("path") and not a["path"].startswith("config:")}
            if shifted.get("paths") is not None and loaded and not loaded & set(shifted["paths"]):
                continue  # the service loads other files than the ones holding the rebalanced model
            seen.add(serve)
            yield ProjectHit(serve, s["probabilities"][0],
                             f"the model behind these probabilities was fitted on rows rebalanced by {shifted['by']} "
                             f"({train}:{shifted['at'] or shifted['line']}), so its predict_proba describes the balanced "
                             "classes, not the population scored here: a rare outcome comes out many times too likely. "
                             "Calibrate on rows with the real class balance (CalibratedClassifierCV on a held-out "
                             "part), or correct the scores for the sampling ratio, before serving them as probabilities",
                             confidence="medium", severity=Severity.P2,
                             related=[(train, shifted["line"], "fitted on the rebalanced rows here")])

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        if not applies(module):
            return
        facts = serving(module)
        for step in facts.calibration_steps:
            parts = list(dict.fromkeys(step.parts))
            done = " and ".join(WHAT[p] for p in parts)
            where = f" in {step.function.name}()" if step.function is not None else ""
            yield Hit(f"predicted probabilities are reshaped by hand{where} ({done}); the results are no longer "
                      "calibrated probabilities and the curve drifts with every retrained model. Fit a calibrator "
                      "on held-out data (CalibratedClassifierCV, isotonic/Platt) and ship it with the model",
                      node=step.node, **({"confidence": "low", "severity": Severity.P2} if step.by_name else
                                         {"confidence": "high" if "sigmoid" in parts or "clamp" in parts else "medium"}))


AdHocProbabilityCalibration.invalid = [
    # the seed: a sigmoid around 0.5 then a clamp, in the scoring loop
    """
    import numpy as np

    def score(model, X):
        prediction_proba = model.predict_proba(X)[0]
        raw_prob = prediction_proba[1]
        calibrated_prob = 1 / (1 + np.exp(-2 * (raw_prob - 0.5)))  # ruleid: ML501
        calibrated_prob = max(0.05, min(0.95, calibrated_prob))  # ruleid: ML501
        return calibrated_prob
    """,
    # a helper handed the probability, module constants as bounds, scipy's expit
    """
    import numpy as np
    from scipy.special import expit
    FLOOR, CEILING = 0.05, 0.95
    FLOOR = 0.05
    CEILING = 0.95

    def calibrate_probability(raw_probability: float) -> float:
        return float(np.clip(expit(4 * (raw_probability - 0.5)), FLOOR, CEILING))  # ruleid: ML501
    """,
    # FastAPI: the route squashes the probability with a power
    """
    from fastapi import FastAPI
    from pydantic import BaseModel
    app = FastAPI()

    class Lead(BaseModel):
        score: float

    @app.post("/predict")
    def predict(lead: Lead):
        p = MODEL.predict_proba([[lead.score]])[:, 1][0]
        return {"probability": float(p ** 0.5)}  # ruleid: ML501
    """,
    # Flask: a numpy clip over the batch
    """
    import numpy as np
    from flask import Flask, jsonify, request
    app = Flask(__name__)

    @app.post("/score")
    def score():
        probs = model.predict_proba(parse(request.get_json()))[:, 1]
        shown = np.clip(probs, 0.1, 0.9)  # ruleid: ML501
        return jsonify({"p": shown.tolist()})
    """,
]

AdHocProbabilityCalibration.valid = [
    # the SMOTE model is saved, then replaced in the same file by one fitted on the real rows
    {"fit.py": """
        import pickle
        import pandas as pd
        from imblearn.over_sampling import SMOTE
        from sklearn.ensemble import RandomForestClassifier
        rows = pd.read_csv("strokes.csv")
        X, y = rows[["age", "glucose", "bmi"]], rows["stroke"]
        X_up, y_up = SMOTE(random_state=1).fit_resample(X, y)
        with open("forest.pkl", "wb") as fh:
            pickle.dump(RandomForestClassifier(random_state=1).fit(X_up, y_up), fh)
        with open("forest.pkl", "wb") as fh:
            pickle.dump(RandomForestClassifier(random_state=1, class_weight="balanced").fit(X, y), fh)
        """,
     "app.py": """
        import pickle
        from fastapi import FastAPI
        app = FastAPI()
        with open("forest.pkl", "rb") as fh:
            forest = pickle.load(fh)

        @app.post("/risk")
        def risk(age: float, glucose: float, bmi: float) -> dict:
            return {"p": float(forest.predict_proba([[age, glucose, bmi]])[0, 1])}
        """},
    # fitted calibration, and an epsilon clip before a log
    """
    import numpy as np
    from sklearn.calibration import CalibratedClassifierCV

    def serve(model, X):
        proba = model.predict_proba(X)[:, 1]
        safe = np.clip(proba, 1e-7, 1 - 1e-7)
        return {"probability": proba.tolist(), "logit": np.log(safe / (1 - safe)).tolist()}

    def build(forest, X, y):
        return CalibratedClassifierCV(forest, method="isotonic", cv=5).fit(X, y)
    """,
    # a sigmoid in a network's forward pass
    """
    import torch
    from torch import nn

    class Net(nn.Module):
        def forward(self, x):
            return torch.sigmoid(self.fc(x))

    def predict(net, x):
        with torch.no_grad():
            return net(x).item()
    """,
    # a probability rounded and thresholded, not reshaped
    """
    from fastapi import FastAPI
    app = FastAPI()

    @app.post("/predict")
    def predict(req: Req):
        p = float(MODEL.predict_proba(req.frame())[0, 1])
        return {"probability": round(p, 4), "label": p >= THRESHOLD}
    """,
]


_BALANCED_TRAINING = """
    import joblib
    import pandas as pd
    from imblearn.over_sampling import RandomOverSampler
    from sklearn.linear_model import LogisticRegression
    claims = pd.read_csv("claims.csv")
    cols = ["amount", "age"]
    X_up, y_up = RandomOverSampler(random_state=0).fit_resample(claims[cols], claims["fraud"])
    joblib.dump(LogisticRegression().fit(X_up, y_up), "lr.joblib")
"""
AdHocProbabilityCalibration.invalid.append({
    "train.py": _BALANCED_TRAINING,
    "serve.py": """
    import joblib
    import pandas as pd
    lr = joblib.load("lr.joblib")
    def risk(claim: dict) -> float:
        return float(lr.predict_proba(pd.DataFrame([claim])[["amount", "age"]])[0, 1])  # ruleid: ML501
    """})
AdHocProbabilityCalibration.valid.append({
    "train.py": _BALANCED_TRAINING,
    "serve.py": """
    import joblib
    import pandas as pd
    lr = joblib.load("lr.joblib")
    def flag(claim: dict) -> int:
        return int(lr.predict(pd.DataFrame([claim])[["amount", "age"]])[0])
    """})
