"""The benchmark harness (bench/run.py) on a tiny generated corpus, with no peers, so it cannot rot
unnoticed between full runs of scripts/bench."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "run.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_run", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_generated_projects_have_the_size_asked_and_distinct_modules(bench, tmp_path):
    corpus = bench.generate_projects(5, tmp_path / "gen", "generated-5")
    assert len(corpus.files) == 5 and corpus.lines > 0
    assert all(f.suffix == ".py" and f.exists() for f in corpus.files)
    assert len({f.read_text() for f in corpus.files}) == 5


def test_renaming_modules_keeps_the_layout_and_comments(bench):
    text = "import features  # the helpers\nx = features.build(  1)\nfeatures_extra = 2\n"
    assert bench.rename_modules(text, {"features": "features_c3"}) == \
        "import features_c3  # the helpers\nx = features_c3.build(  1)\nfeatures_extra = 2\n"


def test_a_run_on_a_tiny_corpus_measures_floor_and_reviews(bench, tmp_path):
    corpus = bench.generate_projects(3, tmp_path / "gen", "generated-3")
    (corpus.root / "broken.py").write_text("def f(:\n")
    corpus.files.append(corpus.root / "broken.py")
    work = tmp_path / "work"
    work.mkdir()
    bench.snapshot_engine(work)
    runs = bench.bench_corpus(corpus, work, peers={}, timeout=120)
    floor, cold, warm = runs
    assert floor.extra == {"files": 4, "parsed": 3, "invalid": 1}
    assert cold.ok and warm.ok and cold.wall > 0 and cold.cpu > 0 and cold.tree_mb >= cold.max_process_mb > 0
    assert cold.extra["files"] == 4 and cold.extra["invalid_python_errors"] == 1 and cold.extra["internal_errors"] == []
    assert warm.extra["findings"] == cold.extra["findings"]
    text = bench.table(corpus, runs)
    assert "wicked-data cold" in text and "1 errors on files that are not valid Python 3, 0 internal errors" in text
    met = {what: ok for what, ok, _ in bench.targets(runs, linearity=None)}
    assert met["no internal error"] is True


def test_repeated_rounds_keep_the_fastest_with_the_range(bench, tmp_path):
    corpus = bench.generate_projects(2, tmp_path / "gen", "generated-2")
    work = tmp_path / "work"
    work.mkdir()
    floor, cold, warm = bench.bench_corpus(corpus, work, peers={}, timeout=120, repeat=2)
    for run in (floor, cold, warm):
        low, high = (float(x) for x in run.note.split("fastest of 2: ")[1].removesuffix(" s").split("-"))
        assert round(run.wall, 2) == low <= high
    assert cold.extra["findings"] == warm.extra["findings"] > 0
    assert len(list(work.glob("cache-generated-2-*"))) == 2  # each round's cold review had a cache of its own
    slow = bench.Measure("t", 2.0, 1.0, 1, 1, 0)
    quick = bench.Measure("t", 1.0, 1.0, 1, 1, 0)
    failed = bench.Measure("t", 0.1, 0.1, 1, 1, 0, timed_out=True)
    assert bench.fastest([slow, failed, quick]) is quick and quick.note == "fastest of 3: 1.00-2.00 s"


def test_stages_account_for_every_file_and_rule(bench, tmp_path):
    corpus = bench.generate_projects(3, tmp_path / "gen", "generated-3")
    work = tmp_path / "work"
    work.mkdir()
    stages = bench.run_stages(corpus, work, timeout=120)
    assert stages["files"] == 3 and list(stages["stages"]) == [
        "read and decode", "parse", "flow analysis", "syntax facts", "rules", "project facts", "garbage collection"]
    assert stages["stages"]["parse"] > 0 and stages["stages"]["flow analysis"] > 0
    from wicked_data.checks.rules.base import ProjectRule, registry

    assert set(stages["rules"]) == {r for r, cls in registry().items() if not issubclass(cls, ProjectRule)}
    text = bench.stages_table(corpus, stages)
    assert "where the time goes: generated-3" in text and "garbage collection" in text and "busiest rules" in text


def test_measure_reports_a_timeout(bench, tmp_path):
    run = bench.measure("sleeper", [sys.executable, "-c", "import time; time.sleep(30)"], cwd=tmp_path, timeout=0.5)
    assert run.timed_out and not run.ok and run.wall < 10
