from __future__ import annotations

import difflib
import os
from typing import Iterator

from wicked_data.checks.analysis.project import Project, compare_features, frame_followed
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import ProjectHit, ProjectRule


class FeatureSetMismatch(ProjectRule):
    """
    ## What it does
    Flags a frame given to the model at inference whose feature names differ from those the model
    was trained on (a feature missing, an extra one), or whose order differs. A missing and an
    extra name that spell one feature two ways (`NumItems` and `NbrOfItems`) are named as such.

    ## Why is this bad?
    scikit-learn refuses a DataFrame whose names or order differ from training (an outage at
    the first request); a NumPy array or a model without name checks silently reads each column
    as another feature, and every prediction is wrong.

    ## Example
    ```python
    # train.py: X = df[["tenure", "orders", "revenue"]]
    # serve.py
    model.predict(pd.DataFrame([{"orders": o, "tenure": t}]))
    ```

    ## Use instead
    Keep the feature list with the model (`joblib.dump({"model": m, "features": cols})`) and build
    the frame from it: `pd.DataFrame([payload])[bundle["features"]]`.

    ## Known problems
    Only named features are compared (a dict literal or a column list before `predict`); the
    training list must be a literal list of columns. Values laid out by position with no names
    (`np.array([[a, b, c]])` of widget values) are only counted against the training list.
    """

    id = "ML302"
    name = "feature-set-mismatch"
    severity = Severity.P1

    def check_project(self, project: Project) -> Iterator[ProjectHit]:
        for train, serve in project.pairs():
            t = project.resolved(train)["training"]
            s = project.resolved(serve)["serving"]
            if not t["features"] or s.get("passthrough") or not frame_followed(s):
                continue
            comparison = compare_features(project.resolved(train), project.resolved(serve))
            missing = [c["feature"] for c in comparison if c["status"] == "missing"]
            extra = [c["feature"] for c in comparison if c["status"] == "extra"]
            related = [(train, t["features_line"], "the features the model is trained on")]
            if missing or extra:
                parts = []
                if missing:
                    parts.append(f"missing {missing}")
                if extra:
                    parts.append(f"not trained on {extra}")
                renamed = _renamed(missing, extra)
                if renamed:
                    parts.append(", ".join(f"'{b}' looks like '{a}' under another name" for a, b in renamed))
                yield ProjectHit(serve, s["line"], "the frame given to the model differs from the training features: "
                                 + "; ".join(parts), related=related)
                continue
            served = [e["name"] for e in s["features"]]
            if s.get("by_position") and len(served) != len(t["features"]):
                yield ProjectHit(serve, s["line"], f"{len(served)} values are laid out by position for the model, "
                                 f"which is trained on {len(t['features'])} features ({list(t['features'])}); the "
                                 "values cannot line up with the features", related=related)
                continue
            if not s.get("by_position") and served != list(t["features"]):
                yield ProjectHit(serve, s["line"], f"the features are given in another order than in training "
                                 f"({served} against {list(t['features'])})", confidence="medium", related=related)


def _renamed(missing: list[str], extra: list[str]) -> list[tuple[str, str]]:
    """(training name, serving name) for the missing and extra columns that are one feature spelled
    two ways (`NumItems`/`NbrOfItems`, `n_items`/`num_items`): each pairs with its closest match."""
    def norm(name: str) -> str:
        return "".join(ch for ch in name.lower() if ch.isalnum())
    out, taken = [], set()
    for a in missing:
        scored = [(difflib.SequenceMatcher(None, norm(a), norm(b)).ratio(), b) for b in extra if b not in taken]
        if scored:
            ratio, b = max(scored)
            x, y = norm(a), norm(b)
            shared = max(len(os.path.commonprefix([x, y])), len(os.path.commonprefix([x[::-1], y[::-1]])))
            if ratio >= 0.75 or ratio >= 0.6 and shared >= 5:
                out.append((a, b))
                taken.add(b)
    return out


FeatureSetMismatch.invalid = [
    {
        "train.py": """
        import pandas as pd, joblib
        from sklearn.ensemble import GradientBoostingClassifier
        df = pd.read_csv("x.csv")
        FEATURES = ["tenure", "orders", "revenue"]
        joblib.dump(GradientBoostingClassifier().fit(df[FEATURES], df["y"]), "gb.joblib")
        """,
        "serve.py": """
        import joblib, pandas as pd
        gb = joblib.load("gb.joblib")
        def predict(p):
            row = pd.DataFrame([{"orders": p["orders"], "tenure": p["tenure"]}])  # ruleid: ML302
            return gb.predict(row)
        """,
    },
    {
        "train.py": """
        import pandas as pd, pickle
        from sklearn.linear_model import LogisticRegression
        d = pd.read_csv("x.csv")
        m = LogisticRegression().fit(d[["a", "b", "c"]], d["y"])
        pickle.dump(m, open("lr.pkl", "wb"))
        """,
        "score.py": """
        import pickle, pandas as pd
        m = pickle.load(open("lr.pkl", "rb"))
        def score(df):
            return m.predict_proba(df[["c", "b", "a"]])  # ruleid: ML302
        """,
    },
]

FeatureSetMismatch.valid = [
    {
        "train.py": """
        import pandas as pd, joblib
        from sklearn.ensemble import RandomForestRegressor
        df = pd.read_csv("x.csv")
        cols = ["a", "b"]
        joblib.dump(RandomForestRegressor().fit(df[cols], df["y"]), "rf.joblib")
        """,
        "serve.py": """
        import joblib, pandas as pd
        rf = joblib.load("rf.joblib")
        def predict(p):
            return rf.predict(pd.DataFrame([{"a": p["a"], "b": p["b"]}]))
        """,
    },
]
