from __future__ import annotations

from typing import Iterator

from wicked_data.checks.analysis.pipelines import uninverted_label, unapplied_transforms
from wicked_data.checks.analysis.project import Project, compare_features, frame_followed
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import ProjectHit, ProjectRule


class TrainServeFeatureMismatch(ProjectRule):
    """
    ## What it does
    Compares, feature by feature, how the training code computes each feature the model is trained
    on with how the inference or serving code builds the frame it hands to `predict`, and flags
    the differences: another field read, value function, arithmetic, date part, window or condition
    boundary (`hour <= 17` against `hour < 17`); a step (`fillna`, `clip`, `replace`) on one side only;
    a vectorised pandas formula in training against a scalar Python one at serving with different
    zero/NaN behaviour; a feature derived from raw dates and the current time in training but
    taken precomputed from the caller at serving; a hand-written category map at serving
    (`{"diesel": 0, "petrol": 1, ...}`) whose codes are not the sorted-order codes training's
    `LabelEncoder`/`OrdinalEncoder` gave (a map with the same codes is no difference). A serving
    row built from the caller's record
    (`pd.DataFrame([payload])`, `{**payload, "ratio": ...}`, `row = dict(payload)`) passes every
    feature it does not compute through as given. Also flags, without a training side, values laid
    out by position under column names they were not read as
    (`pd.DataFrame([[baths, rooms]], columns=["rooms", "baths"])`).

    Each feature is compared by its fingerprint on both sides (`analysis/featureprint.py`): the
    fields it reads, the value functions applied (`log1p` against `log`), the fill values (`fillna(0)`
    against `.get(k, -1)` or `x if x is not None else -1`), the zero guards and constants, followed
    through helpers and through the project's shared feature functions in other files (a training
    script calling `build_features` from a package is compared with what that function computes).
    Also flags a transform training fits and saves in a file of its own (a scaler) that the serving
    code neither loads nor applies, and a label learned as its log or root (`np.log1p(y)`, or a column
    another file writes that way) whose predictions the serving code hands out without the inverse.

    ## Why is this bad?
    The model was fitted on one definition of each feature and is served another. Nothing fails:
    predictions are silently wrong, and they differ most for the rows the difference matters for
    (new customers, zero counts, missing values).

    ## Example
    ```python
    # train.py
    df["avg_order_value"] = df["total_revenue"] / df["order_count"]
    df = df.fillna(0)
    # predict.py
    features = pd.DataFrame([{"avg_order_value": c["total_revenue"] / c["order_count"]}])
    ```

    ## Use instead
    One feature function imported by both sides, and one persisted fitted pipeline:
    ```python
    from features import build_features  # used by train.py and predict.py
    model = joblib.load("model.joblib")  # a Pipeline with its imputer and scaler
    ```

    ## Known problems
    Training and serving files are paired by the artifact one writes and the other loads (or, with
    one training file, all serving files are paired with it). Values laid out by position
    (`np.array([[a, b]])`, `[[a, b]]`) are named by the request field each was read from, or else
    matched to training's feature list by position when both have as many (a widget's or a callback
    parameter's value is the raw input); with no literal training list they are not compared. Whole-frame
    fills (`fillna({"x": 0})`) are compared per column, and a raw column training rewrites in place
    (`x = np.log1p(x)`) against the value served as sent. Fingerprints decide, never the spelling: conditions on
    one value are evaluated (`dow >= 5` and `dow.isin([5, 6])` agree on a day of the week; on an
    hour, `(h >= 22) | (h <= 5)` and `(h < 6) | (h >= 22)` agree), columns written earlier in the
    same file are followed to what they hold, and a side computed by a function the review cannot
    follow (another library's, or one handed to `apply`/`pipe`) is not compared: `skew_diff` marks
    it `unknown`, and no finding is made. Two formulas equal in a way the fingerprint does not see
    (`x / 60` against `x * (1 / 60)`) are reported as different.
    """

    id = "ML301"
    name = "train-serve-feature-mismatch"
    severity = Severity.P1

    def check_project(self, project: Project) -> Iterator[ProjectHit]:
        yield from self._misplaced_fields(project)
        reported: set[tuple[str, int, str]] = set()  # one finding per serving line and feature, whatever the pairs
        for train, serve in project.pairs():
            comparison = compare_features(project.resolved(train), project.resolved(serve))
            for item in comparison:
                # computed at serving by another file's function: reported where this file calls it
                line = project.facts[serve]["serving"]["line"] if item.get("serving_file") else item["serving_line"]
                key = (serve, line, item["feature"])
                # the order of positional values is ML302's finding
                differences = [d for d, c in zip(item["differences"], item.get("categories", ())) if c != "order"]
                if item["status"] != "different" or key in reported or not differences:
                    continue
                reported.add(key)
                yield ProjectHit(
                    serve, line,
                    f"'{item['feature']}' differs between training ({train}) and serving: " + "; ".join(differences),
                    related=[(item.get("training_file") or train, item["training_line"],
                              f"training computes '{item['feature']}' here")])
            s = project.facts[serve]["serving"]
            for x in unapplied_transforms(project.facts, train, serve):
                if (serve, s["predict_line"], x["what"]) not in reported:
                    reported.add((serve, s["predict_line"], x["what"]))
                    yield ProjectHit(
                        serve, s["predict_line"],
                        f"training fits {x['what']} ({train}:{x['line']}) and trains the model on its output, saving "
                        f"it to {x['saved_to']}; this serving code neither loads {x['saved_to']} nor applies a "
                        "transform, so the model receives raw values on another scale. Load the saved transform "
                        "and apply it before predict (or save one Pipeline holding both)",
                        related=[(train, x["line"], f"{x['what']} fitted here")])
            squashed = uninverted_label(project.facts, train, serve)
            if squashed and (serve, s["predict_line"], "label") not in reported:
                reported.add((serve, s["predict_line"], "label"))
                what = " / ".join(squashed["ops"])
                made = f"the column '{squashed['column']}' ({what}, {squashed['file']})" if squashed["column"] \
                    else f"a {what} of its label"
                yield ProjectHit(
                    serve, s["predict_line"],
                    f"the model learns {made} ({train}:{squashed['line']}), so predict returns values on that scale; "
                    "this serving code hands them out as they are, with no inverse (expm1/exp/square). Apply the "
                    "inverse before the prediction leaves, or train a TransformedTargetRegressor that does it",
                    related=[(train, squashed["line"], "the model is fitted on the transformed label here")])
            for hit in self._frame_steps(project, train, serve, comparison):
                if (serve, hit.line, "") not in reported:
                    reported.add((serve, hit.line, ""))
                    yield hit

    @staticmethod
    def _misplaced_fields(project: Project) -> Iterator[ProjectHit]:
        """Values laid out by position under column names (`pd.DataFrame([[a, b]], columns=[...])`)
        where a value read from the record's field 'x' sits under another column the frame also
        names, so the model reads one feature's value as another's."""
        for rel in project.serving:
            served = project.facts[rel].get("serving") or {}
            features = served.get("features") or []
            columns = [f["name"] for f in features]
            moved = [(f["field"], f["name"]) for f in features
                     if f.get("field") and f["field"] != f["name"] and f["field"] in columns]
            if moved:
                pairs = ", ".join(f"field '{field}' under column '{column}'" for field, column in moved)
                yield ProjectHit(rel, served["line"], f"the values are laid out by position and do not line up with "
                                 f"the column names: {pairs}; the model reads one feature's value as another's. "
                                 "Build the row from a dict keyed by column name, or in the order of the column list",
                                 confidence="high")

    @staticmethod
    def _frame_steps(project: Project, train: str, serve: str, comparison: list[dict]) -> Iterator[ProjectHit]:
        """`df = df.fillna(0)` over the whole training frame, with no such step before predict."""
        t, s = project.facts[train]["training"], project.resolved(serve)["serving"]
        if not frame_followed(s):
            return  # its steps are unknown
        first_feature_line = min((d["line"] for d in t["derivations"].values()), default=0)
        for step in t["frame_steps"]:
            if step["method"] not in ("fillna", "replace", "clip") or step["line"] < first_feature_line:
                continue
            if step["method"] in s["steps"]:
                continue
            yield ProjectHit(
                serve, s["line"],
                f"training applies {step['op']} to every feature (line {step['line']} of {train}); the frame built "
                "for prediction has no such step, so missing values reach the model unfilled",
                related=[(train, step["line"], f"{step['op']} in training only")])


# Training of the category-map examples: sklearn's encoder numbers the categories in sorted order.
_CARS_TRAINING = """
        import joblib
        import pandas as pd
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import LabelEncoder
        cars = pd.read_csv("cars.csv")
        cars["fuel"] = LabelEncoder().fit_transform(cars["fuel"])
        cars["gearbox"] = LabelEncoder().fit_transform(cars["gearbox"])
        X = cars[["fuel", "gearbox", "km"]]
        joblib.dump(LogisticRegression().fit(X, cars["sold"]), "sold-v1.joblib")
"""

TrainServeFeatureMismatch.invalid = [
    # a hand-written map that numbers the categories in another order than the training encoder
    {
        "train.py": _CARS_TRAINING,
        "serve.py": """
        import joblib
        import pandas as pd
        model = joblib.load("sold-v1.joblib")
        FUEL = {"diesel": 0, "petrol": 1, "electric": 2}

        def score(car):
            row = {"fuel": FUEL[car["fuel"]], "gearbox": car["gearbox"], "km": car["km"]}  # ruleid: ML301
            return float(model.predict_proba(pd.DataFrame([row]))[0, 1])
        """,
    },
    # the row is built from the caller's dict, spread, with one feature computed in place
    {
        "train.py": """
        import pandas as pd
        import joblib
        from sklearn.ensemble import RandomForestClassifier
        orders = pd.read_csv("orders.csv")
        orders["basket_value"] = orders["revenue"] / orders["n_orders"]
        orders = orders.fillna(0)
        clf = RandomForestClassifier(random_state=0).fit(orders[["basket_value", "n_orders"]], orders["churned"])
        joblib.dump(clf, "model.joblib")
        """,
        "serve.py": """
        import joblib
        import pandas as pd
        clf = joblib.load("model.joblib")

        def score(payload):
            row = {**payload, "basket_value": payload["revenue"] / payload["n_orders"]}  # ruleid: ML301
            return clf.predict_proba(pd.DataFrame([row]))[0, 1]
        """,
    },
    # form fields laid out by position under column names in another order
    """
    import joblib
    import pandas as pd
    from flask import Flask, request
    app = Flask(__name__)
    model = joblib.load("model.joblib")

    @app.post("/price")
    def price():
        rooms = int(request.form["rooms"])
        baths = int(request.form["baths"])
        row = pd.DataFrame([[baths, rooms]], columns=["rooms", "baths"])  # ruleid: ML301
        return {"price": float(model.predict(row)[0])}
    """,
    {
        "train.py": """
        import pandas as pd
        import joblib
        from sklearn.ensemble import RandomForestClassifier
        orders = pd.read_csv("orders.csv")
        orders["basket_value"] = orders["revenue"] / orders["n_orders"]
        orders["age_days"] = (pd.Timestamp.now() - pd.to_datetime(orders["created"])).dt.days
        orders = orders.fillna(0)
        cols = ["basket_value", "age_days", "n_orders"]
        clf = RandomForestClassifier(random_state=0).fit(orders[cols], orders["churned"])
        joblib.dump(clf, "model.joblib")
        """,
        "serve.py": """
        import joblib
        import pandas as pd
        clf = joblib.load("model.joblib")

        def score(payload):
            frame = pd.DataFrame([{  # ruleid: ML301
                "basket_value": payload["revenue"] / payload["n_orders"],  # ruleid: ML301
                "age_days": payload["age_days"],  # ruleid: ML301
                "n_orders": payload["n_orders"],
            }])
            return clf.predict_proba(frame)[0, 1]
        """,
    },
    # a clip applied in training only, reached through a helper that builds the record
    {
        "train.py": """
        import pandas as pd, pickle
        from sklearn.linear_model import LogisticRegression
        df = pd.read_csv("loans.csv")
        df["dti"] = (df["debt"] / df["income"].clip(lower=1)).clip(upper=5)
        model = LogisticRegression().fit(df[["dti", "income"]], df["default"])
        pickle.dump(model, open("loan.pkl", "wb"))
        """,
        "batch.py": """
        import pickle
        import pandas as pd
        model = pickle.load(open("loan.pkl", "rb"))

        def record(row):
            return {"dti": row["debt"] / max(row["income"], 1), "income": row["income"]}  # ruleid: ML301

        def run(rows):
            return model.predict(pd.DataFrame([record(r) for r in rows]))
        """,
    },
]

TrainServeFeatureMismatch.invalid.append(
    # a raw column cleaned in training and passed through as the caller sent it
    {
        "train.py": """
        import pandas as pd, joblib
        from sklearn.ensemble import HistGradientBoostingClassifier
        users = pd.read_csv("u.csv")
        users["days_idle"] = users["days_idle"].fillna(999)
        users["minutes"] = users["minutes"].clip(upper=240)
        m = HistGradientBoostingClassifier().fit(users[["days_idle", "minutes"]], users["active"])
        joblib.dump({"model": m, "features": ["days_idle", "minutes"]}, "m.joblib")
        """,
        "service.py": """
        import joblib, pandas as pd
        BUNDLE = joblib.load("m.joblib")
        def score(user: dict):
            frame = pd.DataFrame([user]).reindex(columns=BUNDLE["features"])  # ruleid: ML301
            return BUNDLE["model"].predict_proba(frame)[0, 1]
        """,
    })

TrainServeFeatureMismatch.valid = [
    # a hand-written map whose codes are the encoder's (categories in sorted order)
    {
        "train.py": _CARS_TRAINING,
        "serve.py": """
        import joblib
        import pandas as pd
        model = joblib.load("sold-v1.joblib")
        FUEL = {"diesel": 0, "electric": 1, "petrol": 2}
        GEARBOX = {"automatic": 0, "manual": 1}

        def score(car):
            row = {"fuel": FUEL[car["fuel"]], "gearbox": GEARBOX.get(car["gearbox"], 0), "km": car["km"]}
            return float(model.predict_proba(pd.DataFrame([row]))[0, 1])
        """,
    },
    # fields laid out in the order of the column list
    """
    import joblib
    import pandas as pd
    from flask import Flask, request
    app = Flask(__name__)
    model = joblib.load("model.joblib")

    @app.post("/price")
    def price():
        rooms = int(request.form["rooms"])
        baths = int(request.form["baths"])
        row = pd.DataFrame([[rooms, baths]], columns=["rooms", "baths"])
        return {"price": float(model.predict(row)[0])}
    """,
    # one feature function and one persisted pipeline on both sides
    {
        "features.py": """
        def build(frame):
            frame = frame.copy()
            frame["ratio"] = frame["a"] / frame["b"].replace(0, float("nan"))
            return frame[["ratio", "b"]]
        """,
        "train.py": """
        import joblib
        import pandas as pd
        from sklearn.pipeline import make_pipeline
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from features import build
        raw = pd.read_csv("d.csv")
        pipe = make_pipeline(SimpleImputer(), LogisticRegression()).fit(build(raw), raw["y"])
        joblib.dump(pipe, "pipe.joblib")
        """,
        "serve.py": """
        import joblib
        import pandas as pd
        from features import build
        pipe = joblib.load("pipe.joblib")

        def predict(rows):
            return pipe.predict_proba(build(pd.DataFrame(rows)))[:, 1]
        """,
    },
    # the same formula and the same cleaning step on both sides
    {
        "train.py": """
        import pandas as pd, joblib
        from xgboost import XGBClassifier
        df = pd.read_csv("t.csv")
        df["rate"] = (df["clicks"] / df["views"]).fillna(0)
        XGBClassifier().fit(df[["rate", "views"]], df["y"])
        """,
        "predict.py": """
        import joblib, pandas as pd
        m = joblib.load("m.joblib")
        def predict(batch):
            frame = pd.DataFrame(batch)
            frame["rate"] = (frame["clicks"] / frame["views"]).fillna(0)
            return m.predict(frame[["rate", "views"]])
        """,
    },
]

# Transforms and labels: a scaler saved beside the model that the scorer never applies, and a label
# learned as its log and handed out without the inverse.
_SCALED_TRAINING = """
        import joblib
        import pandas as pd
        from sklearn.preprocessing import MinMaxScaler
        from sklearn.svm import SVC
        cells = pd.read_csv("cells.csv")
        mm = MinMaxScaler().fit(cells[["volt", "temp"]])
        svc = SVC(probability=True).fit(mm.transform(cells[["volt", "temp"]]), cells["fault"])
        joblib.dump(mm, "mm.joblib")
        joblib.dump(svc, "svc.joblib")
"""
_LOG_TRAINING = """
        import joblib
        import numpy as np
        import pandas as pd
        from sklearn.ensemble import RandomForestRegressor
        homes = pd.read_csv("homes.csv")
        rf = RandomForestRegressor(random_state=0).fit(homes[["m2", "rooms"]], np.log1p(homes["price"]))
        joblib.dump(rf, "rf.joblib")
"""
TrainServeFeatureMismatch.invalid += [
    {"train.py": _SCALED_TRAINING,
     "score.py": """
        import joblib
        import pandas as pd
        svc = joblib.load("svc.joblib")
        def score(path):
            cells = pd.read_csv(path)
            return svc.predict_proba(cells[["volt", "temp"]])[:, 1]  # ruleid: ML301
        """},
    {"train.py": _LOG_TRAINING,
     "value.py": """
        import joblib
        import pandas as pd
        rf = joblib.load("rf.joblib")
        def value(rows):
            return rf.predict(pd.DataFrame(rows)[["m2", "rooms"]])  # ruleid: ML301
        """},
]
TrainServeFeatureMismatch.valid += [
    {"train.py": _SCALED_TRAINING,
     "score.py": """
        import joblib
        import pandas as pd
        mm, svc = joblib.load("mm.joblib"), joblib.load("svc.joblib")
        def score(path):
            cells = pd.read_csv(path)
            return svc.predict_proba(mm.transform(cells[["volt", "temp"]]))[:, 1]
        """},
    {"train.py": _LOG_TRAINING,
     "value.py": """
        import joblib
        import numpy as np
        import pandas as pd
        rf = joblib.load("rf.joblib")
        def value(rows):
            return np.expm1(rf.predict(pd.DataFrame(rows)[["m2", "rooms"]]))
        """},
]
