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


def test_a_moderate_imbalance_is_worth_handling_but_not_a_wrong_model(tmp_path):
    """A smallest class of 28% (a credit table's defaults) is below the 30/70 line, so ML201 and
    ML202 still report it, at P2: P1 is kept for a class under a fifth of the rows."""
    _notebook_with_counts(tmp_path, "outcome\n0    3200\n1    1254\nName: count, dtype: int64")
    found = _rules(tmp_path)
    assert "the smallest 28.2% of the rows" in found["ML202"].message
    assert found["ML202"].severity.value == "P2" and found["ML201"].severity.value == "P2"


def test_the_counts_printed_last_before_the_fit_describe_the_rows_learned_from(tmp_path):
    """Counts printed again after a one-row category is dropped: the earlier print (3 classes, the
    smallest 0.0%) no longer describes the data, the later one (balanced) does."""
    import json
    _notebook_with_counts(tmp_path, "outcome\n0    5120\n1    4870\n9       1\nName: count, dtype: int64")
    notebook = json.loads((tmp_path / "fit.ipynb").read_text())
    recount = {"cell_type": "code", "execution_count": 2, "metadata": {},
               "source": ["frame = frame[frame['outcome'] != 9]\n", "frame['outcome'].value_counts()"],
               "outputs": [{"output_type": "execute_result", "execution_count": 2, "metadata": {},
                            "data": {"text/plain": "outcome\n0    5120\n1    4870\nName: count, dtype: int64"}}]}
    notebook["cells"][1]["execution_count"] = 3
    notebook["cells"].insert(1, recount)
    (tmp_path / "fit.ipynb").write_text(json.dumps(notebook))
    found = _rules(tmp_path)
    assert "ML201" not in found and "ML202" not in found


def _recount(tmp_path, source: list[str], printed: str) -> None:
    """The notebook of `_notebook_with_counts` with one more counting cell, run before the fit."""
    import json
    notebook = json.loads((tmp_path / "fit.ipynb").read_text())
    notebook["cells"][1]["execution_count"] = 3
    notebook["cells"].insert(1, {"cell_type": "code", "execution_count": 2, "metadata": {}, "source": source,
                                 "outputs": [{"output_type": "execute_result", "execution_count": 2, "metadata": {},
                                              "data": {"text/plain": printed}}]})
    (tmp_path / "fit.ipynb").write_text(json.dumps(notebook))


def test_a_correlation_printed_in_the_same_cell_is_not_a_class_count(tmp_path):
    """The cell's saved output holds the label's correlations (a float Series, negative values)
    and then its counts: the counts are the class balance, not five 'classes' of correlations."""
    _notebook_with_counts(tmp_path, "age        0.12\nincome    -0.30\nscore      0.55\noutcome    1.00\n"
                                    "Name: outcome, dtype: float64\n"
                                    "outcome\n0    9412\n1     588\nName: count, dtype: int64")
    found = _rules(tmp_path)
    assert "the smallest 5.9% of the rows" in found["ML201"].message and "classes," not in found["ML201"].message


def test_counts_per_group_are_not_the_class_balance(tmp_path):
    """After the plain count (6% positive), the label's counts per segment (a two-row table per
    group) say nothing about the balance: the plain count still decides."""
    _notebook_with_counts(tmp_path, "outcome\n0    9412\n1     588\nName: count, dtype: int64")
    _recount(tmp_path, ["frame.groupby('region')['outcome'].value_counts()"],
             "region  outcome\nnorth   0    4700\n        1    4690\nName: count, dtype: int64")
    found = _rules(tmp_path)
    assert found["ML202"].severity.value == "P1" and "5.9%" in found["ML202"].message


def test_counts_of_resampled_rows_are_not_the_data_balance(tmp_path):
    """The training part is oversampled and its labels counted again (50/50) before the fit: that
    is the balance the resampler chose. The test part keeps the data's 6%, so accuracy alone still
    misjudges the model (ML201 P1), while the resampling handles the imbalance (no ML202)."""
    import json

    def cell(number, lines, printed=None):
        outputs = [{"output_type": "execute_result", "execution_count": number, "metadata": {},
                    "data": {"text/plain": printed}}] if printed else []
        return {"cell_type": "code", "execution_count": number, "metadata": {}, "outputs": outputs,
                "source": [line + "\n" for line in lines]}

    cells = [
        cell(1, ["import pandas as pd", "frame = pd.read_csv('rows.csv')", "frame['outcome'].value_counts()"],
             "outcome\n0    9412\n1     588\nName: count, dtype: int64"),
        cell(2, ["from sklearn.model_selection import train_test_split",
                 "from imblearn.over_sampling import RandomOverSampler",
                 "X, y = frame.drop(columns=['outcome']), frame['outcome']",
                 "X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)",
                 "X_res, y_res = RandomOverSampler(random_state=0).fit_resample(X_train, y_train)",
                 "y_res.value_counts()"],
             "outcome\n0    7059\n1    7059\nName: count, dtype: int64"),
        cell(3, ["from sklearn.ensemble import RandomForestClassifier",
                 "from sklearn.metrics import accuracy_score",
                 "model = RandomForestClassifier(random_state=0).fit(X_res, y_res)",
                 "print(accuracy_score(y_test, model.predict(X_test)))"]),
    ]
    (tmp_path / "fit.ipynb").write_text(json.dumps({"nbformat": 4, "cells": cells}))
    found = _rules(tmp_path)
    assert "ML202" not in found
    assert "5.9%" in found["ML201"].message and found["ML201"].severity.value == "P1"


def test_class_counts_printed_as_balanced_silence_the_imbalance_findings(tmp_path):
    _notebook_with_counts(tmp_path, "outcome\n1    5120\n0    4880\nName: count, dtype: int64")
    found = _rules(tmp_path)
    assert "ML201" not in found and "ML202" not in found


def test_counting_the_classes_without_the_output_is_not_evidence_of_rarity(tmp_path):
    _notebook_with_counts(tmp_path, None)
    found = _rules(tmp_path)
    assert found["ML201"].severity.value == "P2" and "balance is unknown" in found["ML201"].message
    assert found["ML202"].severity.value == "P2" and found["ML202"].confidence == "medium"


UNDERSAMPLING = {
    "a class sampled down to the other's size": [
        "kept = frame[frame['outcome'] == 0].sample(n=int((frame['outcome'] == 1).sum()), random_state=0)",
        "frame = pd.concat([kept, frame.query('outcome == 1')])"],
    "a class sampled down through a mask kept in a name": [
        "common = frame['outcome'].eq(0)",
        "frame = pd.concat([frame[common].sample(600, random_state=1), frame[~common]])"],
    "each class sampled to one size": [
        "frame = frame.groupby('outcome').sample(n=588, random_state=0)"],
    "positions of one class drawn without replacement": [
        "import numpy as np",
        "rng = np.random.default_rng(0)",
        "pos = np.flatnonzero(frame['outcome'].to_numpy() == 1)",
        "neg = rng.choice(np.flatnonzero(frame['outcome'].to_numpy() == 0), len(pos), replace=False)",
        "frame = frame.iloc[np.concatenate([pos, neg])]"],
}


@pytest.mark.parametrize("spelling", sorted(UNDERSAMPLING))
def test_a_class_sampled_down_by_hand_handles_the_imbalance(tmp_path, spelling):
    """The counts say 6% positive, then the common class is sampled down before the split, however
    that is written: the model learns from even classes (no ML202) and accuracy is measured on even
    classes (no ML201)."""
    _notebook_with_counts(tmp_path, "outcome\n0    9412\n1     588\nName: count, dtype: int64")
    import json
    notebook = json.loads((tmp_path / "fit.ipynb").read_text())
    train = notebook["cells"][1]["source"]
    after_read = next(n for n, line in enumerate(train) if "read_csv" in line) + 1
    train[after_read:after_read] = [line + "\n" for line in UNDERSAMPLING[spelling]]
    (tmp_path / "fit.ipynb").write_text(json.dumps(notebook))
    found = _rules(tmp_path)
    assert "ML202" not in found and "ML201" not in found


def test_a_sample_of_one_class_that_never_reaches_the_model_is_not_handling(tmp_path):
    """A few rows of the rare class drawn to look at: the model still learns from the 6% data."""
    _notebook_with_counts(tmp_path, "outcome\n0    9412\n1     588\nName: count, dtype: int64")
    import json
    notebook = json.loads((tmp_path / "fit.ipynb").read_text())
    train = notebook["cells"][1]["source"]
    after_read = next(n for n, line in enumerate(train) if "read_csv" in line) + 1
    train.insert(after_read, "print(frame[frame['outcome'] == 1].sample(5))\n")
    (tmp_path / "fit.ipynb").write_text(json.dumps(notebook))
    found = _rules(tmp_path)
    assert found["ML202"].severity.value == "P1" and found["ML201"].severity.value == "P1"


def _unstratified(tmp_path, printed: str) -> dict:
    """The findings of the counting notebook with its split made without `stratify=`."""
    import json
    _notebook_with_counts(tmp_path, printed)
    notebook = json.loads((tmp_path / "fit.ipynb").read_text())
    notebook["cells"][1]["source"] = [line.replace(", stratify=y", "") for line in notebook["cells"][1]["source"]]
    (tmp_path / "fit.ipynb").write_text(json.dumps(notebook))
    return _rules(tmp_path)


def test_an_unstratified_split_of_balanced_classes_is_not_reported(tmp_path):
    assert "ML206" not in _unstratified(tmp_path, "outcome\n0    5120\n1    4880\nName: count, dtype: int64")
    # 22% of 10,000 rows: a random split's shares barely move
    assert _unstratified(tmp_path, "outcome\n0    7800\n1    2200\nName: count, dtype: int64")["ML206"].severity.value == "P3"
    assert _unstratified(tmp_path, "outcome\n0    9412\n1     588\nName: count, dtype: int64")["ML206"].severity.value == "P2"
