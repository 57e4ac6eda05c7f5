from __future__ import annotations

import ast
import builtins
from typing import Iterator

from checks.analysis import vocab
from checks.analysis.flowtypes import Val
from checks.analysis.module import Fit, ModuleAnalysis
from checks.analysis.names import last
from checks.analysis.project import third_party
from checks.models import Severity
from checks.rules.base import Hit, Rule
from checks.rules.ml306_encoding_not_persisted import ENCODERS

LABEL_ENCODERS = {"LabelEncoder", "LabelBinarizer", "MultiLabelBinarizer"}


class FittedTransformNotSaved(Rule):
    """
    ## What it does
    Flags a transform that learns from the rows (a scaler, an imputer, PCA, a vectoriser, a
    tokenizer) fitted in training outside the model, whose output the saved model is trained on,
    when nothing saves the fitted transform: not the model's artifact, not a bundle with it, not a
    file of its own.

    ## Why is this bad?
    The model learned from transformed inputs. A service that loads the artifact has no way to
    apply the same transform: it feeds raw values (the model sees income in dollars where it
    learned standard scores), or fits the transform again on whatever rows it has. Nothing fails;
    every prediction is off.

    ## Example
    ```python
    scaler = StandardScaler().fit(X_train)
    clf = LogisticRegression().fit(scaler.transform(X_train), y_train)
    joblib.dump(clf, "model.joblib")
    ```

    ## Use instead
    Put the transform in the model (`make_pipeline(StandardScaler(), LogisticRegression())`) or save
    it with the model: `joblib.dump({"model": clf, "scaler": scaler}, "model.joblib")`.

    ## Known problems
    Saves are looked for in the same file; a transform handed to another module's save helper is
    taken as saved only when the helper receives it. Categorical encoders are ML306's.
    """

    id = "ML307"
    name = "fitted-transform-not-saved"
    severity = Severity.P1

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        if module.is_test or not module.model_fits:
            return
        saves = [c for c in module.calls if c.is_(*vocab.MODEL_SAVE_CALLS) or c.method in vocab.MODEL_SAVE_METHODS]
        if not saves:
            return  # an experiment that saves nothing has no serving side to disagree with
        saved = [a for c in saves for a in [*c.args, *c.kwargs.values(), c.receiver] if a is not None]
        handed = [a for c in module.calls if _project_call(c)
                  for a in [*c.args, *c.kwargs.values()] if a is not None]  # to a helper that may save it
        saved_models = [f for f in module.model_fits if any(self._holds(module, s, f) for s in saved)]
        if not saved_models:
            return
        reported: set[int] = set()
        for fit in module.fits:
            if fit.kind != "transformer" or fit.estimator is None or last(fit.ctor) in ENCODERS | LABEL_ENCODERS:
                continue
            if id(fit.estimator) in reported or any(self._holds(module, s, fit) for s in [*saved, *handed]):
                continue
            outputs = self._outputs(module, fit)
            model = next((m for m in saved_models if m.X is not None
                          and any(module.flow.derives_from(m.X, out) for out in outputs)), None)
            if model is None:
                continue
            reported.add(id(fit.estimator))
            what = last(fit.ctor) or "the transform"
            yield Hit(f"{what} is fitted here and the saved model is trained on its output, but {what} itself is "
                      "never saved; a service that loads the model cannot apply the same transform and feeds it "
                      "raw (or refitted) values. Put it in a Pipeline with the model, or save it in the same "
                      "artifact", node=fit.call.node, confidence=fit.confidence,
                      related=[(None, model.line, "the model is trained on its output here")])

    @staticmethod
    def _holds(module: ModuleAnalysis, saved: Val, fit: Fit) -> bool:
        """`saved` is the fitted object, or a container or pipeline built from it; not another model
        trained on its output (that one holds the rows it transformed, not the transform)."""
        targets = {id(fit.estimator)} | ({id(fit.call.val)} if fit.call.method == "fit" and fit.call.val else set())
        seen, stack = {id(saved)}, [saved]
        while stack:
            cur = stack.pop()
            if id(cur) in targets:
                return True
            if cur.call is not None and cur.call.method in vocab.FIT_METHODS:
                continue  # another estimator's fit: what it was trained on is not what it holds
            for parent in [*cur.parents, *cur.kw]:
                if id(parent) not in seen:
                    seen.add(id(parent))
                    stack.append(parent)
        return False

    @staticmethod
    def _outputs(module: ModuleAnalysis, fit: Fit) -> list[Val]:
        """What the fitted object produced: `fit_transform`'s result and each `.transform(...)` of it."""
        outs = [fit.call.val] if fit.call.val is not None and fit.call.method != "fit" else []
        objects = {id(fit.estimator)} | ({id(fit.call.val)} if fit.call.method == "fit" and fit.call.val else set())
        for call in module.method_calls("transform"):
            if call.receiver is not None and id(call.receiver) in objects and call.val is not None:
                outs.append(call.val)
        return outs


def _project_call(call) -> bool:
    """A call of the project's own code (a function of this module, an import from the project, a
    name a star import or a notebook defined): it may save what it is given."""
    if call.callee is not None:
        return True
    if call.method is not None:
        return False
    if call.qualname is not None:
        return not third_party(call.qualname)
    return isinstance(call.node.func, ast.Name) and call.node.func.id not in BUILTINS


BUILTINS = frozenset(dir(builtins))


FittedTransformNotSaved.invalid = [
    """
    import joblib
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    scaler = StandardScaler().fit(X_train)  # ruleid: ML307
    clf = LogisticRegression().fit(scaler.transform(X_train), y_train)
    joblib.dump(clf, "model.joblib")
    """,
    # a vectoriser fitted with fit_transform; only the classifier is pickled
    """
    import pickle
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.naive_bayes import MultinomialNB
    vec = TfidfVectorizer(min_df=2)
    X = vec.fit_transform(texts)  # ruleid: ML307
    nb = MultinomialNB().fit(X, labels)
    with open("nb.pkl", "wb") as fh:
        pickle.dump(nb, fh)
    """,
]

FittedTransformNotSaved.valid = [
    # saved in one bundle with the model
    """
    import joblib
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    scaler = StandardScaler().fit(X_train)
    clf = LogisticRegression().fit(scaler.transform(X_train), y_train)
    joblib.dump({"model": clf, "scaler": scaler}, "model.joblib")
    """,
    # saved to a file of its own
    """
    import pickle
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.naive_bayes import MultinomialNB
    vec = TfidfVectorizer(min_df=2)
    X = vec.fit_transform(texts)
    nb = MultinomialNB().fit(X, labels)
    pickle.dump(vec, open("vectorizer.pkl", "wb"))
    pickle.dump(nb, open("nb.pkl", "wb"))
    """,
    # inside the saved pipeline
    """
    import joblib
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.linear_model import LogisticRegression
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X_train, y_train)
    joblib.dump(pipe, "pipe.joblib")
    """,
    # the model is not saved here: nothing to serve
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    scaler = StandardScaler().fit(X_train)
    clf = LogisticRegression().fit(scaler.transform(X_train), y_train)
    print(clf.score(scaler.transform(X_test), y_test))
    """,
]
