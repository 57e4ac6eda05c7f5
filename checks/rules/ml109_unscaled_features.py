from __future__ import annotations

from typing import Iterator

from wicked_data.checks.analysis.module import Fit, ModuleAnalysis
from wicked_data.checks.analysis.names import last
from wicked_data.checks.analysis.vocab import SCALE_SENSITIVE, is_transformer, is_tree
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule

SCALERS = ("Scaler", "Normalizer", "PowerTransformer", "QuantileTransformer", "PCA", "StandardScaler")


class UnscaledFeatures(Rule):
    """
    ## What it does
    Flags a scale-sensitive model (linear and logistic models with regularisation, SVMs, k-NN,
    neural networks, k-means) fitted on features that no scaler touched, and leaves an advisory
    note on tree models, which do not need scaling but will if the model is swapped.

    ## Why is this bad?
    Regularisation, distances and gradient steps treat a column in dollars and a column in years
    as comparable. The feature with the biggest numbers dominates, convergence is slow, and
    coefficients cannot be compared.

    ## Example
    ```python
    LogisticRegression().fit(X_train, y_train)
    ```

    ## Use instead
    Put a scaler in front of a scale-sensitive model, inside one pipeline fitted on the training part.

    ```python
    make_pipeline(StandardScaler(), LogisticRegression()).fit(X_train, y_train)
    ```

    ## Known problems
    Features scaled by hand (`(x - mean) / std`) or in another file are not recognised.
    """

    id = "ML109"
    name = "unscaled-features"
    severity = Severity.P3

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        tree_noted = False
        for fit in module.model_fits:
            model = self._model(fit)
            if model is None:
                continue
            if self._scaled(module, fit):
                continue
            if model in SCALE_SENSITIVE:
                yield Hit(f"{model} is sensitive to feature scale and its features are not scaled; put a "
                          "StandardScaler before it in a Pipeline", node=fit.call.node, confidence="medium")
            elif is_tree(model) and not tree_noted:
                tree_noted = True
                yield Hit(f"advisory: {model} does not need scaled features, but nothing scales them; if the "
                          "model is swapped for a linear, SVM, k-NN or neural model, add a scaler in the "
                          "pipeline", node=fit.call.node, confidence="low")

    @staticmethod
    def _model(fit: Fit) -> str | None:
        names = [last(c) for c in sorted(fit.classes) if c]  # sorted: a set's order varies between runs
        for name in names:
            if name in SCALE_SENSITIVE or is_tree(name):
                return name
        return None

    @staticmethod
    def _scaled(module: ModuleAnalysis, fit: Fit) -> bool:
        if any(is_transformer(c) and c.endswith(SCALERS) for c in fit.classes):
            return True
        for anc in module.flow.ancestors(fit.X):
            call = anc.call
            if call is not None and call.method in ("transform", "fit_transform") and call.receiver is not None:
                return True
            if call is not None and call.method is None and call.short in ("scale", "normalize", "minmax_scale"):
                return True
        return False


UnscaledFeatures.invalid = [
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    clf = LogisticRegression(C=0.5)
    clf.fit(X_train, y_train)  # ruleid: ML109
    """,
    """
    from sklearn import svm, neighbors
    knn = neighbors.KNeighborsClassifier(n_neighbors=7).fit(features, labels)  # ruleid: ML109
    """,
    """
    from sklearn.ensemble import RandomForestClassifier
    rf = RandomForestClassifier(n_estimators=300)
    rf.fit(X_train, y_train)  # ruleid: ML109
    """,
]

UnscaledFeatures.valid = [
    """
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC
    model = make_pipeline(StandardScaler(), SVC(probability=True)).fit(X_train, y_train)
    """,
    """
    from sklearn.preprocessing import MinMaxScaler
    from sklearn.neighbors import KNeighborsRegressor
    scaler = MinMaxScaler().fit(X_train)
    KNeighborsRegressor().fit(scaler.transform(X_train), y_train)
    """,
]
