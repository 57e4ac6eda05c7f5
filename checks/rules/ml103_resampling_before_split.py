from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from wicked_data.checks.analysis.flowtypes import RESAMPLED, Val
from wicked_data.checks.analysis.lineage import hand_offs, helper_calls, resample_origin
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.names import last
from wicked_data.checks.analysis.vocab import CV_FUNCS
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, ProjectHit, Rule

if TYPE_CHECKING:
    from wicked_data.checks.analysis.project import Project


class ResamplingBeforeSplit(Rule):
    """
    ## What it does
    Flags oversampling (SMOTE, ADASYN, RandomOverSampler, `sklearn.utils.resample` with
    replacement) whose output is then split into train and test, or cross-validated.

    ## Why is this bad?
    Oversampling creates copies and near-copies of minority rows. Split afterwards, a copy lands in
    training and its twin in test, so the test measures memorisation and recall looks far better
    than it will be on new data.

    ## Example
    ```python
    X_res, y_res = SMOTE().fit_resample(X, y)
    X_train, X_test, y_train, y_test = train_test_split(X_res, y_res)
    ```

    ## Use instead
    Split first and resample the training part only, or use an imblearn `Pipeline` so that each
    cross-validation fold resamples its own training rows:
    ```python
    pipe = imblearn.pipeline.make_pipeline(SMOTE(random_state=0), RandomForestClassifier())
    cross_val_score(pipe, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0))
    ```

    ## Known problems
    Hand-written duplication is recognised in `pd.concat` (a frame listed twice, a list multiplied)
    and `sample(replace=True)`; other ways (`np.repeat`, loops of appends) are missed. Undersampling
    before a split does not create copies and is not flagged.
    """

    id = "ML103"
    name = "resampling-before-split"
    severity = Severity.P1

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        reported: set[int] = set()
        targets: list[tuple[Val, int, str]] = []
        for split in module.splits:
            targets += [(inp, split.line, "split") for inp in split.inputs]
        for call in module.calls:
            if call.short in CV_FUNCS and call.method is None:
                X = call.arg(1, "X")
                if X is not None:
                    targets.append((X, call.line, "cross-validation"))
            # a search or a *CV estimator fitted on the resampled rows cross-validates them inside
            elif call.method == "fit" and call.receiver is not None and _cross_validates(call.receiver):
                X = call.arg(0, "X")
                if X is not None:
                    targets.append((X, call.line, "cross-validation"))
        for val, line, what in targets:
            if not val.flags & RESAMPLED:
                continue
            source = resample_origin(module, val)
            if source is None or source.line in reported:
                continue
            reported.add(source.line)
            fix = "Resample the training part only" if what == "split" else \
                "Put the resampler in an imblearn Pipeline given to the cross-validation, so each fold resamples its own training rows"
            yield Hit(f"oversampled data is {'split' if what == 'split' else 'cross-validated'} at line {line}: "
                      f"copies of minority rows end up on both sides. {fix}",
                      node=source.node, related=[(None, line, f"the {what}")])


    def check_project(self, project: Project) -> Iterator[ProjectHit]:
        """Oversampled rows saved by one file, read by another file of the project and split or
        cross-validated there; and another module's function that oversamples the rows it is given,
        called on every row before a split."""
        for h in hand_offs(project.facts, "resampled"):
            yield ProjectHit(h.writer, h.entry["line"], f"the oversampled rows are saved to {h.write['path']} "
                             f"({h.write['where']}); {h.reader} reads that file and {h.verb} it ({h.step['where']} of "
                             f"{h.reader}): copies of minority rows end up on both sides. Resample in {h.reader}, on "
                             "the training part only", confidence="medium", related=h.related)
        for c in helper_calls(project.facts, "resamples"):
            yield ProjectHit(c.caller, c.call["line"], f"{c.name}() oversamples the rows it is given ({c.definer}, "
                             f"{c.entry['where']}) and is called here on all rows; what it returns is {c.verb} at "
                             f"{c.step['where']}: copies of minority rows end up on both sides. Split first and "
                             "resample the training part only", confidence="medium",
                             related=c.related("the rows are oversampled here"))


def _cross_validates(est: Val) -> bool:
    """A hyperparameter search or an estimator that cross-validates itself (`GridSearchCV`,
    `RandomizedSearchCV`, `LogisticRegressionCV`, `RFECV`), not a calibration wrapper."""
    shorts = {last(c) for c in (est.ctor, *est.ctors) if c}
    return bool(shorts & (CV_FUNCS - {"CalibratedClassifierCV"}))


ResamplingBeforeSplit.invalid = [
    # a helper of another module oversamples whatever it is given; called on every row, then split
    {"helpers/balance.py": """
        import pandas as pd
        from sklearn.utils import resample

        def even_out(table):
            few = table[table["lapsed"] == 1]
            many = table[table["lapsed"] == 0]
            grown = resample(few, replace=True, n_samples=len(many), random_state=5)
            return pd.concat([many, grown])
        """,
     "fit_policy_model.py": """
        import pandas as pd
        from sklearn.ensemble import GradientBoostingClassifier
        from sklearn.model_selection import train_test_split
        from helpers.balance import even_out
        policies = even_out(pd.read_csv("policies.csv"))  # ruleid: ML103
        a, b = train_test_split(policies, test_size=0.2, random_state=5)
        GradientBoostingClassifier().fit(a[["premium", "age"]], a["lapsed"])
        """},
    # oversampled in one script, split in the next through the saved file
    {"balance.py": """
        import pandas as pd
        from imblearn.over_sampling import RandomOverSampler
        rows = pd.read_csv("claims.csv")
        bx, by = RandomOverSampler(random_state=2).fit_resample(rows[["amount", "age"]], rows["fraud"])  # ruleid: ML103
        bx.assign(fraud=by).to_csv("claims_balanced.csv", index=False)
        """,
     "evaluate.py": """
        import pandas as pd
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.model_selection import train_test_split
        rows = pd.read_csv("claims_balanced.csv")
        a, b, c, d = train_test_split(rows[["amount", "age"]], rows["fraud"], stratify=rows["fraud"], random_state=2)
        print(RandomForestClassifier(random_state=2).fit(a, c).score(b, d))
        """},
    # SMOTE on the training part, then a search whose cross-validation folds share synthetic rows
    """
    from imblearn.over_sampling import SMOTE
    from sklearn.model_selection import RandomizedSearchCV, train_test_split
    from sklearn.ensemble import RandomForestClassifier
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, stratify=y, random_state=0)
    X_bal, y_bal = SMOTE(random_state=0).fit_resample(X_tr, y_tr)  # ruleid: ML103
    search = RandomizedSearchCV(RandomForestClassifier(), {"max_depth": [4, 8, None]}, cv=3, scoring="f1")
    search.fit(X_bal, y_bal)
    print(search.best_estimator_.score(X_te, y_te))
    """,
    """
    from imblearn.over_sampling import SMOTE
    from sklearn.model_selection import train_test_split
    X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)  # ruleid: ML103
    X_train, X_test, y_train, y_test = train_test_split(X_res, y_res, stratify=y_res, random_state=0)
    """,
    # sklearn.utils.resample to upsample the minority class, then a split of the balanced frame
    """
    import pandas as pd
    from sklearn.utils import resample
    from sklearn import model_selection as ms
    majority = df[df.fraud == 0]
    minority = df[df.fraud == 1]
    minority_up = resample(minority, replace=True, n_samples=len(majority), random_state=1)  # ruleid: ML103
    balanced = pd.concat([majority, minority_up])
    train, test = ms.train_test_split(balanced, random_state=0)
    """,
    # oversampling by hand: the minority frame concatenated several times
    """
    import pandas as pd
    from sklearn.model_selection import train_test_split
    pos = df[df.label == 1]
    neg = df[df.label == 0]
    balanced = pd.concat([neg] + [pos] * 10, ignore_index=True)  # ruleid: ML103
    tr, te = train_test_split(balanced, stratify=balanced.label, random_state=0)
    """,
    # an oversampler behind a variable, then cross-validation on its output
    """
    from imblearn.over_sampling import RandomOverSampler as ROS
    from sklearn.model_selection import cross_val_score
    sampler = ROS(random_state=42)
    Xb, yb = sampler.fit_resample(features, labels)  # ruleid: ML103
    print(cross_val_score(model, Xb, yb, cv=5, scoring="f1"))
    """,
]

ResamplingBeforeSplit.valid = [
    # the balanced file is only used to fit the final model; the evaluation reads the raw rows
    {"balance.py": """
        import pandas as pd
        from imblearn.over_sampling import RandomOverSampler
        rows = pd.read_csv("claims.csv")
        bx, by = RandomOverSampler(random_state=2).fit_resample(rows[["amount", "age"]], rows["fraud"])
        bx.assign(fraud=by).to_csv("claims_balanced.csv", index=False)
        """,
     "final_fit.py": """
        import pandas as pd
        from sklearn.ensemble import RandomForestClassifier
        rows = pd.read_csv("claims_balanced.csv")
        RandomForestClassifier(random_state=2).fit(rows[["amount", "age"]], rows["fraud"])
        """},
    # two different frames stacked, and a bootstrap sample of the training part only
    """
    import pandas as pd
    from sklearn.model_selection import train_test_split
    both = pd.concat([jan, feb], ignore_index=True)
    train, test = train_test_split(both, random_state=0)
    boot = train.sample(frac=1.0, replace=True, random_state=0)
    """,
    """
    from imblearn.over_sampling import SMOTE
    from sklearn.model_selection import train_test_split
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    X_train_res, y_train_res = SMOTE(random_state=0).fit_resample(X_train, y_train)
    model.fit(X_train_res, y_train_res)
    """,
    """
    from imblearn.pipeline import Pipeline
    from imblearn.over_sampling import SMOTE
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import cross_val_score, StratifiedKFold
    pipe = Pipeline([("smote", SMOTE(random_state=0)), ("rf", RandomForestClassifier(random_state=0))])
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    print(cross_val_score(pipe, X, y, cv=cv, scoring="average_precision").mean())
    """,
]
