"""The engine end to end: the seed scenario, the JSON contract, bad input, isolation, filters, cache."""
import json
import os
import sys
from pathlib import Path

import pytest

from wicked_data.checks import engine, review
from wicked_data.checks.cache import _digest
from wicked_data.checks.config import Config
from wicked_data.checks.rules.base import registry
from tests.conftest import REPO
from tests.examples import notebook

CHURN = REPO / "scenarios" / "churn_predictor" / "workspace"


def places(result, rule=None):
    return {(f.rule, f.file, f.line) for f in result.findings if rule is None or f.rule == rule}


def test_bundled_churn_workspace_is_the_seed(tmp_path):
    import subprocess
    subprocess.run([sys.executable, str(REPO.parent / "shared/tools/seed_workspace.py"), str(tmp_path)], check=True,
                   capture_output=True)
    for name in ("model.py", "predict.py", "config.yaml"):
        assert (CHURN / name).read_text() == (tmp_path / name).read_text()


def test_seed_leakage_findings():
    found = places(review([CHURN], Config(cache=False, select=["ML1"])))
    assert {("ML101", "model.py", 12), ("ML101", "model.py", 14), ("ML108", "model.py", 17),
            ("ML105", "model.py", 26)} <= found
    assert not {f for f in found if f[0] in ("ML102", "ML103", "ML104", "ML106", "ML107")}


def test_seed_evaluation_findings():
    found = places(review([CHURN], Config(cache=False, select=["ML2"])))
    assert {("ML201", "model.py", 34), ("ML202", "model.py", 29), ("ML203", "model.py", 26),
            ("ML204", "model.py", 34), ("ML205", "model.py", 33), ("ML206", "model.py", 26),
            ("ML207", "model.py", 26)} <= found
    assert not {f for f in found if f[0] == "ML208"}


def test_seed_predict_file_gets_no_training_findings():
    result = review([CHURN], Config(cache=False, select=["ML1", "ML2"]))
    assert not [f for f in result.findings if f.file == "predict.py"]


def test_seed_skew_findings():
    result = review([CHURN], Config(cache=False, select=["ML3"]))
    skew = {(f.rule, f.file, f.line, tuple((r.file, r.line) for r in f.related)) for f in result.findings}
    assert {("ML301", "predict.py", 15, (("model.py", 13),)), ("ML301", "predict.py", 12, (("model.py", 12),)),
            ("ML301", "predict.py", 16, (("model.py", 14),)), ("ML301", "predict.py", 11, (("model.py", 17),))} <= skew
    [avg] = [f for f in result.findings if f.rule == "ML301" and "avg_order_value" in f.message]
    assert "ZeroDivisionError" in avg.message and "order_count" in avg.message


def test_code_off_the_service_gets_no_serving_findings(tmp_path):
    """A project that serves from a FastAPI module: a package helper nothing calls, a class only its
    test uses and a `__main__` demo script are not served, so the serving rules say nothing there;
    the same helper called by the route is served again."""
    import shutil

    case = REPO / "tests" / "corpus" / "cases" / "case154_tariff_service_unused_paths"
    serving = ["ML404", "ML406", "ML407", "ML408", "ML507"]
    assert not places(review([case], Config(cache=False, select=serving)))
    project = tmp_path / "svc"
    shutil.copytree(case, project)
    route = project / "service.py"
    route.write_text(route.read_text().replace("from tariff.bundle import open_bundle",
                                               "from tariff.bundle import open_bundle, rank_households")
                     + "\n\n@app.post('/rank')\ndef rank(items: list) -> list:\n"
                       "    return list(rank_households(state['bundle'], items))\n")
    found = places(review([project], Config(cache=False, select=serving)))
    assert {("ML404", "tariff/bundle.py", 25), ("ML406", "tariff/bundle.py", 25)} <= found
    assert not any(f in ("try_one.py", "tariff/whatif.py") for _, f, _ in found)


def test_a_script_exported_from_a_notebook_is_reviewed_despite_its_shell_lines(tmp_path):
    """`!pip install ...` and `%matplotlib inline` at the top of a `.py` (a notebook exported as a
    script) are not Python; they are commented out in place and the rest is analysed."""
    (tmp_path / "exported.py").write_text(
        "!pip3 install -q lightgbm\n%matplotlib inline\nimport pandas as pd\n"
        "from sklearn.preprocessing import StandardScaler\nfrom sklearn.model_selection import train_test_split\n"
        "from sklearn.linear_model import LogisticRegression\nrows = pd.read_csv('rows.csv')\n"
        "scaled = StandardScaler().fit_transform(rows.drop(columns=['y']))\n"
        "a, b, c, d = train_test_split(scaled, rows['y'], random_state=0)\n"
        "print(LogisticRegression().fit(a, c).score(b, d))\n")
    result = review([tmp_path], Config(cache=False, select=["ML102"]))
    assert not result.errors and places(result) == {("ML102", "exported.py", 8)}
    assert result.findings[0].evidence.startswith("scaled = StandardScaler()")


def test_seed_production_findings():
    found = places(review([CHURN], Config(cache=False, select=["ML3", "ML4"])))
    assert {("ML401", "model.py", 38), ("ML402", "predict.py", 6), ("ML404", "predict.py", 21),
            ("ML405", "predict.py", 15), ("ML406", "predict.py", 21), ("ML407", "predict.py", 6),
            ("ML408", "predict.py", 21), ("ML410", "model.py", 9),
            ("ML410", "predict.py", 5), ("ML304", "config.yaml", 1)} <= found


def test_json_contract_and_stable_ids():
    first = review([CHURN], Config(cache=False)).to_json_dict()
    second = review([CHURN], Config(cache=False)).to_json_dict()
    assert first["schema"] == "wicked-data/review@1"
    assert set(first) == {"schema", "tool", "root", "files", "findings", "errors", "coverage"}
    assert [f["id"] for f in first["findings"]] == [f["id"] for f in second["findings"]]
    assert len({f["id"] for f in first["findings"]}) == len(first["findings"])
    keys = {"id", "rule", "name", "family", "severity", "confidence", "message", "file", "line", "column",
            "end_line", "evidence", "related"}
    for f in first["findings"]:
        assert keys <= set(f) and "cell" not in f
        assert f["id"].startswith(f["rule"] + "-")
        source = (CHURN / f["file"]).read_text().splitlines()
        assert f["evidence"].splitlines()[0].strip() == source[f["line"] - 1].strip()
    roles = {e["path"]: e["role"] for e in first["files"]}
    assert roles == {"model.py": "training", "predict.py": "inference", "config.yaml": "config"}


BAD_INPUTS = {
    "syntax.py": b"def broken(:\n    pass\n",
    "py2.py": b"print 'hello'\n",
    "latin1.py": "x = 'caf\xe9'\n".encode("latin-1"),
    "binary.py": b"\x00\x01\x02\x03binary",
    "broken.ipynb": b"{not json",
    "nocells.ipynb": b'{"nbformat": 4}',
}


def test_bad_input_becomes_errors_and_the_rest_is_reviewed(tmp_path):
    for name, data in BAD_INPUTS.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "empty.py").write_bytes(b"")
    (tmp_path / "huge.py").write_bytes(b"x = 1\n" * 50)
    (tmp_path / "good.py").write_text("import pandas as pd\ndf = pd.read_csv('a.csv')\ndf = df.fillna(0)\n")
    (tmp_path / "loop").mkdir()
    os.symlink(tmp_path, tmp_path / "loop" / "back")
    os.symlink(tmp_path / "self_a.py", tmp_path / "self_b.py")
    os.symlink(tmp_path / "self_b.py", tmp_path / "self_a.py")
    os.symlink(tmp_path / "missing.py", tmp_path / "dangling.py")
    result = review([tmp_path], Config(cache=False, max_file_size=200))
    errors = {e.file: e.message for e in result.errors}
    assert "syntax error at line 1" in errors["syntax.py"]
    assert "Python 2" in errors["py2.py"]
    assert "not valid UTF-8" in errors["latin1.py"]
    assert "binary" in errors["binary.py"]
    assert "malformed notebook" in errors["broken.ipynb"] and "malformed notebook" in errors["nocells.ipynb"]
    assert "limit" in errors["huge.py"]
    assert "symlink loop" in errors["self_a.py"] and "dangling" in errors["dangling.py"]
    assert any("symlink loop" in m for f, m in errors.items() if f.startswith("loop"))
    assert "empty.py" not in errors
    assert ("ML108", "good.py", 3) in places(result)


def test_unreadable_file(tmp_path, monkeypatch):
    (tmp_path / "secret.py").write_text("x = 1\n")
    (tmp_path / "good.py").write_text("import pandas as pd\ndf = pd.read_csv('a.csv').fillna(0)\n")
    import wicked_data.checks.analysis.source as source

    def deny(path, *args, **kw):
        if Path(path).name == "secret.py":
            raise PermissionError(13, "Permission denied")
        return open(path, *args, **kw)

    monkeypatch.setattr(source, "open", deny, raising=False)  # the reader's `open`, as a root-run CI cannot chmod
    result = review([tmp_path], Config(cache=False))
    assert "permission denied" in {e.file: e.message for e in result.errors}["secret.py"]
    assert places(result, "ML108")


def test_reviewed_code_is_never_imported_or_run(tmp_path):
    marker = tmp_path / "ran"
    payload = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\nraise SystemExit(3)\n"
    (tmp_path / "evil_module_xyz.py").write_text(payload)
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook([payload])))
    (tmp_path / "conftest.py").write_text(payload)
    review([tmp_path], Config(cache=False, jobs=1))
    assert not marker.exists()
    assert "evil_module_xyz" not in sys.modules


def test_one_rule_crashing_costs_no_other_finding(monkeypatch):
    rule = registry()["ML108"]

    def boom(self, module):
        raise ValueError("synthetic failure")
        yield  # pragma: no cover

    monkeypatch.setattr(rule, "check", boom)
    result = review([CHURN], Config(cache=False))
    assert any("internal error in rule ML108" in e.message and e.file == "model.py" for e in result.errors)
    assert ("ML101", "model.py", 12) in places(result)


def test_notebook_findings_map_to_cells(tmp_path):
    cells = ["# setup\nimport pandas as pd\n%matplotlib inline", "df = pd.read_csv('x.csv')\n!ls\ndf = df.fillna(0)"]
    nb = notebook(cells)
    nb["cells"].insert(1, {"cell_type": "markdown", "metadata": {}, "source": ["# Title"]})
    (tmp_path / "eda.ipynb").write_text(json.dumps(nb))
    result = review([tmp_path], Config(cache=False))
    [finding] = [f for f in result.findings if f.rule == "ML108"]
    assert (finding.line, finding.cell, finding.cell_line) == (6, 3, 3)
    assert finding.evidence == "df = df.fillna(0)"
    assert {e.path: e.role for e in result.files} == {"eda.ipynb": "notebook"}


def test_inline_suppression(tmp_path):
    (tmp_path / "a.py").write_text(
        "import pandas as pd\n"
        "df = pd.read_csv('a.csv').fillna(0)  # wicked-data: ignore[ML108]\n"
        "other = pd.read_csv('b.csv').fillna(-1)  # wicked-data: ignore[ML1]\n"
        "third = pd.read_csv('c.csv').fillna(-2)  # wicked-data: ignore[ML101]\n"
        "fourth = pd.read_csv('d.csv').fillna(-3)  # wicked-data: ignore\n")
    assert places(review([tmp_path], Config(cache=False)), "ML108") == {("ML108", "a.py", 4)}


def test_pyproject_config_is_validated(tmp_path):
    from wicked_data.checks.config import ConfigError, load_project_config
    (tmp_path / "pyproject.toml").write_text('[tool.wicked-data]\nignore = ["ML108"]\nmin-severity = "P2"\n')
    config = load_project_config(tmp_path)
    assert config.ignore == ["ML108"] and config.min_severity.value == "P2"
    (tmp_path / "pyproject.toml").write_text('[tool.wicked-data]\nignor = ["ML108"]\n')
    with pytest.raises(ConfigError, match="ignor"):
        load_project_config(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.wicked-data]\nselect = ["F401"]\n')
    with pytest.raises(ConfigError, match="F401"):
        load_project_config(tmp_path)


def test_filters_select_ignore_severity():
    full = review([CHURN], Config(cache=False))
    only_ml1 = review([CHURN], Config(cache=False, select=["ML1"]))
    assert only_ml1.findings and all(f.rule.startswith("ML1") for f in only_ml1.findings)
    no_108 = review([CHURN], Config(cache=False, ignore=["ML108"]))
    assert not places(no_108, "ML108") and places(full, "ML108")
    severe = review([CHURN], Config(cache=False, min_severity="P1"))
    assert severe.findings and all(f.severity.value == "P1" for f in severe.findings)


def test_baseline_ignores_line_numbers(tmp_path):
    work = tmp_path / "proj"
    work.mkdir()
    for name in ("model.py", "predict.py"):
        (work / name).write_text((CHURN / name).read_text())
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(review([work], Config(cache=False)).to_json_dict()))
    (work / "model.py").write_text("\n\n# moved down\n" + (CHURN / "model.py").read_text())
    assert review([work], Config(cache=False), baseline=baseline).findings == []
    (work / "model.py").write_text((work / "model.py").read_text() + "\nextra = df.fillna(0)\nextra.to_csv(OUT_PATH)\n")
    assert places(review([work], Config(cache=False), baseline=baseline)) == {("ML108", "model.py", 45)}


def test_cache_serves_unchanged_files(tmp_path, monkeypatch):
    work = tmp_path / "proj"
    work.mkdir()
    (work / "model.py").write_text((CHURN / "model.py").read_text())
    cache_dir = tmp_path / "cache"
    first = review([work], Config(), cache_dir=cache_dir)
    monkeypatch.setattr(engine, "analyse_file", lambda *a, **k: pytest.fail("cache miss on an unchanged file"))
    second = review([work], Config(), cache_dir=cache_dir)
    assert second.findings == first.findings


def _age(folder: Path, seconds: int = 60) -> None:
    """Date every file back, as files untouched since before the review (a file written within the
    last two seconds is never vouched for by its size and modification time)."""
    past = int(os.path.getmtime(folder)) - seconds
    for path in folder.rglob("*"):
        os.utime(path, (past, past))


def _project_copy(tmp_path: Path) -> Path:
    import shutil

    work = tmp_path / "proj"
    shutil.copytree(CHURN, work)
    _age(work)
    return work


def test_unchanged_project_is_served_whole_from_the_snapshot(tmp_path, monkeypatch):
    work, cache_dir = _project_copy(tmp_path), tmp_path / "cache"
    first = review([work], Config(), cache_dir=cache_dir)
    monkeypatch.setattr(engine, "_analyse_all", lambda *a, **k: pytest.fail("files analysed or looked up again"))
    monkeypatch.setattr(engine, "_project_findings", lambda *a, **k: pytest.fail("project rules run again"))
    second = review([work], Config(), cache_dir=cache_dir)
    assert second == first and any(f.rule.startswith("ML3") for f in first.findings)  # project findings too
    # the filters still apply to a snapshot: they are not part of it
    assert {f.rule for f in review([work], Config(select=["ML2"]), cache_dir=cache_dir).findings} <= \
        {f.rule for f in first.findings if f.rule.startswith("ML2")}


def test_snapshot_follows_every_change_to_the_files(tmp_path):
    work, cache_dir = _project_copy(tmp_path), tmp_path / "cache"
    base = review([work], Config(), cache_dir=cache_dir)
    assert places(base, "ML108") == {("ML108", "model.py", 17)}

    def fresh():
        return review([work], Config(cache=False))

    # an edit (dated in the past as well, so only the size and the content changed)
    model = work / "model.py"
    model.write_text(model.read_text().replace("df.fillna(0)", "df.fillna(df.median())"))
    _age(work, 30)
    edited = review([work], Config(), cache_dir=cache_dir)
    assert edited == fresh() and edited != base
    # a new file, then the same file removed
    (work / "extra.py").write_text("import pandas as pd\ndf = pd.read_csv('x.csv')\ndf = df.fillna(-1)\n")
    _age(work, 20)
    added = review([work], Config(), cache_dir=cache_dir)
    assert added == fresh() and ("ML108", "extra.py", 3) in places(added, "ML108")
    (work / "extra.py").unlink()
    assert review([work], Config(), cache_dir=cache_dir) == fresh() == edited
    # a file excluded by the configuration
    assert review([work], Config(exclude=["predict.py"]), cache_dir=cache_dir) == \
        review([work], Config(cache=False, exclude=["predict.py"]))


def test_a_damaged_snapshot_costs_only_time(tmp_path):
    work, cache_dir = _project_copy(tmp_path), tmp_path / "cache"
    first = review([work], Config(), cache_dir=cache_dir)
    (snapshot,) = cache_dir.glob("*.review.json")
    digest, body = snapshot.read_bytes().split(b"\n", 1)
    for damage in ({"findings": [{"rule": 3}]}, {"results": [["model.py", "not a result"]]}, {"results": 7}):
        data = json.dumps({**json.loads(body), **damage}).encode()
        snapshot.write_bytes(_digest(data).encode() + b"\n" + data)  # damage the digest cannot see
        assert review([work], Config(), cache_dir=cache_dir) == first
        snapshot.write_bytes(digest + b"\n" + data)  # and damage it can
        assert review([work], Config(), cache_dir=cache_dir) == first
    snapshot.write_text("{not json")
    assert review([work], Config(), cache_dir=cache_dir) == first


def test_snapshot_not_trusted_for_a_file_written_just_now(tmp_path, monkeypatch):
    work, cache_dir = _project_copy(tmp_path), tmp_path / "cache"
    review([work], Config(), cache_dir=cache_dir)
    model = work / "model.py"
    model.write_text(model.read_text())  # same size, same content, modified now
    calls = []
    analyse_all = engine._analyse_all
    monkeypatch.setattr(engine, "_analyse_all", lambda *a, **k: calls.append(1) or analyse_all(*a, **k))
    review([work], Config(), cache_dir=cache_dir)
    assert calls == [1]


def test_review_served_from_the_cache_loads_no_analysis(tmp_path):
    """A warm review of unchanged files starts the interpreter, reads the snapshot and prints: the
    analysis and the rules are not imported at all."""
    import subprocess

    work = _project_copy(tmp_path)
    env = {**os.environ, "WICKED_DATA_CACHE_DIR": str(tmp_path / "cache")}
    script = ("import sys, checks.cli; code = checks.cli.main(['review', sys.argv[1], '--format', 'json']); "
              "print(sorted(m for m in sys.modules if m.startswith(('wicked_data.checks.analysis.', 'wicked_data.checks.rules.'))), file=sys.stderr)")
    runs = [subprocess.run([sys.executable, "-c", script, str(work)], capture_output=True, text=True, env=env, cwd=REPO)
            for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout and json.loads(runs[1].stdout)["findings"]
    assert "wicked_data.checks.analysis.flow" in runs[0].stderr
    assert runs[1].stderr.strip() == "['wicked_data.checks.analysis.source', 'wicked_data.checks.rules.base']"


def test_parallel_run_matches_serial(tmp_path):
    for i in range(engine.PARALLEL_THRESHOLD + 2):
        (tmp_path / f"m{i:02d}.py").write_text((CHURN / "model.py").read_text())
    serial = review([tmp_path], Config(cache=False, jobs=1))
    parallel = review([tmp_path], Config(cache=False, jobs=2))
    assert serial.findings == parallel.findings and serial.findings


def test_findings_do_not_depend_on_hash_randomisation():
    """Set iteration order changes with PYTHONHASHSEED; the findings must not."""
    import subprocess
    import sys

    from tests.conftest import REPO

    outputs = []
    for seed in ("1", "2"):
        proc = subprocess.run([sys.executable, "-m", "wicked_data.checks", "review", str(REPO / "tests" / "corpus" / "cases"),
                               str(REPO / "scenarios"), "--format", "json", "--no-cache", "--jobs", "1"],
                              capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed}, cwd=REPO)
        assert proc.returncode in (0, 1), proc.stderr
        outputs.append(sorted((f["id"], f["line"], f["message"]) for f in json.loads(proc.stdout)["findings"]))
    assert outputs[0] == outputs[1]
