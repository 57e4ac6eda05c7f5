from __future__ import annotations

from typing import Iterator

from wicked_data.checks.analysis import vocab
from wicked_data.checks.analysis.evaluation import evaluation
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule

# Metrics that rank or weigh scores: given hard labels they measure one threshold, not the ranking.
RANKING = {"roc_auc_score": ("y_score",), "average_precision_score": ("y_score",), "roc_curve": ("y_score",),
           "precision_recall_curve": ("probas_pred", "y_score"), "log_loss": ("y_pred", "y_proba"),
           "brier_score_loss": ("y_prob", "y_proba")}
SCORES = {"predict_proba", "decision_function", "predict_log_proba"}
# Libraries whose classifiers' `predict` returns class labels (a Keras or PyTorch model's returns scores).
LABEL_PREDICTORS = ("sklearn", "xgboost", "lightgbm", "catboost", "imblearn")


class RankingMetricOnLabels(Rule):
    """
    ## What it does
    Flags a ranking or probability metric (`roc_auc_score`, `average_precision_score`, `roc_curve`,
    `precision_recall_curve`, `log_loss`, `brier_score_loss`) computed from a classifier's
    `predict()` output, which is the class labels, instead of its scores (`predict_proba`,
    `decision_function`). Only classifiers of scikit-learn, XGBoost, LightGBM, CatBoost and
    imbalanced-learn are considered: their `predict` returns labels.

    ## Why is this bad?
    Given 0/1 labels, ROC AUC is the area under a curve with a single point: it measures the one
    threshold `predict` used (0.5), not how well the model ranks cases, and it usually understates
    the model. Log loss and the Brier score of labels punish every mistake as a certain one. The
    reported number is not the metric its name promises, and models compared by it are compared on
    the wrong thing.

    ## Example
    ```python
    y_pred = clf.predict(X_test)
    print("ROC AUC", roc_auc_score(y_test, y_pred))
    ```

    ## Use instead
    Pass the scores of the positive class to ranking metrics, and keep the labels for the
    confusion matrix and F1:
    ```python
    print("ROC AUC", roc_auc_score(y_test, clf.predict_proba(X_test)[:, 1]))
    ```

    ## Known problems
    The classifier must be known from the data flow (its class constructed in the file, through
    helpers and pipelines); a model loaded from a file, or one of another library, is not judged.
    """

    id = "ML212"
    name = "ranking-metric-on-labels"
    severity = Severity.P2

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        calls = [c for c in module.metric_calls if c.short in RANKING]
        if not calls:
            return
        facts = evaluation(module)
        flow = module.flow
        for call in calls:
            score = next((call.kwargs[k] for k in RANKING[call.short] if k in call.kwargs), None) or call.arg(1)
            if score is None:
                continue
            for anc in flow.ancestors(score):
                made = anc.call
                if made is None or made.method is None:
                    continue
                if made.method in SCORES:
                    break  # scores: what the metric needs
                if made.method != "predict" or made.receiver is None:
                    continue
                classes = facts.estimator_classes(made.receiver)
                root = (_constructor(made.receiver) or "").split(".")[0]
                if any(vocab.is_classifier(c) for c in classes) and not any(vocab.is_regressor(c) for c in classes) \
                        and root in LABEL_PREDICTORS:
                    yield Hit(f"{call.short} is given `{module.text(made.node)}`, the predicted class labels, not "
                              "scores: it measures the one threshold predict() applies, not the ranking the metric "
                              "is named for. Pass predict_proba(...)[:, 1] or decision_function(...)",
                              node=call.node, confidence="high",
                              related=[(None, made.line, "the labels come from predict() here")])
                break


def _constructor(model, depth: int = 6) -> str | None:
    """The full name of what made the model (`sklearn.ensemble.RandomForestClassifier`,
    `sklearn.pipeline.make_pipeline`), followed back through fits and names."""
    while model is not None and depth > 0:
        if model.ctor:
            return model.ctor
        model = model.parents[0] if len(model.parents) == 1 else None
        depth -= 1
    return None


RankingMetricOnLabels.invalid = [
    """
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import roc_auc_score, f1_score
    from sklearn.model_selection import train_test_split
    X_a, X_b, y_a, y_b = train_test_split(X, y, stratify=y, random_state=0)
    forest = RandomForestClassifier(random_state=0).fit(X_a, y_a)
    labels = forest.predict(X_b)
    print(f1_score(y_b, labels), roc_auc_score(y_b, labels))  # ruleid: ML212
    """,
    # through a pipeline, by keyword
    """
    import xgboost as xgb
    from sklearn.metrics import average_precision_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    pipe = make_pipeline(StandardScaler(), xgb.XGBClassifier(n_estimators=200))
    pipe.fit(X_train, y_train)
    ap = average_precision_score(y_true=y_test, y_score=pipe.predict(X_test))  # ruleid: ML212
    """,
]

RankingMetricOnLabels.valid = [
    # scores for the ranking metric, labels for F1
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score, f1_score
    model = LogisticRegression(max_iter=1000).fit(X_train, y_train)
    print(f1_score(y_test, model.predict(X_test)), roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]))
    """,
    # a Keras model's predict returns probabilities
    """
    from tensorflow import keras
    from sklearn.metrics import roc_auc_score
    net = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
    net.compile(loss="binary_crossentropy")
    net.fit(X_train, y_train, epochs=5)
    print(roc_auc_score(y_test, net.predict(X_test).ravel()))
    """,
]
