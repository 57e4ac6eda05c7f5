"""The feature-by-feature comparison as a library call."""
import pytest

from wicked_data.checks.skew import skew_diff
from tests.conftest import REPO

CHURN = REPO / "scenarios" / "churn_predictor" / "workspace"


def test_churn_comparison_feature_by_feature():
    [report] = skew_diff([CHURN])
    assert (report.training_file, report.serving_file) == ("model.py", "predict.py")
    status = {f.feature: f.status for f in report.features}
    assert status == {"tenure_months": "different", "order_count": "same", "total_revenue": "same",
                      "avg_order_value": "different", "days_since_last_order": "different",
                      "support_tickets": "same", "email_opens": "same"}
    avg = next(f for f in report.features if f.feature == "avg_order_value")
    assert avg.training == "total_revenue / order_count" and avg.serving == "total_revenue / order_count"
    assert (avg.training_line, avg.serving_line) == (13, 15)


def test_explicit_pair_and_unknown_file(tmp_path):
    assert skew_diff([CHURN], training="model.py", serving="predict.py")
    with pytest.raises(ValueError, match="nope.py"):
        skew_diff([CHURN], training="nope.py")


SCENARIOS = REPO / "scenarios"


@pytest.mark.parametrize("body", [
    # the caller's dict copied, one feature computed in place
    """
    row = dict(customer_data)
    row["avg_order_value"] = row["total_revenue"] / row["order_count"]
    return model.predict_proba(pd.DataFrame([row]))[0][1]
    """,
    # spread into a new dict
    """
    row = {**customer_data, "avg_order_value": customer_data["total_revenue"] / customer_data["order_count"]}
    return model.predict_proba(pd.DataFrame([row]))[0][1]
    """,
])
def test_seed_000_row_built_from_the_callers_dict(tmp_path, body):
    """predict.py builds its row from the caller's dict: the avg_order_value mismatch and the
    division by zero are still found, and the features passed through are compared as given."""
    import shutil
    import textwrap

    from wicked_data.checks.config import Config
    from wicked_data.checks.engine import review

    work = tmp_path / "w"
    shutil.copytree(CHURN, work)
    head = (work / "predict.py").read_text().split("def predict_churn")[0]
    (work / "predict.py").write_text(head + "def predict_churn(customer_data):\n"
                                     + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n")
    [report] = skew_diff([work])
    status = {f.feature: f.status for f in report.features}
    assert set(status) == {"tenure_months", "order_count", "total_revenue", "avg_order_value",
                           "days_since_last_order", "support_tickets", "email_opens"}
    assert status["avg_order_value"] == "different"
    assert status["tenure_months"] == status["days_since_last_order"] == "different"  # from the clock in training
    avg = next(f for f in report.features if f.feature == "avg_order_value")
    assert "division" in avg.categories and "ZeroDivisionError" in " ".join(avg.differences)
    found = {(f.rule, f.file) for f in review([work], Config(cache=False)).findings}
    assert ("ML301", "predict.py") in found and ("ML405", "predict.py") in found


@pytest.mark.parametrize("scenario", ["churn_predictor", "clean_project", "lead_scoring", "multi_service",
                                      "time_series_demand"])
def test_every_paired_scenario_lists_its_features(scenario):
    reports = skew_diff([SCENARIOS / scenario / "workspace"])
    assert reports and all(r.features for r in reports)
    for report in reports:
        for f in report.features:
            assert f.status in ("same", "different", "missing", "extra")
            assert len(f.categories) == len(f.differences) or f.status in ("missing", "extra")


def test_identical_pipelines_through_a_shared_builder_have_no_difference():
    [report] = skew_diff([SCENARIOS / "clean_project" / "workspace"])
    assert len(report.features) == 9 and {f.status for f in report.features} == {"same"}


def test_services_that_reimplement_a_shared_builder_differ_by_category():
    reports = {r.serving_file: r for r in skew_diff([SCENARIOS / "multi_service" / "workspace"])}
    api = {f.feature: f for f in reports["services/scoring_api/app.py"].features}
    batch = {f.feature: f for f in reports["services/batch_scorer/run_batch.py"].features}
    assert api["orders_per_month"].status == "different" and "source" in api["orders_per_month"].categories
    assert "source" in api["recency_days"].categories
    assert api["sessions_30d"].status == "same"
    # the batch scorer calls the training package's own helpers for recency and orders per month
    assert batch["recency_days"].status == batch["orders_per_month"].status == "same"
    assert {"source", "zero guard"} <= set(batch["avg_order_value"].categories)
    assert batch["avg_order_value"].training_file == "training/features/customer.py"


def test_skew_diff_command(capsys):
    from wicked_data.checks.cli import main

    assert main(["skew-diff", str(SCENARIOS / "clean_project" / "workspace")]) == 0
    assert "same      tenure_days" in capsys.readouterr().out
    assert main(["skew-diff", str(SCENARIOS / "multi_service" / "workspace"), "--format", "json"]) == 1
    out = capsys.readouterr().out
    assert '"zero guard"' in out
    assert main(["skew-diff", "/no/such/folder"]) == 2


_TRAIN_HOURS = """
import joblib
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
txns = pd.read_csv("t.csv")
hour = pd.to_datetime(txns["ts"]).dt.hour
txns["office"] = ((hour >= 9) & (hour <= 17)).astype(int)
txns["angle"] = np.sin(2 * np.pi * hour / 24)
txns["sex_code"] = txns["sex"].map({"F": 0, "M": 1}).fillna(0)
COLS = ["office", "angle", "sex_code"]
joblib.dump(LogisticRegression().fit(txns[COLS], txns["fraud"]), "lr.joblib")
"""
_SERVE_HOURS = """
import joblib
import numpy as np
import pandas as pd
lr = joblib.load("lr.joblib")
def score(rows):
    batch = pd.DataFrame(rows)
    hh = pd.to_datetime(batch["ts"]).dt.hour
    batch["office"] = {office}
    batch["angle"] = np.sin(2 * np.pi * hh / 24.0)
    batch["sex_code"] = batch["sex"].map({codes}).fillna(0)
    return lr.predict_proba(batch[["office", "angle", "sex_code"]])[:, 1]
"""


@pytest.mark.parametrize("office, codes, expected", [
    # written differently, computed alike: between() is both bounds inclusive, 24.0 is 24, key order
    ('hh.between(9, 17).astype(int)', '{"M": 1, "F": 0}', {}),
    ('((hh >= 9) & (hh < 17)).astype(int)', '{"M": 1, "F": 0}', {"office": "boundary"}),
    ('((hh >= 9) & (hh <= 17)).astype(int)', '{"M": 0, "F": 1}', {"sex_code": "encoding"}),
])
def test_fingerprints_tell_equal_formulas_from_different_ones(tmp_path, office, codes, expected):
    (tmp_path / "train.py").write_text(_TRAIN_HOURS)
    (tmp_path / "serve.py").write_text(_SERVE_HOURS.replace("{office}", office).replace("{codes}", codes))
    [report] = skew_diff([tmp_path])
    differing = {f.feature: f.categories for f in report.features if f.status != "same"}
    assert set(differing) == set(expected)
    for feature, category in expected.items():
        assert category in differing[feature]


_TRAIN_TX = """
import joblib
import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier

def arc_km(lon_a, lat_a, lon_b, lat_b):
    lon_a, lat_a, lon_b, lat_b = map(np.radians, [lon_a, lat_a, lon_b, lat_b])
    h = np.sin((lat_b - lat_a) / 2) ** 2 + np.cos(lat_a) * np.cos(lat_b) * np.sin((lon_b - lon_a) / 2) ** 2
    km = 6371 * 2 * np.arcsin(np.sqrt(h))
    return km

tx = pd.read_csv("tx.csv")
tx["ts"] = pd.to_datetime(tx["ts"])
tx["hr"] = tx["ts"].dt.hour
tx["dow"] = tx["ts"].dt.dayofweek
tx["night"] = ((tx["hr"] >= 22) | (tx["hr"] <= 5)).astype(int)
tx["weekend"] = (tx["dow"] >= 5).astype(int)
tx["dist"] = arc_km(tx["lon"], tx["lat"], tx["mlon"], tx["mlat"])
tx["gap_min"] = tx.groupby("card")["ts"].diff().dt.total_seconds().div(60).fillna(0)
tx["avg_amt"] = tx.groupby("card")["amt"].transform(lambda s: s.expanding().mean().shift(1)).fillna(0)
COLS = ["hr", "dow", "night", "weekend", "dist", "gap_min", "avg_amt"]
joblib.dump(RandomForestClassifier().fit(tx[COLS], tx["fraud"]), "rf.joblib")
"""
_SERVE_TX = """
import joblib
import numpy as np
import pandas as pd
rf = joblib.load("rf.joblib")

def _km(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = map(np.radians, [lat1, lon1, lat2, lon2])
    h = np.sin((lat2 - lat1) / 2.0) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2.0) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(h))

def score(frame):
    frame = frame.copy()
    column = "ts" if "ts" in frame.columns else "time"
    when = pd.to_datetime(frame[column])
    if when is None:
        frame["hr"] = 0.0
        frame["dow"] = 0.0
    else:
        frame["hr"] = when.dt.hour.astype(float)
        frame["dow"] = when.dt.weekday.astype(float)
    frame["night"] = {night}
    frame["weekend"] = frame["dow"].isin([5, 6]).astype(float)
    frame["dist"] = _km(frame["lat"], frame["lon"], frame["mlat"], frame["mlon"])
    frame["gap_min"] = {gap}
    frame["avg_amt"] = {avg}
    return rf.predict_proba(frame[["hr", "dow", "night", "weekend", "dist", "gap_min", "avg_amt"]])[:, 1]
"""
_SAME_NIGHT = '((frame["hr"] < 6) | (frame["hr"] >= 22)).astype(float)'
_SAME_GAP = 'frame.groupby("card")["ts"].diff().dt.total_seconds().div(60).fillna(0.0)'
_SAME_AVG = 'frame.groupby("card")["amt"].transform(lambda s: s.expanding().mean().shift(1)).fillna(0.0)'


@pytest.mark.parametrize("night, gap, avg, expected", [
    # hour and weekday parts, conditions on them, a distance helper taking its arguments in another order,
    # a constant fallback in the branch without timestamps: all computed alike
    (_SAME_NIGHT, _SAME_GAP, _SAME_AVG, {}),
    # the night ends at 6 exclusive in training's (<= 5) but 5 exclusive here: the hour 5 differs
    ('((frame["hr"] < 5) | (frame["hr"] >= 22)).astype(float)', _SAME_GAP, _SAME_AVG, {"night": "boundary"}),
    # isin over a range: the hours 22 and 23 are left out
    ('frame["hr"].isin(range(0, 6)).astype(float)', _SAME_GAP, _SAME_AVG, {"night": "boundary"}),
    # seconds where training has minutes
    (_SAME_NIGHT, 'frame.groupby("card")["ts"].diff().dt.total_seconds().fillna(0.0)', _SAME_AVG, {"gap_min": "formula"}),
    # the batch's mean where training takes the card's earlier transactions
    (_SAME_NIGHT, _SAME_GAP, 'frame.groupby("card")["amt"].transform("mean").fillna(0.0)', {"avg_amt": "window"}),
])
def test_fingerprints_evaluate_conditions_follow_columns_and_helpers(tmp_path, night, gap, avg, expected):
    (tmp_path / "train.py").write_text(_TRAIN_TX)
    (tmp_path / "serve.py").write_text(_SERVE_TX.replace("{night}", night).replace("{gap}", gap).replace("{avg}", avg))
    [report] = skew_diff([tmp_path])
    differing = {f.feature: f.categories for f in report.features if f.status not in ("same", "unknown")}
    assert set(differing) == set(expected), differing
    for feature, category in expected.items():
        assert category in differing[feature]


def test_a_side_computed_by_a_function_handed_to_apply_is_not_compared(tmp_path):
    (tmp_path / "train.py").write_text(_TRAIN_TX)
    serve = _SERVE_TX.replace("{night}", _SAME_NIGHT).replace("{avg}", _SAME_AVG).replace(
        "{gap}", 'frame.groupby("card")["ts"].apply(minutes_between).fillna(0.0)')
    (tmp_path / "serve.py").write_text("from gaps import minutes_between\n" + serve)
    [report] = skew_diff([tmp_path])
    gap = next(f for f in report.features if f.feature == "gap_min")
    assert gap.status == "unknown" and gap.categories == ["not compared"]


CASES = REPO / "tests" / "corpus" / "cases"


@pytest.mark.parametrize("case, feature, category, words", [
    ("case161_frame_fill_values_differ", "kwh_last_quarter", "fill", "filled with 0 in training and with -1 at serving"),
    ("case162_positional_form_raw_log", "creatinine", "function", "log1p to the raw 'creatinine'"),
    ("case162_positional_form_raw_log", "urea", "step", "clip only in training"),
    ("case163_dummy_prefix_renamed_batch", "referrer", "encoding", "'ref_<category>' in training and 'referrer_<category>'"),
])
def test_fills_in_place_transforms_and_dummy_names_are_compared(case, feature, category, words):
    [report] = skew_diff([CASES / case])
    item = next(f for f in report.features if f.feature == feature)
    assert item.status == "different" and category in item.categories
    assert words in " ".join(item.differences)
    others = [f for f in report.features if f.feature != feature and f.status == "different"]
    assert all(f.feature in ("creatinine", "urea") for f in others)  # nothing else differs


def test_the_same_fills_transforms_and_order_on_both_sides_are_the_same():
    [report] = skew_diff([CASES / "case164_same_fills_prefixes_order_good"])
    assert {f.feature: f.status for f in report.features} == {"driver_age": "same", "prior_claims": "same",
                                                              "log_estimate": "same"}


def test_positional_values_out_of_training_order_are_marked_per_feature(tmp_path):
    work = tmp_path / "w"
    import shutil
    shutil.copytree(CASES / "case162_positional_form_raw_log", work)
    web = (work / "web.py").read_text()
    (work / "web.py").write_text(web.replace('float(request.form["creatinine"]), float(request.form["urea"])',
                                             'float(request.form["urea"]), float(request.form["creatinine"])'))
    [report] = skew_diff([work])
    urea = next(f for f in report.features if f.feature == "urea")
    assert "order" in urea.categories and "which the model reads as 'creatinine'" in " ".join(urea.differences)


def test_pairs_not_compared_are_blind_spots(tmp_path):
    """Values known by position only, against a feature list computed at run time: nothing is
    compared, and the coverage says so instead of a clean bill."""
    import shutil

    from wicked_data.checks.config import Config
    from wicked_data.checks.engine import review

    work = tmp_path / "w"
    shutil.copytree(CASES / "case169_streamlit_widgets_by_position_raw_log", work)
    train = (work / "build_model.py").read_text()
    (work / "build_model.py").write_text(train.replace(
        'recipe = ["cement", "water", "superplasticizer", "age_days"]',
        'recipe = [c for c in mixes.columns if c != "strength_mpa"]'))
    result = review([work], Config(cache=False))
    assert not [f for f in result.findings if f.rule == "ML301"]
    [spot] = [s for s in result.coverage.blind_spots if "train/serve skew" in s.note]
    assert (spot.file, spot.line) == ("strength_app.py", 19) and "build_model.py" in spot.note


def test_a_helper_that_fits_only_when_told_is_not_a_refit_at_serving(tmp_path):
    """The shared helper refits at serving (ML303) unless the fit sits behind a parameter
    (`if training:`), where only the caller's argument could say which branch runs."""
    import shutil

    from wicked_data.checks.config import Config
    from wicked_data.checks.engine import review

    def refits(work):
        return [f for f in review([work], Config(cache=False)).findings if f.rule == "ML303"]

    work = tmp_path / "w"
    shutil.copytree(CASES / "case171_flask_shared_encoder_helper_refit", work)
    assert [(f.file, f.line) for f in refits(work)] == [("site.py", 17)]
    (work / "shared.py").write_text(
        "from sklearn.preprocessing import OrdinalEncoder\n\n\n"
        "def encode_text_columns(frame, columns, coder=None, training=False):\n"
        "    if training:\n"
        "        coder = OrdinalEncoder()\n"
        "        frame[columns] = coder.fit_transform(frame[columns])\n"
        "    else:\n"
        "        frame[columns] = coder.transform(frame[columns])\n"
        "    return frame\n")
    assert refits(work) == []
