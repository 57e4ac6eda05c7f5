"""`coverage` in a review: what each rule covered, and what the analysis could not see."""
import textwrap

from wicked_data.checks import review
from wicked_data.checks.config import Config
from wicked_data.checks.rules.base import registry
from tests.conftest import REPO

CHURN = REPO / "scenarios" / "churn_predictor" / "workspace"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_every_rule_has_a_status_and_silence_is_not_a_pass():
    cover = review([CHURN], Config(cache=False)).coverage
    assert set(cover.rules) == set(registry())
    found = {f.rule for f in review([CHURN], Config(cache=False)).findings}
    assert {r for r, s in cover.rules.items() if s == "found"} == found
    assert cover.projects and set(cover.projects[0].files) == {"config.yaml", "model.py", "predict.py"}


def test_deselected_rules_are_not_run_and_filtered_findings_are_not_passes():
    only = review([CHURN], Config(cache=False, select=["ML1"])).coverage
    assert all(s == "not-run" for r, s in only.rules.items() if not r.startswith("ML1"))
    assert only.rules["ML101"] == "found"
    severe = review([CHURN], Config(cache=False, min_severity="P1"))
    assert "ML207" not in {f.rule for f in severe.findings}  # a P3 rule hidden by the filter...
    assert severe.coverage.rules["ML207"] == "found"  # ...found something: it did not pass


def test_rules_that_do_not_apply_say_so(tmp_path):
    write(tmp_path, "util.py", """
        def slugify(text):
            return "-".join(text.lower().split())
        """)
    rules = review([tmp_path], Config(cache=False)).coverage.rules
    assert rules["ML102"] == rules["ML208"] == rules["ML505"] == rules["ML301"] == "not-applicable"


def test_a_split_without_problems_passes_the_leakage_rules(tmp_path):
    write(tmp_path, "train.py", """
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import train_test_split
        X_a, X_b, y_a, y_b = train_test_split(X, y, stratify=y, random_state=0)
        LogisticRegression().fit(X_a, y_a)
        """)
    rules = review([tmp_path], Config(cache=False)).coverage.rules
    assert rules["ML102"] == rules["ML103"] == "passed"
    assert rules["ML503"] == "not-applicable"


def test_blind_spots_name_unmodelled_libraries_dynamic_code_and_unparsable_files(tmp_path):
    write(tmp_path, "prep.py", """
        import polars as pl
        import h2o
        from sklearn.linear_model import LogisticRegression
        frame = pl.read_csv("rows.csv")
        exec(open("more_steps.py").read())
        LogisticRegression().fit(frame.select(["a"]).to_numpy(), frame["y"].to_numpy())
        """)
    write(tmp_path, "broken.py", "def f(:\n")
    spots = review([tmp_path], Config(cache=False)).coverage.blind_spots
    notes = {(s.file, s.line): s.note for s in spots}
    # polars has a table but its expressions are not traced: partly modelled; h2o has no table
    assert "polars" in notes[("prep.py", 2)] and "partly modelled" in notes[("prep.py", 2)]
    assert "H2O" in notes[("prep.py", 3)] and "not modelled" in notes[("prep.py", 3)]
    assert "exec" in notes[("prep.py", 6)]
    assert any(s.file == "broken.py" for s in spots)


def test_an_analysis_limit_is_reported_not_taken_for_safe(tmp_path):
    terms = "pd.concat([" + ", ".join(f'rows["m{i}"]' for i in range(500)) + "], axis=1).sum(axis=1)"
    write(tmp_path, "score.py", f"""
import pandas as pd
from sklearn.linear_model import LogisticRegression
rows = pd.read_csv("rows.csv")
rows["total"] = {terms}
LogisticRegression().fit(rows.drop(columns=["label"]), rows["label"])
""")
    spots = review([tmp_path], Config(cache=False)).coverage.blind_spots
    assert any("analysis limit reached" in s.note and s.file == "score.py" for s in spots)


def test_a_review_served_from_the_cache_keeps_its_coverage(tmp_path):
    write(tmp_path, "prep.py", """
        import polars as pl
        frame = pl.read_csv("rows.csv")
        """)
    cache = tmp_path.parent / (tmp_path.name + "-cache")
    cold = review([tmp_path], Config(), cache_dir=cache)
    warm = review([tmp_path], Config(), cache_dir=cache)
    assert cold.coverage == warm.coverage and cold.coverage.blind_spots


def test_text_output_lists_the_blind_spots(tmp_path):
    from wicked_data.checks.formats import text

    write(tmp_path, "prep.py", """
        import polars as pl
        frame = pl.read_csv("rows.csv")
        """)
    out = text.render(review([tmp_path], Config(cache=False)))
    assert "blind spots: 1 place" in out and "prep.py:2 polars" in out


def test_a_cached_result_of_the_wrong_shape_is_analysed_again(tmp_path):
    """Valid JSON of another shape in the cache (damaged, hand-edited, an older layout) must not
    crash a later review or change its findings: the file is analysed again."""
    import json

    work = tmp_path / "proj"
    work.mkdir()
    for name in ("model.py", "predict.py", "config.yaml"):
        (work / name).write_text((CHURN / name).read_text())
    cache = tmp_path / "cache"
    first = review([work], Config(), cache_dir=cache)
    from wicked_data.checks.cache import _digest

    def rewrite(path, change):  # damage the file's digest cannot see: only the shape checks catch it
        data = json.loads(path.read_bytes().split(b"\n", 1)[1])
        change(data)
        text = json.dumps(data).encode()
        path.write_bytes(_digest(text).encode() + b"\n" + text)

    (store,) = [p for p in cache.glob("*.json") if not p.name.endswith(".review.json")]

    def spoil(data):
        data["files"]["model.py"]["result"]["facts"] = {"training": "not a dict"}
        data["files"]["predict.py"]["result"]["findings"] = [{"rule": 7}]

    rewrite(store, spoil)
    for snapshot in cache.glob("*.review.json"):
        rewrite(snapshot, lambda snap: snap["results"][0][1].__setitem__("applies", "ML1"))
    again = review([work], Config(), cache_dir=cache)
    assert again.findings == first.findings and not again.errors


def test_every_result_the_engine_makes_fits_the_stored_schema():
    from wicked_data.checks.engine import _analyse_file
    from wicked_data.checks.results_schema import FileResult

    for path in sorted(CHURN.iterdir()):
        FileResult.model_validate(_analyse_file(path, path.name, None, 2_000_000))
