"""Severity decided by the rest of the project (`Rule.calibrate`): an unversioned artifact is P1
where the project deploys it, advisory where nothing in the reviewed code serves it."""
import textwrap

from wicked_data.checks import review
from wicked_data.checks.config import Config

TRAIN = """
    import joblib
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    rows = pd.read_csv("rows.csv")
    scaler = StandardScaler().fit(rows[["a", "b"]])
    clf = LogisticRegression().fit(scaler.transform(rows[["a", "b"]]), rows["y"])
    joblib.dump(scaler, "scaler.joblib")
    joblib.dump(clf, "classifier.joblib")
    """

SERVE = """
    import joblib
    from fastapi import FastAPI

    app = FastAPI()
    clf = joblib.load("{name}")

    @app.post("/score")
    def score(a: float, b: float) -> dict:
        return {{"p": float(clf.predict_proba([[a, b]])[0, 1])}}
    """


def _write(folder, files):
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text))
    return folder


def _ml401(folder, **config):
    return [f for f in review([folder], Config(**({"cache": False} | config))).findings if f.rule == "ML401"]


def test_the_saves_of_one_file_are_one_finding_on_the_model(tmp_path):
    _write(tmp_path, {"train.py": TRAIN, "app.py": SERVE.format(name="models/classifier.joblib")})
    [finding] = _ml401(tmp_path)
    assert finding.line == 11 and "`clf`" in finding.message
    assert [(r.line, r.note) for r in finding.related] == [(10, "`scaler` is saved without a version too")]


def test_an_artifact_the_service_loads_stays_p1(tmp_path):
    _write(tmp_path, {"train.py": TRAIN, "app.py": SERVE.format(name="models/classifier.joblib")})
    [finding] = _ml401(tmp_path)
    assert finding.severity.value == "P1" and "(" not in finding.message.rsplit(";", 1)[-1]


def test_with_nothing_that_serves_it_a_missing_version_is_advisory(tmp_path):
    _write(tmp_path, {"train.py": TRAIN})
    [finding] = _ml401(tmp_path)
    assert finding.severity.value == "P3"
    assert finding.message.endswith("(nothing in the reviewed code loads it to serve predictions; it matters "
                                    "once it is deployed)")


def test_a_service_that_loads_another_artifact_leaves_this_one_advisory(tmp_path):
    _write(tmp_path, {"train.py": TRAIN, "app.py": SERVE.format(name="champion.onnx")})
    [finding] = _ml401(tmp_path)
    assert finding.severity.value == "P3" and "loads other artifacts" in finding.message


def test_a_calibrated_severity_is_kept_when_the_review_is_served_from_the_cache(tmp_path):
    project = tmp_path / "p"
    project.mkdir()
    _write(project, {"train.py": TRAIN})
    cache = {"cache": True}
    first = _ml401(project, **cache)
    again = _ml401(project, **cache)
    assert [(f.id, f.severity, f.message) for f in first] == [(f.id, f.severity, f.message) for f in again]
    assert again[0].severity.value == "P3"
    only_p1 = review([project], Config(cache=True, min_severity="P1")).findings
    assert not [f for f in only_p1 if f.rule == "ML401"]


NOTEBOOK_ROUND_TRIP = """
    import pickle
    from sklearn.preprocessing import OneHotEncoder

    encoder = OneHotEncoder().fit(frame[["region"]])
    with open("encoder.pkl", "wb") as out:
        pickle.dump(encoder, out)
    with open("encoder.pkl", "rb") as back:
        encoder = pickle.load(back)
    """


def _ml402(folder):
    return [f for f in review([folder], Config(cache=False)).findings if f.rule == "ML402"]


def test_loading_what_the_project_wrote_outside_a_service_is_not_unsafe(tmp_path):
    _write(tmp_path, {"prepare.py": NOTEBOOK_ROUND_TRIP})
    assert _ml402(tmp_path) == []


def test_a_service_loading_the_projects_own_artifact_keeps_the_finding(tmp_path):
    _write(tmp_path, {"train.py": TRAIN, "app.py": SERVE.format(name="classifier.joblib")})
    assert [f.file for f in _ml402(tmp_path)] == ["app.py"]


def test_a_script_loading_a_file_nothing_in_the_project_writes_keeps_the_finding(tmp_path):
    _write(tmp_path, {"prepare.py": NOTEBOOK_ROUND_TRIP.replace('open("encoder.pkl", "rb")', 'open("downloaded.pkl", "rb")')})
    assert [f.line for f in _ml402(tmp_path)] == [9]


FEATURES = """
    import numpy as np

    def add_ratios(frame):
        frame["price_ratio"] = frame["price"] / frame["reference_price"]
        return frame
    """

FIT = """
    import pandas as pd
    {imports}
    from features import add_ratios

    rows = add_ratios(pd.read_parquet("rows.parquet"))
    model = {model}.fit(rows[["price_ratio"]], rows["target"])
    """


def _ml508(tmp_path, imports, model):
    _write(tmp_path, {"features.py": FEATURES, "train.py": FIT.format(imports=imports, model=model)})
    return [f for f in review([tmp_path], Config(cache=False)).findings if f.rule == "ML508"]


def test_a_ratio_fed_only_to_lightgbm_is_advisory(tmp_path):
    [finding] = _ml508(tmp_path, "import lightgbm as lgb", "lgb.LGBMRegressor()")
    assert finding.severity.value == "P3" and "(LGBMRegressor) read NaN as missing" in finding.message


def test_a_ratio_fed_to_a_model_that_refuses_infinity_stays(tmp_path):
    [finding] = _ml508(tmp_path, "from xgboost import XGBRegressor", "XGBRegressor()")
    assert finding.severity.value == "P2"


def test_a_pickle_read_from_a_path_written_in_the_code_is_advisory(tmp_path):
    """`open("model.pkl")` and `Path(__file__).parent / ...` are literal paths: replacing the file takes
    code access (P3); a path from the environment keeps the P2."""
    _write(tmp_path, {"serve.py": """
        import os
        import pickle
        from pathlib import Path

        import joblib

        HERE = Path(__file__).resolve().parent
        model = joblib.load(HERE / "artifacts" / "model.joblib")
        with open("encoder.pkl", "rb") as handle:
            encoder = pickle.load(handle)
        fallback = joblib.load(os.environ["MODEL_PATH"])

        def predict(rows):
            return model.predict(encoder.transform(rows)), fallback.predict(rows)
        """})
    assert {f.line: f.severity.value for f in _ml402(tmp_path)} == {9: "P3", 11: "P3", 12: "P2"}


HANDED = """
    import pandas as pd

    def score_rows(model, rows):
        return model.predict_proba(pd.DataFrame(rows))[:, 1]
    """

ROUTE = """
    import joblib
    from flask import Flask, jsonify, request
    from scoring import score_rows

    app = Flask(__name__)
    model = joblib.load("model.joblib")

    @app.post("/score")
    def score():
        return jsonify(score_rows(model, request.get_json()["rows"]).tolist())
    """


def test_helper_scoring_a_handed_model_is_not_an_entry_until_something_serves_it(tmp_path):
    """A function that scores whatever model its caller hands it, and that nothing in the project
    calls, is a helper (an evaluation utility), not an inference entry; called from a route with
    the request's rows, its unvalidated input is reported again."""
    alone = _write(tmp_path / "alone", {"scoring.py": HANDED}) if (tmp_path / "alone").mkdir() is None else None
    served = _write(tmp_path / "served", {"scoring.py": HANDED, "app.py": ROUTE}) \
        if (tmp_path / "served").mkdir() is None else None
    rules = lambda folder: {f.rule for f in review([folder], Config(select=["ML404", "ML406", "ML408"])).findings}  # noqa: E731
    assert rules(alone) == set()
    assert "ML404" in rules(served)


PIPELINE = """
    import joblib
    import pandas as pd

    class Scorer:
        def __init__(self):
            self.model = joblib.load("artifacts/model.joblib")

        def score(self, rows):
            return self.model.predict_proba(rows)[:, 1]
    """

UI = """
    import pandas as pd
    import streamlit as st
    from scoring import Scorer

    age = st.number_input("Age", min_value=18, max_value=99, value=40)
    plan = st.selectbox("Plan", ["basic", "plus"])
    {extra}
    if st.button("Score"):
        st.write(Scorer().score(pd.DataFrame([{{"age": age, "plan": plan}}])))
    """


def test_entry_called_only_from_bounded_widgets_is_validated_by_its_caller(tmp_path):
    """A scoring class of another module whose only caller is a Streamlit script made of typed,
    bounded widgets gets its input validated there; a free-text box in the script keeps ML404."""
    bounded, free = tmp_path / "bounded", tmp_path / "free"
    bounded.mkdir()
    free.mkdir()
    _write(bounded, {"scoring.py": PIPELINE, "app.py": UI.format(extra="")})
    _write(free, {"scoring.py": PIPELINE, "app.py": UI.format(extra='note = st.text_input("Note")')})
    rules = lambda folder: {f.rule for f in review([folder], Config(select=["ML404"])).findings}  # noqa: E731
    assert rules(bounded) == set()
    assert rules(free) == {"ML404"}


LOADER = """
    import pickle

    def load_object(path):
        with open(path, "rb") as handle:
            return pickle.load(handle)
    """

CONSTS = """
    import os
    ARTIFACTS = os.path.join("artifacts", "v3")
    """

CALLER = """
    import os
    import pandas as pd
    from fastapi import FastAPI
    from tools.store import load_object
    from tools import consts

    app = FastAPI()
    model = load_object({path})

    @app.post("/score")
    def score(a: float, b: float) -> dict:
        return {{"p": float(model.predict_proba(pd.DataFrame([{{"a": a, "b": b}}]))[0, 1])}}
    """


def _ml402(folder):
    return [f for f in review([folder], Config(select=["ML402"])).findings]


def test_unsafe_load_through_a_helper_gets_the_callers_paths(tmp_path):
    """A loader taking its path as a parameter is P3 when every caller hands it a path written in
    the project's code (its own constants included), P2 when one comes from the environment."""
    for name, path, expected in (("fixed", 'os.path.join(consts.ARTIFACTS, "model.pkl")', "P3"),
                                 ("env", 'os.environ["MODEL_FILE"]', "P2")):
        folder = tmp_path / name
        (folder / "tools").mkdir(parents=True)
        (folder / "tools" / "__init__.py").write_text("")
        _write(folder, {"tools/store.py": LOADER, "tools/consts.py": CONSTS, "app.py": CALLER.format(path=path)})
        found = _ml402(folder)
        assert [(f.file, f.severity.value) for f in found] == [("tools/store.py", expected)], found
