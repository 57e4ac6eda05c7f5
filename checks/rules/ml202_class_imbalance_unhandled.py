from __future__ import annotations

import ast
from typing import Iterator

from wicked_data.checks.analysis.evaluation import evaluation
from wicked_data.checks.analysis.evaluation_base import CLASS_WEIGHTED, CLASSIFICATION_LOSSES, DUMMY_CLASSES
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule


class ClassImbalanceUnhandled(Rule):
    """
    ## What it does
    Flags a classifier trained on a likely-imbalanced target (churn, fraud, default, conversion,
    clicks, anomalies, failures, spam, disease, readmission... named in the target, the data file
    or the file name, or a class balance inspected with `value_counts`) when nothing in the project
    handles the imbalance: no `class_weight`, `scale_pos_weight`, `is_unbalance`, `pos_weight`,
    sample weights, resampling (SMOTE, undersampling, balanced ensembles, `WeightedRandomSampler`)
    or threshold tuning.

    ## Why is this bad?
    With a rare positive class the loss is dominated by the majority: the model learns to predict
    "no churn" and still looks accurate. The customers you want to find are the ones it misses.

    ## Example
    ```python
    y = df["churned"]
    model = RandomForestClassifier(n_estimators=100)
    model.fit(X_train, y_train)
    ```

    ## Use instead
    Weight the classes, resample inside the training folds, or tune the decision threshold:
    ```python
    model = RandomForestClassifier(n_estimators=100, class_weight="balanced")
    # or: imblearn.pipeline.make_pipeline(SMOTE(random_state=0), RandomForestClassifier())
    ```

    ## Known problems
    Name evidence: the class balance comes from the code (the counts of the target's classes a
    notebook printed with `value_counts`/`bincount`/`Counter`, kept in its saved output, the last
    print before the first fit; P1 when the smallest class is under a fifth of the rows, P2 for a
    moderate imbalance up to 30/70; a script that counts them without saving the result gives a P2
    at medium confidence); a target, data file or file named like a rare-class problem (churn,
    fraud, default) gives only a low-confidence P3 finding that says the balance is unknown, and
    renaming removes it. Before, the imbalance signal was a name: a churn target that happens to be balanced is still flagged,
    and a rare class named neutrally (`target`) is missed unless its balance is inspected. Any
    handling anywhere in the project silences the rule, even for another model. For a PyTorch
    loop the finding is at the loss (`BCEWithLogitsLoss()` without `pos_weight`). A file that fits
    several classifiers gets one finding, at the first, listing the others.
    """

    id = "ML202"
    name = "class-imbalance-unhandled"
    severity = Severity.P1
    name_evidence = True

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        facts = evaluation(module)
        balance = facts.class_balance
        if balance is None or facts.imbalance_handling:
            return
        why, evidence = balance
        # a name alone never makes a P1: it is reported as unknown balance, at low confidence; an
        # inspection whose result is not saved says the author looked, not what they saw
        by_name = {"confidence": "low", "severity": Severity.P3} if evidence == "name" else \
            {"confidence": "medium", "severity": Severity.P2} if evidence == "inspected" else \
            {"severity": Severity.P2} if not facts.severe_imbalance else {}  # moderate: 20-30% minority
        unknown = " (the class balance is unknown: only a name suggests it)" if evidence == "name" else \
            " (the counts are not saved, so how rare is unknown)" if evidence == "inspected" else ""
        # One problem, one finding: the module's classifiers share the one missing handling, so
        # the first is the finding and the others are its related places.
        unweighted: dict[int, tuple[ast.AST, object, frozenset[str]]] = {}
        for fit in module.model_fits:
            classes = facts.estimator_classes(fit.estimator)
            if classes & DUMMY_CLASSES or fit.call.method not in ("fit", "partial_fit", None) \
                    or facts.fit_task(fit) != "classification":
                continue
            built = fit.estimator.node if fit.estimator is not None and isinstance(fit.estimator.node, ast.Call) else None
            node = built or fit.call.node
            unweighted.setdefault(node.lineno, (node, fit, classes))
        reported = sorted(unweighted.values(), key=lambda entry: entry[0].lineno)
        if reported:
            node, fit, classes = reported[0]
            related = [(None, fit.line, "the classifier is fitted here")] if fit.line != node.lineno else []
            related += [(None, other.lineno, f"{_model_name(other_classes)} is fitted without class weights too")
                        for other, _, other_classes in reported[1:MAX_RELATED + 1]]
            more = len(reported) - 1
            what = "the classifier has" if not more else f"the classifier (and {more} more in this file) has"
            known = any(facts.task_of_classes(c) == "classification" for _, _, c in reported)
            yield Hit(f"{why} suggests {facts.rare_phrase}{unknown}, but {what} no class "
                      "weights, resampling or threshold tuning; it will favour the majority class. Use "
                      "class_weight='balanced' (scale_pos_weight for XGBoost) or resample the training folds",
                      node=node, related=related, fix=_weighting(classes),
                      **({"confidence": "high" if known else "medium"} | by_name))
        if reported:
            return
        for call in module.calls:
            if call.method is None and call.short in CLASSIFICATION_LOSSES:
                weight = "pos_weight=" if "BCE" in call.short else "weight="
                yield Hit(f"{why} suggests {facts.rare_phrase}{unknown}, but the loss "
                          f"{call.short}() has no class weights (pos_weight/weight) and nothing resamples; "
                          "the network will favour the majority class", node=call.node,
                          fix=f"Pass `{weight}` (from the training labels' class counts) to `{call.short}()`, "
                              "or resample the training batches.",
                          **({"confidence": "medium"} | by_name))
                return

    def satisfied(self, module: ModuleAnalysis) -> bool:
        return bool(evaluation(module).imbalance_handling)


ClassImbalanceUnhandled.invalid = [
    # several classifiers compared, none weighted: one finding at the first, the others its related places
    """
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    rows = pd.read_csv("fraud_rows.csv")
    X_train, X_test, y_train, y_test = train_test_split(rows.drop(columns=["fraud"]), rows["fraud"], random_state=0)
    linear = LogisticRegression(max_iter=300)  # ruleid: ML202
    linear.fit(X_train, y_train)
    forest = RandomForestClassifier(random_state=0)
    forest.fit(X_train, y_train)
    """,
    """
    import pandas as pd
    from sklearn.model_selection import train_test_split
    from sklearn.ensemble import RandomForestClassifier
    df = pd.read_csv("customer_data.csv")
    X = df.drop(columns=["churned"])
    y = df["churned"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
    model = RandomForestClassifier(n_estimators=100, max_depth=10)  # ruleid: ML202
    model.fit(X_train, y_train)
    """,
    # the estimator comes out of a helper; the target is a fraud flag in camelCase
    """
    import pandas as pd
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.linear_model import LogisticRegression

    def build():
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))

    tx = pd.read_parquet("transactions.parquet")
    labels = tx.pop("isFraud")
    clf = build()  # ruleid: ML202
    clf.fit(tx, labels)
    """,
    # XGBoost sklearn API, no scale_pos_weight; signal from the data file name
    """
    import pandas as pd
    import xgboost as xgb
    loans = pd.read_csv("loan_default.csv")
    booster = xgb.XGBClassifier(n_estimators=500, max_depth=4)  # ruleid: ML202
    booster.fit(loans[FEATURES], loans["target"])
    """,
    # LightGBM native training on a click-through target
    """
    import lightgbm as lgb
    params = {"objective": "binary", "learning_rate": 0.05, "metric": "auc"}
    train_set = lgb.Dataset(X_train, label=y_clicked_train)
    booster = lgb.train(params, train_set, num_boost_round=300)  # ruleid: ML202
    """,
    # PyTorch: an anomaly detector whose loss has no pos_weight
    """
    import torch
    from torch import nn
    model = nn.Sequential(nn.Linear(30, 16), nn.ReLU(), nn.Linear(16, 1))
    criterion = nn.BCEWithLogitsLoss()  # ruleid: ML202
    optimizer = torch.optim.Adam(model.parameters())
    for xb, is_anomaly in loader:
        loss = criterion(model(xb).squeeze(1), is_anomaly.float())
        optimizer.zero_grad(); loss.backward(); optimizer.step()
    """,
    # a neutral target whose balance is inspected
    {"nb.ipynb": """
    import pandas as pd
    from sklearn.tree import DecisionTreeClassifier
    df = pd.read_csv("events.csv")
    y = df["target"]
    print(y.value_counts(normalize=True))
    # %%
    tree = DecisionTreeClassifier(max_depth=5)  # ruleid: ML202
    tree.fit(df[["a", "b"]], y)
    """},
    # Keras on a churn target, no class_weight in fit
    """
    from tensorflow import keras
    y = customers["churn"].values
    net = keras.Sequential([keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])  # ruleid: ML202
    net.compile(optimizer="adam", loss="binary_crossentropy", metrics=[keras.metrics.AUC()])
    net.fit(X, y, epochs=20)
    """,
]

ClassImbalanceUnhandled.valid = [
    # class weights
    """
    from sklearn.ensemble import RandomForestClassifier
    y = df["churned"]
    model = RandomForestClassifier(class_weight="balanced").fit(X_train, y_train)
    """,
    # scale_pos_weight for XGBoost
    """
    from xgboost import XGBClassifier
    ratio = (y_train == 0).sum() / (y_train == 1).sum()
    model = XGBClassifier(scale_pos_weight=ratio).fit(X_train, y_train_fraud)
    """,
    # SMOTE inside an imblearn pipeline
    """
    from imblearn.pipeline import Pipeline
    from imblearn.over_sampling import SMOTE
    from sklearn.linear_model import LogisticRegression
    pipe = Pipeline([("smote", SMOTE(random_state=0)), ("lr", LogisticRegression())])
    pipe.fit(X_train, df_train["defaulted"])
    """,
    # the threshold is tuned on a validation curve
    """
    import numpy as np
    from sklearn.metrics import precision_recall_curve
    from sklearn.ensemble import GradientBoostingClassifier
    model = GradientBoostingClassifier().fit(X_train, y_train_churn)
    p, r, t = precision_recall_curve(y_val, model.predict_proba(X_val)[:, 1])
    threshold = t[np.argmax(2 * p * r / (p + r + 1e-9))]
    """,
    # a regression problem: predicting the churn date's revenue loss is not a classification
    """
    from sklearn.ensemble import RandomForestRegressor
    y = df["churn_revenue_loss"]
    RandomForestRegressor().fit(X, y)
    """,
    # sample weights handed to LightGBM's dataset; a PyTorch loss with pos_weight in another file
    {"train_lgb.py": """
    import lightgbm as lgb
    ds = lgb.Dataset(X, label=y_fraud, weight=w)
    lgb.train({"objective": "binary"}, ds)
    """, "train_nn.py": """
    import torch
    criterion = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor([20.0]))
    """},
    # no imbalance signal: iris species
    """
    from sklearn.svm import SVC
    y = iris["species"]
    SVC().fit(X, y)
    """,
]


def _weighting(classes: set[str]) -> str:
    """The class-weighting argument of the fitted model's own class, in its own name."""
    model = next(iter(classes)) if len(classes) == 1 else ""
    if model.startswith("XGB"):
        return f"Pass `scale_pos_weight=` (negatives / positives in the training labels) to `{model}`."
    if model.startswith("CatBoost"):
        return f"Pass `auto_class_weights=\"Balanced\"` to `{model}`."
    if model in CLASS_WEIGHTED:
        return f"Pass `class_weight=\"balanced\"` to `{model}`, or resample inside the training folds."
    if model:
        return (f"`{model}` takes no class weights: pass `sample_weight=` to its `fit` (balanced weights from the "
                "training labels), or resample inside the training folds.")
    return "Weight the classes, resample inside the training folds, or tune the decision threshold."


MAX_RELATED = 8


def _model_name(classes: frozenset[str]) -> str:
    return f"`{next(iter(classes))}`" if len(classes) == 1 else "another classifier"
