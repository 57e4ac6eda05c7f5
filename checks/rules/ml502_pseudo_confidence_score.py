from __future__ import annotations

from typing import Iterator

from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.serving import applies, serving
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule


class PseudoConfidenceScore(Rule):
    """
    ## What it does
    Flags a value stored or returned as a "confidence" (a variable, a dict key, a keyword argument
    or a function named like `confidence`/`certainty`) that is computed from the predicted
    probability alone, such as `(max(p) - 0.5) * 2` or `abs(p - 0.5) * 2`.

    ## Why is this bad?
    It restates the probability on another scale and adds no information: a lead at 95% gets a
    "confidence" of 0.9 whether or not the model has ever seen a lead like it. Consumers read it as
    a second, independent signal (show the score only when confidence is high) and trust confident
    nonsense on out-of-distribution inputs.

    ## Example
    ```python
    confidence = float(max(prediction_proba) - 0.5) * 2
    ```

    ## Use instead
    Return the probability only, or measure uncertainty for real: the spread across the trees of
    a forest or an ensemble, conformal prediction sets, or a check that the input lies inside the
    training distribution:
    ```python
    per_tree = np.stack([t.predict_proba(X)[:, 1] for t in forest.estimators_])
    uncertainty = per_tree.std(axis=0)
    ```

    ## Known problems
    A confidence that combines the probability with a genuine uncertainty measure is recognised by
    names (`std`, `var`, `estimators_`, `interval`, `conformal`); other measures are flagged. A
    value passed to a helper named `confidence...` is reported where the helper computes it, not at
    the call. Name evidence: a value that is a probability only because its parameter is named
    like one (the callers are in another file) gives a low-confidence finding; the confidence is
    recognised by where it is stored (`confidence` keys and names).
    """

    id = "ML502"
    name = "pseudo-confidence-score"
    severity = Severity.P2
    name_evidence = True

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        if not applies(module):
            return
        for step in serving(module).confidence_scores:
            yield Hit(f"'{step.target}' is computed from the predicted probability itself ({module.text(step.node)}); "
                      "it restates the probability and says nothing about how reliable the prediction is. Drop it, "
                      "or measure uncertainty (ensemble spread, conformal sets, distance to the training data)",
                      node=step.node, confidence="low" if step.by_name else "high")


PseudoConfidenceScore.invalid = [
    # the seed
    """
    def predict_one(model, x):
        prediction_proba = model.predict_proba(x)[0]
        confidence = float(max(prediction_proba) - 0.5) * 2  # ruleid: ML502
        return {"probability": float(prediction_proba[1]), "confidence": confidence}
    """,
    # a helper named like a confidence, handed the probability
    """
    def confidence_score(probability: float) -> float:
        return float((max(probability, 1.0 - probability) - 0.5) * 2)  # ruleid: ML502
    """,
    # FastAPI: a dict key in the response
    """
    from fastapi import FastAPI
    app = FastAPI()

    @app.post("/predict")
    def predict(req: Req):
        p = float(MODEL.predict_proba(req.frame())[0, 1])
        return {"probability": p, "confidence": abs(p - 0.5) * 2}  # ruleid: ML502
    """,
    # Flask: a keyword argument of a response model
    """
    from flask import Flask, request
    app = Flask(__name__)

    @app.post("/score")
    def score():
        probs = clf.predict_proba(to_frame(request.get_json()))[0]
        return Scored(label=int(probs.argmax()), certainty=probs.max()).dict()  # ruleid: ML502
    """,
]

PseudoConfidenceScore.valid = [
    # uncertainty from the spread across the trees
    """
    import numpy as np

    def predict(forest, X):
        p = forest.predict_proba(X)[:, 1]
        per_tree = np.stack([t.predict_proba(X)[:, 1] for t in forest.estimators_])
        return {"probability": p.tolist(), "confidence": (1 - per_tree.std(axis=0)).tolist()}
    """,
    # the response calls a helper (reviewed where it is defined) and reports a model confidence level
    """
    from fastapi import FastAPI
    app = FastAPI()

    @app.post("/predict")
    def predict(req: Req):
        p = float(MODEL.predict_proba(req.frame())[0, 1])
        return {"probability": p, "confidence": round(confidence_from_coverage(p), 3), "confidence_level": LEVEL}
    """,
]
