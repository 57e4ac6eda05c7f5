"""What the code cannot show, stated in `[tool.wicked-data]`: the positive rate and the time column
are evidence, validated like every other key, and part of the cache key."""
import textwrap

import pytest

from wicked_data.checks import review
from wicked_data.checks.config import Config, ConfigError, load_project_config

CHURN = """
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import train_test_split

    frame = pd.read_csv("customers.csv")
    X = frame.drop(columns=["churned"])
    y = frame["churned"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    model = RandomForestClassifier(random_state=0).fit(X_train, y_train)
    print(accuracy_score(y_test, model.predict(X_test)))
    """

NEUTRAL = CHURN.replace("churned", "outcome").replace("customers.csv", "rows.csv")


def _rules(folder, **stated):
    return {f.rule: f for f in review([folder], Config(cache=False, **stated)).findings}


def _write(folder, name, text):
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(textwrap.dedent(text))
    return folder


def test_a_balanced_positive_rate_silences_what_a_name_suggested(tmp_path):
    folder = _write(tmp_path / "p", "train.py", CHURN)
    named = _rules(folder)
    assert named["ML202"].confidence == "low"  # only the name 'churned' suggests rarity
    assert "ML201" in named
    balanced = _rules(folder, positive_rate=0.49)
    assert "ML202" not in balanced and "ML201" not in balanced


def test_a_rare_positive_rate_is_evidence_whatever_the_names(tmp_path):
    folder = _write(tmp_path / "p", "train.py", NEUTRAL)
    assert "ML202" not in _rules(folder)  # nothing in the code says the classes are unbalanced
    rare = _rules(folder, positive_rate=0.04)
    assert rare["ML202"].severity.value == "P1" and rare["ML202"].confidence == "high"
    assert "stated positive rate (4%)" in rare["ML202"].message


def test_a_stated_time_column_makes_the_rows_time_ordered(tmp_path):
    code = """
        import pandas as pd
        from sklearn.linear_model import Ridge
        from sklearn.model_selection import train_test_split

        ticks = pd.read_parquet("ticks.parquet")
        ticks = ticks[ticks["seq"] > 100]
        X_a, X_b, y_a, y_b = train_test_split(ticks[["a", "b"]], ticks["load"], test_size=0.2, random_state=1)
        Ridge().fit(X_a, y_a)
        """
    folder = _write(tmp_path / "p", "fit.py", code)
    assert "ML105" not in _rules(folder)
    assert "ML105" in _rules(folder, time_column="seq")


def test_stated_facts_are_validated_and_read_from_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.wicked-data]\npositive-rate = 0.08\ntime-column = "event_ts"\n')
    config = load_project_config(tmp_path)
    assert config.stated() == {"positive-rate": 0.08, "time-column": "event_ts"}
    (tmp_path / "pyproject.toml").write_text("[tool.wicked-data]\npositive-rate = 1.5\n")
    with pytest.raises(ConfigError, match="positive-rate"):
        load_project_config(tmp_path)


def test_changing_a_stated_fact_does_not_reuse_cached_results(tmp_path):
    folder = _write(tmp_path / "p", "train.py", NEUTRAL)
    cache_dir = tmp_path / "cache"
    first = review([folder], Config(), cache_dir=cache_dir)
    assert "ML202" not in {f.rule for f in first.findings}
    again = review([folder], Config(positive_rate=0.04), cache_dir=cache_dir)
    assert "ML202" in {f.rule for f in again.findings}


def _notebook_with_counts(folder, printed: str | None):
    """The neutral training code as a notebook whose first cell counts the label's classes and, when
    `printed` is given, saved what it printed."""
    import json
    cells = textwrap.dedent(NEUTRAL).strip().split("\n")
    count_cell = {"cell_type": "code", "execution_count": 1 if printed else None, "metadata": {},
                  "source": ["import pandas as pd\n", "frame = pd.read_csv('rows.csv')\n", "frame['outcome'].value_counts()"],
                  "outputs": [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                               "data": {"text/plain": printed}}] if printed else []}
    train_cell = {"cell_type": "code", "execution_count": 2 if printed else None, "metadata": {}, "outputs": [],
                  "source": [line + "\n" for line in cells]}
    (folder / "fit.ipynb").write_text(json.dumps({"nbformat": 4, "cells": [count_cell, train_cell]}))


def test_class_counts_a_notebook_printed_are_evidence_of_a_rare_class(tmp_path):
    _notebook_with_counts(tmp_path, "outcome\n0    9412\n1     588\nName: count, dtype: int64")
    found = _rules(tmp_path)
    assert found["ML201"].severity.value == "P1" and found["ML201"].confidence == "high"
    assert "the smallest 5.9% of the rows" in found["ML201"].message
    assert found["ML202"].severity.value == "P1"


def test_class_counts_printed_as_balanced_silence_the_imbalance_findings(tmp_path):
    _notebook_with_counts(tmp_path, "outcome\n1    5120\n0    4880\nName: count, dtype: int64")
    found = _rules(tmp_path)
    assert "ML201" not in found and "ML202" not in found


def test_counting_the_classes_without_the_output_is_not_evidence_of_rarity(tmp_path):
    _notebook_with_counts(tmp_path, None)
    found = _rules(tmp_path)
    assert found["ML201"].severity.value == "P2" and "balance is unknown" in found["ML201"].message
    assert found["ML202"].severity.value == "P2" and found["ML202"].confidence == "medium"
