from __future__ import annotations

from typing import Iterator

from wicked_data.checks.analysis.evaluation import evaluation
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule


class MetricsNotPersisted(Rule):
    """
    ## What it does
    Flags evaluation metrics that are only printed or logged to the console when nothing in the
    project saves metrics: no experiment tracker (`mlflow.log_metric(s)`, `wandb.log`, TensorBoard
    `add_scalar`, Keras `CSVLogger`), and no metric value written to a JSON/YAML/CSV file or
    bundled with the model artifact.

    ## Why is this bad?
    A printed score is gone when the terminal closes. Nobody can say later how good the deployed
    model was, compare it with the next version, or notice that production performance has
    drifted from what was measured at training time.

    ## Example
    ```python
    print(f"Accuracy: {accuracy_score(y_test, y_pred):.2f}")
    pickle.dump(model, open("model.pkl", "wb"))
    ```

    ## Use instead
    Save the metrics next to the model (or log them to a tracker):
    ```python
    metrics = {"roc_auc": roc_auc_score(y_test, proba), "f1": f1_score(y_test, y_pred)}
    Path("artifacts/metrics.json").write_text(json.dumps(metrics))
    ```

    ## Known problems
    A metric counts as saved when the value written derives from a metric call or is named like
    one (`metrics`, `scores`, `results`, `report`). Writes through custom helpers of another
    library are not recognised.
    """

    id = "ML209"
    name = "metrics-not-persisted"
    severity = Severity.P3

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        facts = evaluation(module)
        if facts.persisted_metrics or not facts.metric_reports:
            return
        first = facts.metric_reports[0]
        related = sorted({(None, r.line, "printed here too") for r in facts.metric_reports[1:4] if r.line != first.line})
        yield Hit("metrics are printed but not saved with the model; write them to a metrics file next to the "
                  "artifact or log them to an experiment tracker", node=first.node, related=related,
                  confidence="medium")

    def satisfied(self, module: ModuleAnalysis) -> bool:
        return bool(evaluation(module).persisted_metrics)


MetricsNotPersisted.invalid = [
    """
    import pickle
    from sklearn.metrics import accuracy_score
    y_pred = model.predict(X_test)
    print(f"Accuracy: {accuracy_score(y_test, y_pred):.2f}")  # ruleid: ML209
    with open("churn_model.pkl", "wb") as f:
        pickle.dump(model, f)
    """,
    # `from sklearn import metrics`, a logger, the value in a variable
    """
    import logging
    from sklearn import metrics
    log = logging.getLogger(__name__)
    auc = metrics.roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
    log.info("test AUC %.3f", auc)  # ruleid: ML209
    """,
    # a report built in a helper and printed
    """
    from sklearn.metrics import classification_report

    def evaluate(model, X, y):
        return classification_report(y, model.predict(X))

    print(evaluate(clf, X_test, y_test))  # ruleid: ML209
    """,
    # Keras evaluate printed
    """
    loss, auc = model.evaluate(X_test, y_test)
    print("test loss", loss, "auc", auc)  # ruleid: ML209
    """,
    # a notebook
    {"eval.ipynb": """
    from sklearn.metrics import f1_score
    # %%
    score = f1_score(y_test, clf.predict(X_test))
    # %%
    print(score)  # ruleid: ML209
    """},
]

MetricsNotPersisted.valid = [
    # metrics written to JSON next to the model
    """
    import json, joblib
    from sklearn.metrics import roc_auc_score, f1_score
    metrics = {"roc_auc": roc_auc_score(y_test, proba), "f1": f1_score(y_test, pred)}
    print(metrics)
    joblib.dump(model, "model.joblib")
    with open("metrics.json", "w") as fh:
        json.dump(metrics, fh)
    """,
    # mlflow
    """
    import mlflow
    from sklearn.metrics import f1_score
    f1 = f1_score(y_test, pred)
    print("f1", f1)
    mlflow.log_metric("f1", f1)
    """,
    # bundled with the model artifact
    """
    import joblib
    from sklearn.metrics import average_precision_score
    ap = average_precision_score(y_test, proba)
    print(ap)
    joblib.dump({"model": model, "pr_auc": ap}, "bundle.joblib")
    """,
    # saved in another file of the project
    {"train.py": """
    from sklearn.metrics import r2_score
    print(r2_score(y_test, reg.predict(X_test)))
    """, "track.py": """
    import wandb
    wandb.log({"r2": r2})
    """},
    # a metrics frame saved as CSV
    """
    import pandas as pd
    from sklearn.metrics import precision_recall_fscore_support
    p, r, f, s = precision_recall_fscore_support(y_test, pred)
    report = pd.DataFrame({"precision": p, "recall": r, "f1": f})
    print(report)
    report.to_csv("reports/per_class.csv")
    """,
]
