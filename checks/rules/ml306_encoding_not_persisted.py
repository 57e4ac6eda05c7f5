from __future__ import annotations

import ast
from pathlib import PurePosixPath
from typing import Iterator

from wicked_data.checks.analysis import vocab
from wicked_data.checks.analysis.flowtypes import str_list
from wicked_data.checks.analysis.kept import held_by
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.names import last
from wicked_data.checks.analysis.values import fixed_categories
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule

ENCODERS = vocab.CATEGORY_ENCODERS
ENCODING_METHODS = {"map", "replace", "apply", "transform"}


class EncodingNotPersisted(Rule):
    """
    ## What it does
    Flags categorical encodings built ad hoc in training (`LabelEncoder`/`OrdinalEncoder` fitted
    outside a pipeline, `pd.factorize`, `.cat.codes`, `pd.get_dummies`) when the model is saved
    without them, and category codes hand-written in the code (`STATUS_MAP = {"new": 0, ...}`
    applied with `.map(STATUS_MAP)`, `.replace(...)` or `MAP.get` in an `apply`) wherever they are
    used, unless the same file saves the map with the model (or fits a model and saves
    nothing).

    ## Why is this bad?
    Category codes depend on the categories seen and their order. Serving code that encodes again
    (or a new batch with other categories) assigns different codes or columns; the model reads
    "Paris" as "Lyon" and nothing fails. A hand-written map is shared by training and serving
    only until someone edits it: the deployed model keeps the codes it was trained with while the
    code hands it the new ones.

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
    not seen, nor a hand-written map that another script saves with the model. An ordinal map of
    a stable scale (`{"low": 0, "high": 1}`) is flagged like any other. Codes that reach no model
    the file fits, writes or returns (a copy for a correlation table) are left alone; a dict bundle saved with the
    model is taken to hold what serving needs, whether or not it holds the encoder.
    """

    id = "ML306"
    name = "encoding-not-persisted"
    severity = Severity.P2

    def settled_elsewhere(self, finding, project) -> bool:
        """`get_dummies` in training, and the serving code lays its frame out by the columns the
        loaded model remembers (`reindex(columns=model.feature_names_in_, fill_value=0)`): the
        dummy columns are persisted in the model itself."""
        if not finding.message.startswith("get_dummies()"):
            return False

        def names(rel: str, kind: str) -> set[str]:
            return {PurePosixPath(a["path"]).name for a in ((project.facts[rel].get("artifacts") or {}).get(kind) or ())
                    if a.get("path")}
        saved = names(finding.file, "written")
        # the serving side that loads this file's model (by artifact name, when both sides name it)
        return any((project.facts[rel].get("serving") or {}).get("aligned")
                   and (not saved or not names(rel, "loaded") or saved & names(rel, "loaded"))
                   for rel in project.serving)

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        saves = [c for c in module.calls if c.is_(*vocab.MODEL_SAVE_CALLS) or c.method == "save_model"]
        yield from self._hand_written(module, saves)
        if not saves or not module.model_fits or any(_is_bundle(c) for c in saves):
            return
        saved = [c.arg(0) for c in saves]
        used = module.used
        for node, what, encoder, source, out in self._encodings(module):
            if out is not None and id(out) not in used:
                continue  # the codes reach no model, file or caller (a copy for a correlation table, dead code)
            if encoder is not None and any(s is encoder or (s is not None and last(encoder.ctor) in s.ctors)
                                           for s in saved):
                continue
            if encoder is not None and id(encoder) in held_by([s for s in saved if s is not None]):
                continue  # kept in a container that is saved (`self.encoders[col] = le`, then the dict pickled)
            if source is not None and id(source) in held_by([s for s in saved if s is not None]):
                continue  # the categories are saved (`dict(zip(codes.cat.categories, ...))` pickled beside the model)
            yield Hit(f"{what} encodes categories in training but is not saved with the model; serving cannot "
                      "reproduce the same codes", node=node, confidence="medium",
                      related=[(None, saves[0].line, "the model is saved here without it")])

    @staticmethod
    def _hand_written(module: ModuleAnalysis, saves) -> Iterator[Hit]:
        """Category codes typed into the code (`STATUS_MAP = {"new": 0, ...}` then
        `.map(STATUS_MAP)`): one finding per file, at the first map, unless the file saves them.
        An experiment that fits a model and saves nothing has no serving side to disagree with."""
        if module.model_fits and not saves:
            return
        saved = {n.id for c in saves for n in ast.walk(c.node) if isinstance(n, ast.Name)}
        maps = {name: node for name, node in _code_maps(module.tree) if name not in saved}
        used: list[tuple[str, ast.AST, ast.Call]] = []  # (map, its definition, the call applying it)
        labels = [f.y for f in module.model_fits if f.y is not None]
        for call in module.calls:
            if call.method not in ENCODING_METHODS or call.receiver is None \
                    or module.column_of(call.receiver) in module.target_columns \
                    or (call.val is not None and any(module.flow.derives_from(y, call.val, rows=False) for y in labels)):
                continue  # encoding the label is not a feature the model reads
            for arg in [*call.node.args, *(kw.value for kw in call.node.keywords)]:
                if isinstance(arg, ast.Dict) and any(isinstance(k, ast.Constant) and k.value in module.target_columns
                                                     for k in arg.keys):
                    continue  # `df.replace({"label": {"yes": 1, "no": 0}})`: the label's classes
                for node in ast.walk(arg):
                    if isinstance(node, ast.Name) and node.id in maps:
                        used.append((node.id, maps[node.id], call.node))
                    elif isinstance(node, ast.Dict) and _is_code_map(node):
                        used.append(("a dict literal", node, call.node))
        if not used:
            return
        name, first, applied = min(used, key=lambda u: u[1].lineno)
        others = len({u[0] for u in used}) - 1
        more = f" and {others} more" if others else ""
        related = [(None, applied.lineno, f"{name} is applied here")] if applied.lineno != first.lineno else []
        yield Hit(f"categorical codes are hand-written in the code ({name}{more}), not saved with the model; "
                  "editing a map (a new category, a renumbering) silently changes the codes a deployed model "
                  "reads. Save the mapping (or a fitted OrdinalEncoder) in the model artifact and use that one at "
                  "serving", node=first, confidence="medium", related=related)

    @staticmethod
    def _encodings(module: ModuleAnalysis):
        """(node, description, encoder object or None, the value whose categories it encodes or None,
        the encoded output or None) for each ad-hoc encoding."""
        labels = [f.y for f in module.model_fits if f.y is not None]
        for fit in module.fits:
            if last(fit.ctor) in ENCODERS and fit.kind == "transformer":
                if module.column_of(fit.X) in module.target_columns or (fit.call.val is not None and any(
                        module.flow.derives_from(y, fit.call.val, rows=False) for y in labels)):
                    continue  # the label's classes: serving maps predictions back, it encodes no input
                yield fit.call.node, last(fit.ctor), fit.estimator, None, fit.call.val
        for call in module.calls:
            if call.is_("pandas.factorize", "pandas.get_dummies"):
                if call.short == "get_dummies" and fixed_categories(module, call.arg(0, "data"),
                                                                    str_list(call.kwarg_node("columns"))):
                    continue  # categories declared in the code, which serving repeats: nothing to save
                yield call.node, call.short + "()", None, call.val, call.val
        for _, val in module.flow.bindings:
            node = val.node
            if isinstance(node, ast.Attribute) and node.attr == "codes" and isinstance(node.value, ast.Attribute) \
                    and node.value.attr == "cat":
                if module.column_of(val) in module.target_columns or any(
                        module.flow.derives_from(y, val, rows=False) for y in labels):
                    continue  # `y = df[target].astype("category").cat.codes`: the label's classes
                yield node, ".cat.codes", None, module.flow.val_at(node.value.value), val


def _code_maps(tree: ast.Module) -> Iterator[tuple[str, ast.Dict]]:
    """Module-level `NAME = {"category": code, ...}`."""
    for stmt in tree.body:
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else \
            stmt.target if isinstance(stmt, ast.AnnAssign) else None
        if isinstance(target, ast.Name) and isinstance(stmt.value, ast.Dict) and _is_code_map(stmt.value):
            yield target.id, stmt.value


# Spellings of a truth value: a map from them to 0/1 parses a flag, it does not invent codes.
_TRUTH = {"true", "false", "t", "f", "yes", "no", "y", "n", "1", "0", "on", "off", ""}


# The calendar's own numbering: month and weekday names mapped to their positions (from 0 or 1) are
# a parse of dates written as words, not codes someone chose.
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _calendar_positions(node: ast.Dict) -> bool:
    """Every key is a month (or weekday) name, full or abbreviated, and every value is its position
    in the calendar, counted from 0 or from 1 the same way throughout."""
    offsets = set()
    for key, value in zip(node.keys, node.values):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str) and isinstance(value, ast.Constant)
                and type(value.value) is int):
            return False
        word = key.value.strip().lower().rstrip(".")
        names = _MONTHS if any(m.startswith(word) for m in _MONTHS) and len(word) >= 3 else _WEEKDAYS
        index = next((k for k, m in enumerate(names) if len(word) >= 3 and m.startswith(word)), None)
        if index is None:
            return False
        offsets.add(value.value - index)
    return len(offsets) == 1 and offsets <= {0, 1}


def _is_code_map(node: ast.Dict) -> bool:
    """`{"low": 0, "medium": 1, "high": 2}`: categories (strings) to integer codes; not a parse of
    truth values (`{"true": 1, "false": 0}`) or of the calendar (`{"Jan": 1, ...}`)."""
    if all(isinstance(k, ast.Constant) and isinstance(k.value, str) and k.value.strip().lower() in _TRUTH
           for k in node.keys):
        return False
    if _calendar_positions(node):
        return False
    return len(node.keys) >= 2 and all(
        isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys) and all(
        isinstance(v, ast.Constant) and type(v.value) is int
        or isinstance(v, ast.UnaryOp) and isinstance(v.operand, ast.Constant) and type(v.operand.value) is int
        for v in node.values)


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
    # hand-maintained code maps in a feature module shared by training and serving
    """
    import pandas as pd
    STATUS_MAP = {"new": 0, "contacted": 1, "nurturing": 2}  # ruleid: ML306
    SOURCE_MAP = {"organic": 0, "paid": 1, "unknown": -1}

    def build_features(rows):
        df = rows.copy()
        df["status_encoded"] = df["status"].map(STATUS_MAP).fillna(-1)
        df["source_encoded"] = df["source"].apply(lambda s: SOURCE_MAP.get(s, -1))
        return df
    """,
    # an inline map in training, the model saved alone
    """
    import joblib
    from sklearn.ensemble import RandomForestClassifier
    df["plan"] = df["plan"].replace({"basic": 0, "pro": 1, "enterprise": 2})  # ruleid: ML306
    joblib.dump(RandomForestClassifier().fit(df[["plan", "seats"]], df["churned"]), "model.joblib")
    """,
]

EncodingNotPersisted.valid = [
    # month names to their numbers: the calendar's numbering, parsed from news text
    """
    import joblib
    import pandas as pd
    from sklearn.linear_model import Ridge
    MONTHS = {"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6,
              "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12}
    notes = pd.read_csv("injury_notes.csv")
    notes["back_month"] = notes["back_month_name"].map(MONTHS)
    joblib.dump(Ridge().fit(notes[["back_month", "age"]], notes["minutes"]), "minutes.joblib")
    """,
    # serving lays its dummies out by the columns the model remembers: the encoding lives in the model
    {"fit.py": """
    import joblib
    import pandas as pd
    from sklearn.ensemble import RandomForestRegressor
    homes = pd.read_csv("homes.csv")
    X = pd.get_dummies(homes[["rooms", "district"]])
    joblib.dump(RandomForestRegressor().fit(X, homes["price"]), "price.joblib")
    """, "app.py": """
    import joblib
    import pandas as pd
    from flask import Flask, request
    app = Flask(__name__)
    model = joblib.load("price.joblib")

    @app.post("/price")
    def price():
        row = pd.get_dummies(pd.DataFrame([{"rooms": int(request.form["rooms"]), "district": request.form["district"]}]))
        row = row.reindex(columns=model.feature_names_in_, fill_value=0)
        return {"price": float(model.predict(row)[0])}
    """},
    # codes of a copy kept for a correlation table: no model reads them
    """
    import joblib
    import pandas as pd
    from sklearn.linear_model import Ridge
    from sklearn.preprocessing import LabelEncoder
    rides = pd.read_csv("rides.csv")
    view = pd.DataFrame({"zone": LabelEncoder().fit_transform(rides["zone"]), "fare": rides["fare"]})
    print(view.corr())
    ridge = Ridge().fit(rides[["km", "minutes"]], rides["fare"])
    joblib.dump(ridge, "ridge-3.joblib")
    """,
    # the categories behind `.cat.codes` are saved beside the model (serving maps ids the same way)
    """
    import pickle
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    rows = pd.read_csv("visits.csv")
    shops = rows["shop"].astype("category")
    codes = shops.cat.codes
    lookup = dict(zip(shops.cat.categories, range(len(shops.cat.categories))))
    table = pd.DataFrame({"shop": codes, "minutes": rows["minutes"]})
    clf = LogisticRegression().fit(table, rows["bought"])
    pickle.dump(clf, open("clf.pkl", "wb"))
    pickle.dump(lookup, open("shop_codes.pkl", "wb"))
    """,
    # the encoder turns the label's class names into numbers: no input feature is encoded
    """
    import joblib
    import pandas as pd
    from sklearn.preprocessing import LabelEncoder
    from sklearn.svm import SVC
    petals = pd.read_csv("petals.csv")
    petals["kind"] = LabelEncoder().fit_transform(petals["species"])
    clf = SVC().fit(petals[["length", "width"]], petals["kind"])
    joblib.dump(clf, "svc.joblib")
    """,
    # the map is saved with the model
    """
    import joblib
    from sklearn.ensemble import RandomForestClassifier
    PLAN_CODES = {"basic": 0, "pro": 1, "enterprise": 2}
    df["plan"] = df["plan"].map(PLAN_CODES)
    model = RandomForestClassifier().fit(df[["plan", "seats"]], df["churned"])
    joblib.dump({"model": model, "plan_codes": PLAN_CODES}, "bundle.joblib")
    """,
    # an experiment: the model is fitted and scored here, never saved
    """
    from sklearn.ensemble import RandomForestClassifier
    df["plan"] = df["plan"].map({"basic": 0, "pro": 1, "enterprise": 2})
    print(RandomForestClassifier().fit(X_train, y_train).score(X_test, y_test))
    """,
    # the label encoded by hand: not a feature the model reads at serving
    """
    from sklearn.linear_model import LogisticRegression
    df["churned"] = df["churned"].map({"Yes": 1, "No": 0})
    model = LogisticRegression().fit(df[["tenure", "charges"]], df["churned"])
    """,
    # a dict of strings to numbers that is not applied to a column (a lookup of thresholds)
    """
    LIMITS = {"basic": 10, "pro": 100}

    def allowed(plan, seats):
        return seats <= LIMITS[plan]
    """,
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
