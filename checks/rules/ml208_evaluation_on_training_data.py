from __future__ import annotations

from typing import Iterator

from checks.analysis.evaluation import evaluation
from checks.analysis.module import ModuleAnalysis
from checks.models import Severity
from checks.rules.base import Hit, Rule


class EvaluationOnTrainingData(Rule):
    """
    ## What it does
    Flags a metric computed on the rows the model was fitted on (the train part of a split, or
    the very `X`/`y` given to `fit` when there is no split), when the module computes no metric
    on held-out rows. A cross-validated score followed by a report computed on the refitted
    training rows is flagged too: the report is what gets read and saved.

    ## Why is this bad?
    A model scores well on the rows it has memorised: a deep random forest reaches ~100% training
    accuracy on noise. The number says nothing about new customers and hides overfitting.

    ## Example
    ```python
    model.fit(X, y)
    print("accuracy", accuracy_score(y, model.predict(X)))
    ```

    ## Use instead
    Score held-out rows (a test split or cross-validation); a training score is useful only next
    to them, as an overfitting diagnostic:
    ```python
    print("train", f1_score(y_train, model.predict(X_train)), "test", f1_score(y_test, model.predict(X_test)))
    ```

    ## Known problems
    Rows are matched through the data flow and through names (`X_train`, `train_df`): a frame
    read from a file named neutrally is not known to be training data. Running losses printed
    inside a training loop are not metrics calls and are not flagged.
    """

    id = "ML208"
    name = "evaluation-on-training-data"
    severity = Severity.P1

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        facts = evaluation(module)
        if any(e.held_out for e in facts.evaluations):
            return
        by_fit: dict[int, list] = {}
        for ev in facts.evaluations:
            fit = facts.fitted_rows(ev)
            if fit is not None:
                by_fit.setdefault(id(fit), [fit]).append(ev)
        for fit, first, *more in by_fit.values():
            related = [(None, fit.line, "the model is fitted on these rows here")] if fit.line != first.line else []
            related += [(None, ev.line, "also computed on the training rows") for ev in more]
            confidence = "high" if first.on_training_rows and not facts.cross_validation else "medium"
            yield Hit(f"{first.metric} is computed on the rows the model was fitted on, and no metric is computed "
                      "on held-out rows; the number measures memorisation. Evaluate on a test split",
                      node=first.call.node, related=related, confidence=confidence)


EvaluationOnTrainingData.invalid = [
    """
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import accuracy_score
    model = RandomForestClassifier().fit(X, y)
    print("accuracy", accuracy_score(y, model.predict(X)))  # ruleid: ML208
    """,
    # cross-validated, then refitted on all rows and the final report computed on those rows
    """
    from sklearn.model_selection import cross_val_score
    from sklearn.metrics import roc_auc_score, classification_report
    print(cross_val_score(model, X, y, cv=5, scoring="roc_auc").mean())
    final = model.fit(X, y)
    summary = {"roc_auc": roc_auc_score(y, final.predict_proba(X)[:, 1]),  # ruleid: ML208
               "report": classification_report(y, final.predict(X))}
    """,
    # the training part of a split, scored twice through aliases (one finding, the second related)
    """
    import sklearn.model_selection as ms
    from sklearn import metrics
    from sklearn.linear_model import LogisticRegression
    X_train, X_test, y_train, y_test = ms.train_test_split(X, y, random_state=0)
    clf = LogisticRegression().fit(X_train, y_train)
    train_pred = clf.predict(X_train)
    print(metrics.f1_score(y_train, train_pred))  # ruleid: ML208
    print(clf.score(X_train, y_train))
    """,
    # XGBoost regressor, evaluated in a helper on the fitted frame
    """
    from xgboost import XGBRegressor
    from sklearn.metrics import mean_absolute_error

    def mae(model, X, y):
        return mean_absolute_error(y, model.predict(X))  # ruleid: ML208

    reg = XGBRegressor()
    reg.fit(features, target)
    print(mae(reg, features, target))
    """,
    # Keras evaluate on the training arrays
    """
    from tensorflow import keras
    model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", metrics=["AUC"])
    model.fit(X_train, y_train, epochs=3)
    print(model.evaluate(X_train, y_train))  # ruleid: ML208
    """,
    # a notebook with training data read from a file named train
    {"nb.ipynb": """
    import pandas as pd
    from sklearn.metrics import roc_auc_score
    train_df = pd.read_csv("train.csv")
    # %%
    model.fit(train_df[FEATURES], train_df["y"])
    # %%
    roc_auc_score(train_df["y"], model.predict_proba(train_df[FEATURES])[:, 1])  # ruleid: ML208
    """},
]

EvaluationOnTrainingData.valid = [
    # training metrics beside test metrics: an overfitting diagnostic
    """
    from sklearn.model_selection import train_test_split
    from sklearn.metrics import f1_score
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    model.fit(X_train, y_train)
    print("train", f1_score(y_train, model.predict(X_train)), "test", f1_score(y_test, model.predict(X_test)))
    """,
    # evaluated on a held-out file
    """
    import pandas as pd
    from sklearn.metrics import roc_auc_score
    model.fit(train[FEATURES], train["y"])
    holdout = pd.read_csv("holdout.csv")
    print(roc_auc_score(holdout["y"], model.predict_proba(holdout[FEATURES])[:, 1]))
    """,
    # validation scores in a K-fold loop
    """
    from sklearn.model_selection import StratifiedKFold
    from sklearn.metrics import roc_auc_score
    for tr, va in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
        model.fit(X.iloc[tr], y.iloc[tr])
        print(roc_auc_score(y.iloc[va], model.predict_proba(X.iloc[va])[:, 1]))
    """,
]
