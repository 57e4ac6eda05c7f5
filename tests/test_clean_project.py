"""A well-made training script, notebook and scoring API (sharing the feature function and the
persisted pipeline) get no P1 or P2 finding."""
from wicked_data.checks import review
from wicked_data.checks.config import Config
from tests.conftest import REPO


def test_clean_project_has_no_serious_findings():
    result = review([REPO / "tests" / "clean_project"], Config(cache=False))
    assert not result.errors
    serious = [f"{f.rule} {f.file}:{f.line} {f.message}" for f in result.findings if f.severity.value in ("P1", "P2")]
    assert serious == []
    assert {e.path: e.role for e in result.files} == {"train.py": "training", "fraud_svm.ipynb": "notebook",
                                                      "serve.py": "serving"}
