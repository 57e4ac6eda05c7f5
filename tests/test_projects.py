"""Projects inside a reviewed folder: found from markers, training code and the ties between code,
and reviewed as if each were reviewed alone."""
from __future__ import annotations

import os
import textwrap
from pathlib import Path

from wicked_data.checks import engine, review
from wicked_data.checks.config import Config
from wicked_data.checks.projects import markers_on_disk, partition
from tests.conftest import REPO

SCENARIOS = REPO / "scenarios"


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())


def _places(result, prefix: str = "") -> set[tuple[str, str, int]]:
    return {(f.rule, f.file[len(prefix):], f.line) for f in result.findings if f.file.startswith(prefix)}


def test_folder_of_scenarios_gives_each_scenario_its_own_findings():
    whole = review([SCENARIOS], Config(cache=False))
    roots = {p.root for p in whole.coverage.projects}
    names = sorted(p.name for p in SCENARIOS.iterdir() if p.is_dir())
    assert roots == set(names)
    for name in names:
        alone = review([SCENARIOS / name], Config(cache=False))
        assert _places(whole, name + "/") == _places(alone), name


def test_one_project_with_training_and_serving_folders_stays_one(tmp_path):
    roles = {"training/train.py": "training", "training/config.yaml": "config",
             "services/api/app.py": "serving", "services/batch/run.py": "inference"}
    parts = partition(roles, {})
    assert [(u.root, len(u.files)) for u in parts] == [(".", 4)]


def test_examples_folder_splits_and_code_ties_projects_back_together():
    roles = {"fraud/train.py": "training", "fraud/serve.py": "serving",
             "churn/train.py": "training", "churn/notes.ipynb": "notebook",
             "churn_api/app.py": "serving", "utils/io.py": "other", "setup_env.py": "other"}
    links = {"churn/train.py": {"writes": {"models/churn.joblib"}, "imports": {"utils"}},
             "churn_api/app.py": {"loads": {"/srv/churn.joblib"}},
             "fraud/train.py": {"writes": {"fraud.joblib"}}}
    parts = {u.root: u.files for u in partition(roles, {}, links)}
    assert parts == {".": ["setup_env.py"],
                     "fraud": ["fraud/serve.py", "fraud/train.py"],
                     "churn": ["churn/notes.ipynb", "churn/train.py", "churn_api/app.py", "utils/io.py"]}


def test_a_serving_app_without_a_link_joins_the_only_training_script():
    roles = {"model/train.py": "training", "eda/explore.ipynb": "notebook", "api/app.py": "serving"}
    parts = {u.root: u.files for u in partition(roles, {})}
    assert parts == {"model": ["api/app.py", "model/train.py"], "eda": ["eda/explore.ipynb"]}


def test_markers_make_a_folder_a_project_of_its_own(tmp_path):
    _write(tmp_path, {"a/requirements.txt": "pandas\n", "a/x.py": "x = 1\n", "b/pyproject.toml": "",
                      "b/y.py": "y = 1\n", "c/z.py": "z = 1\n"})
    markers = markers_on_disk(tmp_path, ["a/x.py", "b/y.py", "b/pyproject.toml", "c/z.py"])
    assert markers == {"a": ["requirements.txt"], "b": ["pyproject.toml"]}
    roles = {"a/x.py": "other", "b/y.py": "other", "b/pyproject.toml": "config", "c/z.py": "other"}
    assert sorted(u.root for u in partition(roles, markers)) == ["a", "b", "c"]


TRAIN_WITH_F1 = """
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import train_test_split
    df = pd.read_csv("loans.csv")
    X_tr, X_te, y_tr, y_te = train_test_split(df[["a", "b"]], df["defaulted"], stratify=df["defaulted"], random_state=0)
    clf = LogisticRegression().fit(X_tr, y_tr)
    print(f1_score(y_te, clf.predict(X_te)))
"""
TRAIN_ACCURACY_ONLY = """
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import train_test_split
    df = pd.read_csv("visits.csv")
    X_tr, X_te, y_tr, y_te = train_test_split(df[["a", "b"]], df["returned"], stratify=df["returned"], random_state=0)
    rf = RandomForestClassifier(random_state=0).fit(X_tr, y_tr)
    print(accuracy_score(y_te, rf.predict(X_te)))
"""


def test_a_sibling_projects_metric_does_not_silence_another_project(tmp_path):
    _write(tmp_path, {"loans/train.py": TRAIN_WITH_F1, "visits/train.py": TRAIN_ACCURACY_ONLY})
    whole = review([tmp_path], Config(cache=False))
    alone = review([tmp_path / "visits"], Config(cache=False))
    assert "ML201" in {f.rule for f in alone.findings}
    assert _places(whole, "visits/") == _places(alone)
    assert sorted(p.root for p in whole.coverage.projects) == ["loans", "visits"]


def test_a_config_of_one_project_is_not_compared_with_another_projects_code(tmp_path):
    _write(tmp_path, {
        "loans/train.py": TRAIN_WITH_F1.replace("LogisticRegression()", "LogisticRegression(C=0.5, max_iter=300)"),
        "visits/config.yaml": "model:\n  n_estimators: 50\n  max_depth: 4\n",
        "visits/train.py": TRAIN_ACCURACY_ONLY.replace("RandomForestClassifier(random_state=0)",
                                                       "RandomForestClassifier(n_estimators=50, max_depth=4, random_state=0)")
                                              .replace("import pandas as pd", "import pandas as pd\nimport yaml\n"
                                                       "cfg = yaml.safe_load(open('config.yaml'))"),
    })
    whole = review([tmp_path], Config(cache=False))
    for name in ("loans", "visits"):
        assert _places(whole, name + "/") == _places(review([tmp_path / name], Config(cache=False))), name


def test_projects_are_listed_alike_when_the_snapshot_serves_the_review(tmp_path, monkeypatch):
    work = tmp_path / "work"
    _write(work, {"loans/train.py": TRAIN_WITH_F1, "visits/train.py": TRAIN_ACCURACY_ONLY,
                  "visits/README.md": "visits\n"})
    for path in work.rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))  # old enough for the stamps to vouch for them
    cache_dir = tmp_path / "cache"
    first = review([work], Config(), cache_dir=cache_dir)
    served = []
    real = engine._analyse_all
    monkeypatch.setattr(engine, "_analyse_all", lambda *a, **k: served.append(1) or real(*a, **k))
    second = review([work], Config(), cache_dir=cache_dir)
    assert not served  # the snapshot answered
    assert [p.model_dump() for p in first.coverage.projects] == [p.model_dump() for p in second.coverage.projects]
    assert [f.id for f in first.findings] == [f.id for f in second.findings]
    # A marker removed changes the partition: the snapshot no longer vouches for the review.
    (work / "visits" / "README.md").unlink()
    review([work], Config(), cache_dir=cache_dir)
    assert served


def test_corpus_folder_of_two_course_projects_matches_each_reviewed_alone():
    case = REPO / "tests" / "corpus" / "cases" / "case99_two_course_projects_one_folder"
    whole = review([case], Config(cache=False))
    assert sorted(p.root for p in whole.coverage.projects) == ["wk3_loans", "wk5_visits"]
    for name in ("wk3_loans", "wk5_visits"):
        assert _places(whole, name + "/") == _places(review([case / name], Config(cache=False))), name


def test_a_folder_declaring_a_project_stays_one_unless_a_sub_folder_declares_its_own():
    roles = {"notebooks/explore.ipynb": "notebook", "src/train.py": "training", "app/serve.py": "serving",
             "tools/other/train.py": "training"}
    markers = {"": ["README.md", "requirements.txt"], "tools/other": ["pyproject.toml"]}
    parts = {u.root: u.files for u in partition(roles, markers)}
    assert parts == {".": ["app/serve.py", "notebooks/explore.ipynb", "src/train.py"],
                     "tools/other": ["tools/other/train.py"]}
    # the same folders without the declaration at the top are a folder of projects
    assert len(partition(roles, {"tools/other": ["pyproject.toml"]})) > 2


def test_a_python_package_is_one_project_whatever_its_subpackages_hold():
    roles = {"lib/__init__.py": "other", "lib/cluster/__init__.py": "other", "lib/cluster/tests/test_k.py": "training",
             "lib/linear/__init__.py": "other", "lib/linear/tests/test_l.py": "training"}
    assert [u.root for u in partition(roles, {})] == ["."]
