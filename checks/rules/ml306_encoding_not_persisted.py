from __future__ import annotations

import ast
from typing import Iterator

from checks.analysis import vocab
from checks.analysis.module import ModuleAnalysis
from checks.analysis.names import last
from checks.models import Severity
from checks.rules.base import Hit, Rule

ENCODERS = {"LabelEncoder", "OrdinalEncoder", "OneHotEncoder", "TargetEncoder", "BinaryEncoder", "CountEncoder"}


class EncodingNotPersisted(Rule):
    """
    ## What it does
    Flags categorical encodings built ad hoc in training (`LabelEncoder`/`OrdinalEncoder` fitted
    outside a pipeline, `pd.factorize`, `.cat.codes`, `pd.get_dummies`) when the model is saved
    without them.

    ## Why is this bad?
    Category codes depend on the categories seen and their order. Serving code that encodes again
    (or a new batch with other categories) assigns different codes or columns; the model reads
    "Paris" as "Lyon" and nothing fails.

    ## Example
    ```python
    df["city"] = LabelEncoder().fit_transform(df["city"])
    joblib.dump(model, "model.joblib")
    ```

    ## Use instead
    Fit the encoder inside a `Pipeline`/`ColumnTransformer` saved as the model, or save the
    encoder (and the dummy columns) in the same artifact: `joblib.dump({"model": m, "encoder": enc})`.

    ## Known problems
    The saved object is inspected in the same file only; an encoder saved by another script is
    not seen.
    """

    id = "ML306"
    name = "encoding-not-persisted"
    severity = Severity.P2

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        saves = [c for c in module.calls if c.is_(*vocab.MODEL_SAVE_CALLS) or c.method == "save_model"]
        if not saves or not module.model_fits or any(_is_bundle(c) for c in saves):
            return
        saved = [c.arg(0) for c in saves]
        for node, what, encoder in self._encodings(module):
            if encoder is not None and any(s is encoder or (s is not None and last(encoder.ctor) in s.ctors)
                                           for s in saved):
                continue
            yield Hit(f"{what} encodes categories in training but is not saved with the model; serving cannot "
                      "reproduce the same codes", node=node, confidence="medium",
                      related=[(None, saves[0].line, "the model is saved here without it")])

    @staticmethod
    def _encodings(module: ModuleAnalysis):
        """(node, description, encoder object or None) for each ad-hoc encoding."""
        for fit in module.fits:
            if last(fit.ctor) in ENCODERS and fit.kind == "transformer":
                yield fit.call.node, last(fit.ctor), fit.estimator
        for call in module.calls:
            if call.is_("pandas.factorize", "pandas.get_dummies"):
                yield call.node, last(call.name) + "()", None
        for _, val in module.flow.bindings:
            node = val.node
            if isinstance(node, ast.Attribute) and node.attr == "codes" and isinstance(node.value, ast.Attribute) \
                    and node.value.attr == "cat":
                yield node, ".cat.codes", None


def _is_bundle(call) -> bool:
    """`joblib.dump({"model": m, "encoder": enc}, ...)`: several objects saved together."""
    arg = call.node.args[0] if call.node.args else None
    if isinstance(arg, ast.Dict):
        return len(arg.keys) > 1
    return isinstance(arg, (ast.Tuple, ast.List)) and len(arg.elts) > 1


EncodingNotPersisted.invalid = [
    """
    import joblib
    import pandas as pd
    from sklearn.preprocessing import LabelEncoder
    from sklearn.ensemble import RandomForestClassifier
    df = pd.read_csv("d.csv")
    df["city"] = LabelEncoder().fit_transform(df["city"])  # ruleid: ML306
    model = RandomForestClassifier().fit(df[["city", "age"]], df["y"])
    joblib.dump(model, "model.joblib")
    """,
    """
    import pickle
    import pandas as pd
    from xgboost import XGBClassifier
    df = pd.read_csv("d.csv")
    X = pd.get_dummies(df[["plan", "region", "age"]])  # ruleid: ML306
    clf = XGBClassifier().fit(X, df["churn"])
    pickle.dump(clf, open("clf.pkl", "wb"))
    """,
]

EncodingNotPersisted.valid = [
    """
    import joblib
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder
    from sklearn.linear_model import LogisticRegression
    pipe = make_pipeline(make_column_transformer((OneHotEncoder(handle_unknown="ignore"), ["city"])), LogisticRegression())
    pipe.fit(X, y)
    joblib.dump(pipe, "pipe.joblib")
    """,
    """
    import joblib
    import pandas as pd
    from sklearn.preprocessing import OrdinalEncoder
    from sklearn.ensemble import RandomForestClassifier
    enc = OrdinalEncoder().fit(df[["city"]])
    df[["city"]] = enc.transform(df[["city"]])
    model = RandomForestClassifier().fit(df[["city", "age"]], df["y"])
    joblib.dump({"model": model, "encoder": enc, "features": ["city", "age"]}, "bundle.joblib")
    """,
]
