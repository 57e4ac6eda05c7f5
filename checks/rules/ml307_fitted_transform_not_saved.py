from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from wicked_data.checks.analysis.kept import feeding_saved_models, kept
from wicked_data.checks.analysis.lineage import hand_offs
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.names import last
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, ProjectHit, Rule

if TYPE_CHECKING:
    from wicked_data.checks.analysis.project import Project


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
    Saves are looked for in the file that fits; a transform handed to the project's own code is
    taken as kept. Across files, a transform fitted on rows another script trains on is followed
    through a data file both name (the training script saving the model). Categorical encoders are
    ML306's.
    """

    id = "ML307"
    name = "fitted-transform-not-saved"
    severity = Severity.P1

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        if module.is_test or not module.model_fits:
            return
        keeps = kept(module)  # (an experiment that saves nothing has no serving side to disagree with)
        for fit, model in feeding_saved_models(module):
            if keeps.is_kept(fit):
                continue
            what = last(fit.ctor) or "the transform"
            yield Hit(f"{what} is fitted here and the saved model is trained on its output, but {what} itself is "
                      "never saved; a service that loads the model cannot apply the same transform and feeds it "
                      "raw (or refitted) values. Put it in a Pipeline with the model, or save it in the same "
                      "artifact", node=fit.call.node, confidence=fit.confidence,
                      related=[(None, model.line, "the model is trained on its output here")])

    def check_project(self, project: Project) -> Iterator[ProjectHit]:
        """A transform fitted in one script on the rows it writes to a data file, never saved there,
        while another script trains on that file and saves the model."""
        for h in hand_offs(project.facts, "fitted", consumed=lambda read: bool(read.get("trains")), kept=False):
            what = h.entry["what"]
            yield ProjectHit(h.writer, h.entry["line"], f"{what} is fitted here and its output is saved to "
                             f"{h.write['path']}, which {h.reader} trains the saved model on "
                             f"({h.read['trains']['where']}); {what} itself is never saved, so a service that loads "
                             "the model cannot apply the same transform. Save it next to the model, or fit it in the "
                             "training script's Pipeline", confidence=h.entry["confidence"],
                             related=[(h.reader, h.read["trains"]["line"], "the saved model is trained on those rows here")])


FittedTransformNotSaved.invalid = [
    # the scaled rows are handed to the training script through a file; the scaler stays behind
    {"prepare.py": """
        import pandas as pd
        from sklearn.preprocessing import MinMaxScaler
        homes = pd.read_csv("homes.csv")
        homes[["area", "rooms"]] = MinMaxScaler().fit_transform(homes[["area", "rooms"]])  # ruleid: ML307
        homes.to_csv("homes_scaled.csv", index=False)
        """,
     "fit.py": """
        import joblib
        import pandas as pd
        from sklearn.linear_model import Ridge
        homes = pd.read_csv("homes_scaled.csv")
        joblib.dump(Ridge().fit(homes[["area", "rooms"]], homes["price"]), "ridge.joblib")
        """},
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
    # the preparing script saves the scaler it fitted
    {"prepare.py": """
        import joblib
        import pandas as pd
        from sklearn.preprocessing import MinMaxScaler
        homes = pd.read_csv("homes.csv")
        scaler = MinMaxScaler().fit(homes[["area", "rooms"]])
        homes[["area", "rooms"]] = scaler.transform(homes[["area", "rooms"]])
        homes.to_csv("homes_scaled.csv", index=False)
        joblib.dump(scaler, "scaler.joblib")
        """,
     "fit.py": """
        import joblib
        import pandas as pd
        from sklearn.linear_model import Ridge
        homes = pd.read_csv("homes_scaled.csv")
        joblib.dump(Ridge().fit(homes[["area", "rooms"]], homes["price"]), "ridge.joblib")
        """},
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
