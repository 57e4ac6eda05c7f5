from __future__ import annotations

import ast
from typing import Iterator

from wicked_data.checks.analysis.evaluation import evaluation
from wicked_data.checks.analysis.evaluation_base import DUMMY_CLASSES
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule


class NoFeatureImportance(Rule):
    """
    ## What it does
    Flags a trained tabular model when nothing in the project looks at which features matter: no
    `feature_importances_` or `coef_`, `permutation_importance`, SHAP/LIME/ELI5, XGBoost
    `get_score`/`plot_importance`, LightGBM `feature_importance`, CatBoost
    `get_feature_importance`, or feature selection with a model (`SelectFromModel`, `RFE(CV)`,
    `SequentialFeatureSelector`).

    ## Why is this bad?
    Without importances nobody knows what the model relies on: a leaked feature that dominates
    goes unnoticed, useless features stay in the pipeline (and must be served), and nobody can
    explain a decision to the business.

    ## Example
    ```python
    model = RandomForestClassifier().fit(X_train, y_train)
    pickle.dump(model, open("model.pkl", "wb"))
    ```

    ## Use instead
    Measure which features the model relies on, on held-out rows: permutation importance, SHAP, or an ablation.

    ```python
    result = permutation_importance(model, X_test, y_test, scoring="average_precision", random_state=0)
    print(pd.Series(result.importances_mean, index=X_test.columns).sort_values(ascending=False))
    ```

    ## Known problems
    Deep-learning code (PyTorch, Keras) is not flagged: importance there is a different analysis.
    Hand-written ablation (dropping a column and refitting) is not recognised. A model whose
    task cannot be told (neither classifier nor regressor) is not flagged.
    """

    id = "ML210"
    name = "no-feature-importance"
    severity = Severity.P3

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        if not module.model_fits:  # nothing is trained here
            return
        facts = evaluation(module)
        if facts.importance_analysis or facts.deep_learning:
            return
        for fit in module.model_fits:
            if facts.estimator_classes(fit.estimator) & DUMMY_CLASSES or facts.fit_task(fit) is None:
                continue
            yield Hit("no feature importance or ablation analysis: nothing shows which features the model relies "
                      "on (a leaked or useless feature goes unnoticed). Add permutation_importance or SHAP",
                      node=fit.call.node, confidence="medium", fix=_importance_fix(module, fit))
            return

    def satisfied(self, module: ModuleAnalysis) -> bool:
        return bool(evaluation(module).importance_analysis)


NoFeatureImportance.invalid = [
    """
    import pickle
    from sklearn.ensemble import RandomForestClassifier
    model = RandomForestClassifier(n_estimators=100)
    model.fit(X_train, y_train)  # ruleid: ML210
    pickle.dump(model, open("model.pkl", "wb"))
    """,
    # XGBoost sklearn API through an alias
    """
    import xgboost as xgb
    reg = xgb.XGBRegressor(n_estimators=400)
    reg.fit(X_train, y_train, eval_set=[(X_val, y_val)])  # ruleid: ML210
    """,
    # LightGBM native training (the task from the objective)
    """
    import lightgbm as lgb
    booster = lgb.train({"objective": "binary"}, lgb.Dataset(X, label=y))  # ruleid: ML210
    booster.save_model("model.txt")
    """,
    # a pipeline built in a helper, in a notebook
    {"model.ipynb": """
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.linear_model import LogisticRegression
    # %%
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    pipe.fit(X_train, y_train)  # ruleid: ML210
    """},
]

NoFeatureImportance.valid = [
    """
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier
    model = RandomForestClassifier().fit(X_train, y_train)
    print(pd.Series(model.feature_importances_, index=X_train.columns).sort_values())
    """,
    # permutation importance in another file
    {"train.py": """
    from sklearn.ensemble import GradientBoostingRegressor
    GradientBoostingRegressor().fit(X_train, y_train)
    """, "explain.py": """
    from sklearn.inspection import permutation_importance
    permutation_importance(model, X_test, y_test, random_state=0)
    """},
    # SHAP
    """
    import shap
    from xgboost import XGBClassifier
    clf = XGBClassifier().fit(X_train, y_train)
    shap.TreeExplainer(clf).shap_values(X_test)
    """,
    # linear coefficients read back
    """
    from sklearn.linear_model import LogisticRegression
    lr = LogisticRegression().fit(X_train, y_train)
    for name, w in zip(X_train.columns, lr.coef_[0]):
        print(name, w)
    """,
    # a PyTorch network is out of scope; a baseline alone is not a model
    """
    import torch
    from sklearn.dummy import DummyClassifier
    DummyClassifier().fit(X_train, y_train)
    """,
]


def _importance_fix(module: ModuleAnalysis, fit) -> str | None:
    """`permutation_importance` called on the fitted model, in the code's names."""
    call = fit.call.node
    model = module.text(call.func.value) if fit.call.method == "fit" and isinstance(call.func, ast.Attribute) else None
    if not model or "\n" in model or len(model) > 40:
        return None
    return (f"Rank the features with `permutation_importance({model}, X_held_out, y_held_out)` on rows the model "
            "did not learn from, and look at the top ones before trusting the score.")
