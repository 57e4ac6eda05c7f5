from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from wicked_data.checks.analysis.evaluation import evaluation
from wicked_data.checks.analysis.evaluation_base import DUMMY_CLASSES
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, ProjectHit, Rule

if TYPE_CHECKING:
    from wicked_data.checks.analysis.project import Project


class DefaultDecisionThreshold(Rule):
    """
    ## What it does
    On a problem where the two errors cost differently (churn, fraud, default, conversion,
    failures, disease...), flags decisions taken at the default threshold: a classifier's
    `predict()` (which cuts probabilities at 0.5), `proba > 0.5`, `np.round(proba)`,
    `torch.sigmoid(logits) > 0.5`, when nothing in the project analyses the threshold
    (`precision_recall_curve`, `roc_curve`, `TunedThresholdClassifierCV`, or a cut at another value).
    Across files, also flags a service that decides at 0.5 (`predict()`, `p > 0.5`) when the training
    code paired with it chooses another threshold (cuts its scores at another value, or uses the
    thresholds a precision-recall or ROC curve returns): the cut chosen there never reaches the
    decision. A curve only drawn chooses nothing.

    ## Why is this bad?
    0.5 is only right when both errors cost the same and the classes are balanced. Missing a
    churner who would have stayed for a discount costs far more than a discount given to a loyal
    customer; with a rare positive class, a 0.5 cut also flags almost nobody.

    ## Example
    ```python
    y_pred = model.predict(X_test)
    ```

    ## Use instead
    Choose the threshold from the costs on validation data, and decide with it:
    ```python
    precision, recall, thresholds = precision_recall_curve(y_val, model.predict_proba(X_val)[:, 1])
    threshold = thresholds[np.argmax(recall[:-1] >= 0.8 * precision[:-1])]  # or a cost function
    y_pred = model.predict_proba(X_test)[:, 1] >= threshold
    ```

    ## Known problems
    Name evidence: when only a name says the errors cost differently (target, data file or file
    name; in serving code with no target, the names of the rows scored, such as `lead_ids`), the
    finding is a low-confidence P3 and renaming removes it. The code rarely states error costs, so
    every finding of this rule is name evidence. `argmax` over two
    logits is not recognised as a 0.5 cut (a `decision_function` margin compared with 0 is).
    Predictions on the training rows are not flagged. Any
    threshold analysis in the project silences the rule. A service that cuts at 0.5 is flagged
    from the target of the project's training code (at P3, the target's name being the evidence).
    """

    id = "ML205"
    name = "default-decision-threshold"
    severity = Severity.P2
    name_evidence = True

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        facts = evaluation(module)
        # Unequal error costs are a business fact the code rarely states; a balance inspected with
        # value_counts says nothing about costs (and a multi-class predict() has no 0.5 cut).
        costly = facts.rare_class_name or (facts.imbalance if module.stated.get("positive-rate") else None)
        if costly is None or facts.threshold_analysis or facts.task == "regression":
            return
        by_name = {"confidence": "low", "severity": Severity.P3}
        reported: set[int] = set()
        for call in module.predictions:
            if call.method != "predict" or facts.predicts_scores(call) or call.line in reported:
                continue
            classes = facts.estimator_classes(call.receiver)
            task = facts.task_of_classes(classes)
            if classes & DUMMY_CLASSES or task == "regression" or facts.row_roles(call.val) == {"train"}:
                continue
            reported.add(call.line)
            confidence = "high" if task == "classification" else "medium" if facts.task else "low"
            yield Hit(f"predict() decides at the default 0.5 threshold, but {costly} points to errors "
                      "of unequal cost; choose the threshold from a precision-recall curve or a cost function "
                      "and decide with predict_proba() >= threshold", node=call.node,
                      **({"confidence": confidence} | by_name))
        for node in facts.default_thresholds:
            if node.lineno not in reported:
                reported.add(node.lineno)
                cut = "0 of a decision_function margin (predict()'s cut)" if facts.is_margin(node) else "0.5"
                yield Hit(f"scores are cut at the default {cut}, but {costly} points to errors of unequal "
                          "cost; choose the threshold from a precision-recall curve or a cost function",
                          node=node, **({"confidence": "high" if facts.task == "classification" else "medium"}
                                        | by_name))

    def check_project(self, project: Project) -> Iterator[ProjectHit]:
        """A service or scoring file that decides at the default 0.5 (`"fraud" if p > 0.5`) where the
        training code of the project says the errors cost differently (the file itself says
        nothing about the target), and nothing in the project analyses the threshold."""
        decisions = {rel: f.get("decisions") for rel, f in project.facts.items() if f.get("decisions")}
        yield from _threshold_left_behind(project, decisions)
        if any(d["analysed"] for d in decisions.values()):
            return
        trains = [rel for rel in project.training if (decisions.get(rel) or {}).get("costly")]
        if not trains:
            return
        for rel, d in sorted(decisions.items()):
            if not d["cuts"] or d["costly"] or rel in project.training:
                continue  # (a file that knows its own target is judged in the file)
            train = next((t for t, s in project.pairs() if s == rel and t in trains), trains[0])
            why = decisions[train]
            for line in d["cuts"]:
                yield ProjectHit(rel, line, f"the served scores are cut at the default 0.5 here, but {why['costly']} "
                                 f"({train}) points to errors of unequal cost; choose the threshold from a "
                                 "precision-recall curve or a cost function on validation data and ship it with "
                                 "the model", related=_trained_at(project, train),
                                 **({} if why["stated"] else {"confidence": "low", "severity": Severity.P3}))

    def satisfied(self, module: ModuleAnalysis) -> bool:
        return bool(evaluation(module).threshold_analysis)


def _threshold_left_behind(project: Project, decisions: dict) -> Iterator[ProjectHit]:
    """The training side chooses a decision threshold (a cut at another value, a curve's thresholds used)
    and the service paired with it decides at 0.5 (`predict()` of the classifier, `p > 0.5`): the
    threshold chosen in training never reaches the decision."""
    seen: set[str] = set()
    for train, serve in project.pairs():
        t, s = decisions.get(train), decisions.get(serve)
        if not t or not s or serve in seen or not t.get("chosen_at") or s["analysed"] \
                or t.get("task") != "classification":
            continue
        lines = s["cuts"] or s.get("predicts") or []
        if not lines or (project.facts[serve].get("serving") or {}).get("evaluates"):
            continue
        seen.add(serve)
        how = "cuts the scores at 0.5" if s["cuts"] else "decides with the classifier's predict(), which cuts at 0.5"
        yield ProjectHit(serve, lines[0], f"training chooses a decision threshold ({train}:{t['chosen_at']}), but "
                         f"this serving code {how}: the threshold chosen there never reaches the decision. Save the "
                         "chosen threshold with the model and decide with predict_proba() >= threshold",
                         confidence="medium", related=[(train, t["chosen_at"], "the threshold is chosen here")])


def _trained_at(project: Project, train: str) -> list[tuple[str, int, str]]:
    training = project.facts[train].get("training")
    return [(train, training["features_line"], "the model's features are chosen here")] if training else []


# Training that picks its cut from a precision-recall curve and saves it, and the head of a service.
_CHOSEN_CUT = """
    import joblib
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import precision_recall_curve
    from sklearn.model_selection import train_test_split
    visits = pd.read_csv("visits.csv")
    cols = ["pages", "minutes"]
    a, b, ya, yb = train_test_split(visits[cols], visits["bought"], stratify=visits["bought"], random_state=3)
    lr = LogisticRegression().fit(a, ya)
    prec, rec, cuts = precision_recall_curve(yb, lr.predict_proba(b)[:, 1])
    joblib.dump({"model": lr, "cut": float(cuts[np.argmax(prec[:-1] >= 0.6)])}, "lr.joblib")
"""
_BUY_SERVICE = """
    import joblib
    import pandas as pd
    from flask import Flask, request
    app = Flask(__name__)
    held = joblib.load("lr.joblib")

    @app.post("/buy")
    def buy():
        row = pd.DataFrame([request.get_json()])[["pages", "minutes"]]"""

DefaultDecisionThreshold.invalid = [
    # training picks its cut from a precision-recall curve; the service decides with predict()
    {"train.py": _CHOSEN_CUT,
     "serve.py": _BUY_SERVICE + """
        return {"buy": int(held["model"].predict(row)[0])}  # ruleid: ML205
    """},
    # the service decides at 0.5; the training script says what the label is
    {"train.py": """
    import joblib
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier
    claims = pd.read_csv("claims.csv")
    cols = ["amount", "age", "prior_claims"]
    rf = RandomForestClassifier(class_weight="balanced").fit(claims[cols], claims["is_fraud"])
    joblib.dump({"model": rf, "columns": cols}, "rf.joblib")
    """,
     "service.py": """
    import joblib
    import pandas as pd
    bundle = joblib.load("rf.joblib")

    def decide(claim: dict) -> str:
        p = bundle["model"].predict_proba(pd.DataFrame([claim])[bundle["columns"]])[0, 1]
        return "fraud" if p > 0.5 else "ok"  # ruleid: ML205
    """},
    """
    import pandas as pd
    from sklearn.model_selection import train_test_split
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import accuracy_score
    df = pd.read_csv("customer_data.csv")
    X, y = df.drop(columns=["churned"]), df["churned"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
    model = RandomForestClassifier().fit(X_train, y_train)
    y_pred = model.predict(X_test)  # ruleid: ML205
    print(accuracy_score(y_test, y_pred))
    """,
    # predict_proba cut at 0.5 by hand
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    clf = LogisticRegression(class_weight="balanced").fit(X_train, y_train_fraud)
    proba = clf.predict_proba(X_test)[:, 1]
    flagged = np.where(proba >= 0.5, 1, 0)  # ruleid: ML205
    """,
    # Keras: predict returns probabilities; rounding them is a 0.5 cut
    """
    import numpy as np
    from tensorflow import keras
    model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", metrics=["AUC"])
    model.fit(X_train, y_default_train)
    decisions = np.round(model.predict(X_test))  # ruleid: ML205
    """,
    # an SVM's margin cut at 0 is predict()'s own decision
    """
    import pandas as pd
    from sklearn.svm import LinearSVC
    from sklearn.model_selection import train_test_split
    cases = pd.read_csv("fraud_cases.csv")
    X_a, X_b, y_a, y_b = train_test_split(cases.drop(columns=["is_fraud"]), cases["is_fraud"], stratify=cases["is_fraud"])
    margin = LinearSVC(class_weight="balanced").fit(X_a, y_a).decision_function(X_b)
    flagged = margin > 0  # ruleid: ML205
    """,
    # PyTorch: sigmoid > 0.5 inside the evaluation loop
    """
    import torch
    criterion = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor([10.0]))
    for xb, readmitted in test_loader:
        logits = model(xb)
        val_loss = criterion(logits, readmitted.float())
        preds = (torch.sigmoid(logits) > 0.5).float()  # ruleid: ML205
    """,
    # serving code: a loaded model decides with predict() in a fraud service
    {"fraud_service.py": """
    import joblib
    model = joblib.load("model.joblib")

    def score(tx):
        return {"block": bool(model.predict([tx])[0])}  # ruleid: ML205
    """},
    # nightly scoring with a loaded churn model: the contact list is predict()'s 0.5 cut
    {"predict.py": """
    import joblib
    bundle = joblib.load("artifacts/churn_hgb.joblib")
    accounts["contact"] = bundle["model"].predict(X)  # ruleid: ML205
    """},
    # native XGBoost booster: predict gives probabilities, cut at 0.5
    """
    import xgboost as xgb
    bst = xgb.train({"objective": "binary:logistic"}, xgb.DMatrix(X_train, label=y_converted_train))
    preds = bst.predict(xgb.DMatrix(X_test))
    y_hat = (preds > 0.5).astype(int)  # ruleid: ML205
    """,
    # serving leads: the probability passes through a project helper before the 0.5 cut
    {"pipeline.py": """
    from app.calibration import calibrate_probability

    def predict_batch(model, features, lead_ids):
        out = []
        for lead_id in lead_ids:
            proba = model.predict_proba(features.loc[[lead_id]])[0]
            probability = calibrate_probability(proba[1])
            out.append({"lead_id": lead_id, "prediction": probability >= 0.5,  # ruleid: ML205
                        "probability": round(probability, 4)})
        return out
    """},
    # the same through a helper of the module, in a churn service
    {"churn_service.py": """
    import joblib
    model = joblib.load("model.joblib")

    def clamp(p):
        return min(max(p, 0.01), 0.99)

    def contact_list(customers):
        return [clamp(p) > 0.5 for p in model.predict_proba(customers)[:, 1]]  # ruleid: ML205
    """},
]

DefaultDecisionThreshold.valid = [
    # the service decides with the cut training chose and saved
    {"train.py": _CHOSEN_CUT,
     "serve.py": _BUY_SERVICE + """
        return {"buy": bool(held["model"].predict_proba(row)[0, 1] >= held["cut"])}
    """},
    # the threshold is chosen in training and shipped with the model
    {"train.py": """
    import joblib
    import numpy as np
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import precision_recall_curve
    claims = pd.read_csv("claims.csv")
    cols = ["amount", "age", "prior_claims"]
    rf = RandomForestClassifier(class_weight="balanced").fit(claims[cols], claims["is_fraud"])
    precision, recall, cuts = precision_recall_curve(val["is_fraud"], rf.predict_proba(val[cols])[:, 1])
    joblib.dump({"model": rf, "columns": cols, "threshold": cuts[np.argmax(recall[:-1] >= 0.9)]}, "rf.joblib")
    """,
     "service.py": """
    import joblib
    import pandas as pd
    bundle = joblib.load("rf.joblib")

    def decide(claim: dict) -> str:
        p = bundle["model"].predict_proba(pd.DataFrame([claim])[bundle["columns"]])[0, 1]
        return "fraud" if p > bundle["threshold"] else "ok"
    """},
    # known miss (kept unflagged until the rule learns it): argmax over two logits is a 0.5 cut too
    """
    import torch
    for xb, churned in loader:
        out = model(xb)
        pred = out.argmax(dim=1)  # todoruleid: ML205
    """,
    # threshold chosen from a precision-recall curve
    """
    import numpy as np
    from sklearn.metrics import precision_recall_curve
    model.fit(X_train, y_train_churn)
    p, r, t = precision_recall_curve(y_val, model.predict_proba(X_val)[:, 1])
    threshold = t[np.argmax(2 * p * r / (p + r + 1e-9))]
    y_pred = model.predict(X_test)
    """,
    # probabilities rounded to digits for the response: no decision is taken
    {"fraud_api.py": """
    import numpy as np

    def score(model, tx):
        p = model.predict_proba(tx)[:, 1]
        return {"p": round(float(p[0]), 4), "all": np.round(p, decimals=3).tolist(), "pct": p.round(2)}
    """},
    # a business threshold other than 0.5
    """
    from sklearn.ensemble import GradientBoostingClassifier
    clf = GradientBoostingClassifier().fit(X_train, y_fraud_train)
    alerts = clf.predict_proba(X_new)[:, 1] > 0.15
    """,
    # TunedThresholdClassifierCV
    """
    from sklearn.model_selection import TunedThresholdClassifierCV
    tuned = TunedThresholdClassifierCV(base, scoring="f1").fit(X_train, y_train_default)
    tuned.predict(X_test)
    """,
    # a class balance inspected is not a cost asymmetry: news topics
    """
    from sklearn.svm import LinearSVC
    y = articles["topic"]
    print(y.value_counts())
    pred = LinearSVC().fit(X_train, y_train).predict(X_test)
    """,
    # no asymmetric-cost signal: handwritten digits
    """
    from sklearn.svm import SVC
    clf = SVC().fit(X_train, digits_train)
    pred = clf.predict(X_test)
    """,
    # regression on a churn-related quantity
    """
    from sklearn.linear_model import Ridge
    y = df["churn_revenue"]
    Ridge().fit(X_train, y_train).predict(X_test)
    """,
    # the threshold is tuned in another file of the project
    {"train.py": """
    from sklearn.ensemble import RandomForestClassifier
    y = df["churned"]
    model = RandomForestClassifier().fit(X_train, y_train)
    print(model.predict(X_test))
    """, "tune.py": """
    from sklearn.metrics import roc_curve
    fpr, tpr, thr = roc_curve(y_val, scores)
    """},
]
