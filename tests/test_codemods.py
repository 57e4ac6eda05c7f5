"""Mechanical fixes: they keep formatting and comments, come out as a unified diff, `--apply` writes
them, the re-reviewed file no longer triggers the rule, and unsafe cases are skipped with a reason."""
import difflib
import shutil
import textwrap
from pathlib import Path

import pytest

from wicked_data.checks import Config, review
from wicked_data.checks.cli import main
from wicked_data.checks.remediate.codemods import fix_source
from wicked_data.checks.remediate.validators import rule_hits

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "scenarios" / "churn_predictor" / "workspace"


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip()


def flagged(rule: str, text: str) -> list[int]:
    return rule_hits(rule, text)


FIXES = [
    pytest.param("ML207", """
        import pandas as pd
        from sklearn.model_selection import train_test_split as tts  # an alias

        df = pd.read_csv("data.csv")
        X_tr, X_te, y_tr, y_te = tts(df[["a", "b"]], df["y"],   # keep this comment
                                     test_size=0.25)
        """, "test_size=0.25, random_state=42)", id="ML207-alias-multiline"),
    pytest.param("ML207", """
        from sklearn.model_selection import train_test_split

        X_train, X_test, y_train, y_test = train_test_split(
            X,
            y,
            test_size=0.2,
        )
        """, "    test_size=0.2,\n    random_state=42,\n)", id="ML207-trailing-comma-layout"),
    pytest.param("ML206", """
        import sklearn.model_selection as ms
        import pandas as pd
        from sklearn.linear_model import LogisticRegression
        df = pd.read_csv("churn.csv")
        X, y = df[["a", "b"]], df["churned"]
        X_train, X_test, y_train, y_test = ms.train_test_split(X, y, test_size=0.2, random_state=0)
        LogisticRegression().fit(X_train, y_train)
        """, "random_state=0, stratify=y)", id="ML206"),
    pytest.param("ML405", """
        import pickle
        import pandas as pd
        model = pickle.load(open("m.pkl", "rb"))

        def predict(customer):
            row = {"aov": customer["revenue"] / customer["orders"]}  # per order
            return model.predict_proba(pd.DataFrame([row]))[0][1]
        """, '(customer["revenue"] / customer["orders"] if customer["orders"] else float("nan"))}  # per order',
        id="ML405-scalar"),
    pytest.param("ML405", """
        import joblib
        import pandas as pd

        def main(path):
            model = joblib.load("ridge.joblib")
            listings = pd.read_csv(path)
            listings["rent"] = model.predict(listings[["a", "b"]])
            listings["rent_per_m2"] = listings["rent"] / listings["floor_area_m2"]
            return listings
        """, 'listings["rent"] / listings["floor_area_m2"].where(listings["floor_area_m2"] != 0)', id="ML405-column"),
    pytest.param("ML101", '''
        """Train the churn model."""
        import pandas as pd

        df = pd.read_csv("customers.csv")
        # tenure in months
        df["tenure"] = (pd.Timestamp.now() - df["signup"]).dt.days / 30
        ''', 'df["tenure"] = (REFERENCE_DATE - df["signup"]).dt.days / 30', id="ML101-pandas"),
    pytest.param("ML101", """
        from datetime import datetime as dt
        import os
        import pandas

        frame = pandas.read_parquet("orders.parquet")
        today = dt.today()
        frame["recency_days"] = (today - frame["last_order"]).dt.days
        """, 'REFERENCE_DATE = dt.fromisoformat(os.environ["REFERENCE_DATE"])', id="ML101-clock-in-variable"),
]


@pytest.mark.parametrize("rule, source, expected", FIXES)
def test_fix_keeps_formatting_and_clears_the_rule(rule, source, expected):
    text = src(source)
    lines = flagged(rule, text)
    if rule == "ML101" and "today = " in text:  # the clock is read on its own line
        lines.append(text.splitlines().index("today = dt.today()") + 1)
    assert lines, "the example must trigger the rule"
    result = fix_source(text, rule, lines, "example.py")
    assert not result.skipped
    assert expected in result.fixed
    assert flagged(rule, result.fixed) == []
    # only the flagged statements change: every other line is byte for byte the same
    spans = {n for start, end, _ in result.statements for n in range(start, end + 1)}
    matcher = difflib.SequenceMatcher(a=text.splitlines(), b=result.fixed.splitlines(), autojunk=False)
    for op, i1, i2, _, _ in matcher.get_opcodes():
        assert op == "equal" or set(range(i1 + 1, i2 + 1)) <= spans, (op, i1, i2)
    assert result.diff.startswith("--- a/example.py\n+++ b/example.py\n@@ ")
    for comment in [ln.strip() for ln in text.splitlines() if ln.strip().startswith("#") or "  #" in ln]:
        assert comment.split("#", 1)[1] in result.fixed


UNSAFE = [
    pytest.param("ML207", """
        from sklearn.model_selection import train_test_split
        opts = {"test_size": 0.2}
        parts = train_test_split(X, y, **opts)
        """, "**kwargs", id="ML207-splat"),
    pytest.param("ML206", """
        import pandas as pd
        from sklearn.model_selection import train_test_split
        from sklearn.ensemble import RandomForestClassifier
        df = pd.read_csv("churn.csv")
        train, test = train_test_split(df, test_size=0.2, random_state=1)
        RandomForestClassifier().fit(train[["a"]], train["churned"])
        """, "label array", id="ML206-one-frame"),
    pytest.param("ML405", """
        import pickle
        model = pickle.load(open("m.pkl", "rb"))

        def predict(c):
            x = c["revenue"] / float(c["orders"])
            return model.predict([[x]])
        """, "evaluate it twice", id="ML405-call-denominator"),
    pytest.param("ML101", """
        import pandas as pd

        def features(df):
            df["age_days"] = (pd.Timestamp.now() - df["signup"]).dt.days
            return df
        """, "inside a function", id="ML101-in-function"),
    pytest.param("ML101", """
        import time
        import pandas as pd
        events = pd.read_csv("events.csv")
        events["secs_since_event"] = time.time() - events["ts"]
        """, "not a date", id="ML101-epoch-seconds"),
]


@pytest.mark.parametrize("rule, source, reason", UNSAFE)
def test_unsafe_cases_are_skipped_with_a_reason(rule, source, reason):
    text = src(source)
    lines = flagged(rule, text) or [len(text.splitlines()) - 1]
    result = fix_source(text, rule, lines, "example.py")
    assert not result.changed and result.diff == ""
    assert result.skipped and reason in result.skipped[0].reason


@pytest.fixture
def workspace(tmp_path):
    target = tmp_path / "churn"
    shutil.copytree(SEED, target)
    return target


@pytest.mark.parametrize("rule", ["ML101", "ML206", "ML207", "ML405"])
def test_cli_fix_prints_a_diff_then_applies_it(workspace, rule, capsys):
    before = {p.name: p.read_text() for p in workspace.iterdir()}
    assert main(["fix", str(workspace), "--rule", rule]) == 1  # a dry run: changes pending
    diff = capsys.readouterr().out
    assert diff.startswith("--- a/") and "\n+++ b/" in diff
    assert {p.name: p.read_text() for p in workspace.iterdir()} == before
    assert main(["fix", str(workspace), "--rule", rule, "--apply"]) == 0
    assert [f for f in review([workspace], Config(cache=False)).findings if f.rule == rule] == []
    assert main(["fix", str(workspace), "--rule", rule]) == 0  # nothing left to do
    assert capsys.readouterr().out == ""


def test_cli_fix_refuses_a_rule_without_a_mechanical_fix(workspace, capsys):
    assert main(["fix", str(workspace), "--rule", "ML201"]) == 2
    assert "no mechanical fix" in capsys.readouterr().err


def test_apply_keeps_windows_line_endings(tmp_path):
    script = tmp_path / "train.py"
    script.write_bytes(b"from sklearn.model_selection import train_test_split\r\n"
                       b"X_train, X_test, y_train, y_test = train_test_split(X, y)  # split\r\n")
    assert main(["fix", str(script), "--rule", "ML207", "--apply"]) == 0
    assert script.read_bytes() == (b"from sklearn.model_selection import train_test_split\r\n"
                                   b"X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=42)  # split\r\n")
