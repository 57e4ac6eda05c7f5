from __future__ import annotations

from typing import Iterator

from wicked_data.checks.analysis.evaluation import evaluation
from wicked_data.checks.analysis.evaluation_base import DUMMY_CLASSES
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule


class NoBaseline(Rule):
    """
    ## What it does
    Flags a model evaluated on held-out data when nothing in the project evaluates a baseline: no
    `DummyClassifier`/`DummyRegressor`, no metric of a value named as a baseline (`baseline_pred`,
    `naive_forecast`), no metric of a simple rule computed from the held-out rows
    (`X_test["days_since_last_order"] > 60`) or of a constant prediction.

    ## Why is this bad?
    A score means nothing without a reference. 92% accuracy is worse than useless when 93% of
    customers do not churn; an RMSE only matters against predicting the mean. Without a baseline
    nobody can tell whether the model learned anything worth deploying.

    ## Example
    ```python
    model.fit(X_train, y_train)
    print(f1_score(y_test, model.predict(X_test)))
    ```

    ## Use instead
    Score a trivial model, and the business rule the model replaces, on the same split:
    ```python
    dummy = DummyClassifier(strategy="prior").fit(X_train, y_train)
    rule = (X_test["days_since_last_order"] > 60).astype(int)
    print(f1_score(y_test, model.predict(X_test)), f1_score(y_test, dummy.predict(X_test)), f1_score(y_test, rule))
    ```

    A score that is itself a comparison with the mean predictor (R2, explained variance, D2; a
    regressor's `.score()`) counts as a baseline. A metric with a known chance level (ROC AUC, MCC,
    Cohen's kappa, balanced accuracy; Spark's default `areaUnderROC`) can be read against chance but
    not against the rule the model replaces: the finding drops to a low-confidence P3.

    ## Known problems
    A baseline is recognised by what the code does (a dummy estimator, a score under a baseline's
    key, a metric of model-free predictions on the same truth or held-out rows, a network class of
    the file that learns nothing, its `call`/`forward` building the output from the inputs alone). Name evidence: a
    score only a variable's name calls a baseline (`naive_mae = ...`) lowers the finding to a
    low-confidence P3, which renaming turns back into a P2. A hand-written rule whose
    predictions come from a helper that also calls a model is taken for the model. A baseline
    anywhere in the project silences the rule, even on another split.
    """

    id = "ML204"
    name = "no-baseline"
    severity = Severity.P2
    name_evidence = True

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        facts = evaluation(module)
        if facts.baselines or facts.mean_referenced or not (module.model_fits or module.predictions or module.cv_calls
                                                            or module.gradient_steps):  # (a hand-written training loop)
            return
        candidates = [e for e in facts.evaluations if facts.fitted_rows(e) is None]
        held_out = [e for e in candidates if e.held_out]
        # a metric with a known chance level (ROC AUC) can be read against chance, not against the rule
        chance = ", though the ROC AUC/MCC-style score reported can be read against chance" \
            if facts.chance_referenced else ""
        lowered = {"confidence": "low", "severity": Severity.P3} if facts.named_baselines or chance else {}
        if not (held_out or candidates):
            scored = [c for c in module.cv_calls if not _predictions_unscored(module, facts, c)]
            if scored:  # cross-validated scores are held-out scores too
                cv = scored[0]
                yield Hit("the model is cross-validated with no baseline scored the same way (a DummyClassifier/"
                          f"DummyRegressor or the simple rule it replaces); the score cannot be judged against what "
                          f"the model replaces{chance}", node=cv.node, **({"confidence": "medium"} | lowered))
            return
        first = (held_out or candidates)[0]
        fits = [f for f in module.model_fits if not facts.estimator_classes(f.estimator) & DUMMY_CLASSES]
        related = [(None, fits[0].line, "the model is fitted here")] if fits and fits[0].line != first.line else []
        final = (held_out or candidates)[-1]
        if final.line != first.line:
            related.append((None, final.line, "the model is evaluated here too"))
        yield Hit("the model is evaluated with no baseline to compare against (a DummyClassifier/DummyRegressor "
                  f"or the simple rule it replaces, scored on the same split); the score cannot be judged against "
                  f"what the model replaces{chance}",
                  node=first.call.node, related=related,
                  **({"confidence": "high" if held_out else "medium"} | lowered))

    def satisfied(self, module: ModuleAnalysis) -> bool:
        return bool(evaluation(module).baselines or evaluation(module).mean_referenced)


def _predictions_unscored(module: ModuleAnalysis, facts, call) -> bool:
    """`cross_val_predict` whose out-of-fold predictions no metric reads: stacking features or
    a meta-model's inputs, not an evaluation."""
    if call.val is None or not call.is_("sklearn.model_selection.cross_val_predict"):
        return False
    flow = module.flow
    return not any(v is not None and flow.derives_from(v, call.val, rows=False)
                   for e in facts.evaluations for v in [*e.call.args, *e.call.kwargs.values()])


NoBaseline.invalid = [
    """
    from sklearn.ensemble import GradientBoostingRegressor
    from sklearn.model_selection import cross_val_score
    scores = cross_val_score(GradientBoostingRegressor(), X, y, cv=5, scoring="neg_mean_absolute_error")  # ruleid: ML204
    print(scores.mean())
    """,
    """
    from sklearn.model_selection import train_test_split
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import accuracy_score
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
    model = RandomForestClassifier()
    model.fit(X_train, y_train)
    y_pred = model.predict(X_test)
    print(f"Accuracy: {accuracy_score(y_test, y_pred):.2f}")  # ruleid: ML204
    """,
    # `from sklearn import metrics`; a regressor; several metrics (one finding, at the first)
    """
    from sklearn import metrics
    from sklearn.model_selection import train_test_split as tts
    from sklearn.ensemble import GradientBoostingRegressor
    X_tr, X_te, y_tr, y_te = tts(X, y, random_state=0)
    reg = GradientBoostingRegressor().fit(X_tr, y_tr)
    pred = reg.predict(X_te)
    rmse = metrics.mean_squared_error(y_te, pred) ** 0.5  # ruleid: ML204
    mae = metrics.mean_absolute_error(y_te, pred)
    print(rmse, mae)
    """,
    # evaluation in a helper function, XGBoost
    """
    from xgboost import XGBClassifier
    from sklearn.metrics import average_precision_score

    def report(model, X, y):
        return average_precision_score(y, model.predict_proba(X)[:, 1])  # ruleid: ML204

    clf = XGBClassifier().fit(X_train, y_train)
    print(report(clf, X_test, y_test))
    """,
    # Keras evaluate on the test split
    """
    from tensorflow import keras
    model = keras.Sequential([keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(X_train, y_train, epochs=5)
    loss = model.evaluate(X_test, y_test)  # ruleid: ML204
    """,
    # evaluation in its own file with a loaded model
    {"train.py": """
    import joblib
    from sklearn.linear_model import LogisticRegression
    joblib.dump(LogisticRegression().fit(X, y), "m.joblib")
    """, "evaluate.py": """
    import joblib, pandas as pd
    from sklearn.metrics import f1_score
    test_df = pd.read_csv("test.csv")
    model = joblib.load("m.joblib")
    print(f1_score(test_df["y"], model.predict(test_df[FEATURES])))  # ruleid: ML204
    """},
]

NoBaseline.valid = [
    # out-of-fold predictions kept as stacking features: nothing is scored
    """
    import pandas as pd
    from sklearn.model_selection import cross_val_predict
    from sklearn.neighbors import KNeighborsRegressor
    neighbours = cross_val_predict(KNeighborsRegressor(n_neighbors=9), rows, sold, cv=4)
    pd.DataFrame({"knn_oof": neighbours}).to_parquet("stack_inputs.parquet")
    """,
    # a DummyClassifier on the same split
    """
    from sklearn.dummy import DummyClassifier
    from sklearn.metrics import f1_score
    dummy = DummyClassifier(strategy="most_frequent").fit(X_train, y_train)
    print(f1_score(y_test, model.predict(X_test)), f1_score(y_test, dummy.predict(X_test)))
    """,
    # a simple business rule scored on the held-out rows
    """
    from sklearn.model_selection import train_test_split
    from sklearn.metrics import recall_score
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    model.fit(X_train, y_train)
    rule = (X_test["days_since_last_order"] > 60).astype(int)
    print(recall_score(y_test, model.predict(X_test)), recall_score(y_test, rule))
    """,
    # a naive forecast, recognised by its name
    """
    from sklearn.metrics import mean_absolute_error
    naive_forecast = y_test.shift(1).bfill()
    print(mean_absolute_error(y_test, model.predict(X_test)), mean_absolute_error(y_test, naive_forecast))
    """,
    # a DummyRegressor in another file
    {"train.py": """
    from sklearn.metrics import r2_score
    reg.fit(X_train, y_train)
    print(r2_score(y_test, reg.predict(X_test)))
    """, "baseline.py": """
    from sklearn.dummy import DummyRegressor
    DummyRegressor(strategy="median").fit(X_train, y_train)
    """},
    # R2 beside the error: the score is read against the mean predictor
    """
    from sklearn.metrics import mean_absolute_error, r2_score
    reg.fit(X_train, y_train)
    pred = reg.predict(X_test)
    print(mean_absolute_error(y_test, pred), r2_score(y_test, pred))
    """,
    # a regressor's own score is R2
    """
    from sklearn.linear_model import Ridge
    reg = Ridge().fit(X_train, y_train)
    print(reg.score(X_test, y_test))
    """,
    # only training-set numbers: nothing is evaluated on held-out rows here
    """
    model.fit(X, y)
    print(model.score(X, y))
    """,
]
