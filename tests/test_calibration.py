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
