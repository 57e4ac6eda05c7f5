"""The labelled corpus, scored by the shared scorer: precision and recall >= 0.9 on leakage, data,
evaluation, train/serve-skew, production and serving findings. The corpus was written to be independent of the
rules' own examples."""
import json
import shlex
import subprocess
import sys

from tests.conftest import REPO, SHARED

CORPUS = REPO / "tests" / "corpus"
SCORER = SHARED / "tools" / "score_findings.py"


def _score(only: str) -> subprocess.CompletedProcess:
    cmd = f"{shlex.quote(sys.executable)} -m checks review {{dir}} --format json --no-cache"
    return subprocess.run([sys.executable, str(SCORER), str(CORPUS / "labels.json"), str(CORPUS / "cases"),
                           "--cmd", cmd, "--only", only, "--min-precision", "0.9", "--min-recall", "0.9"],
                          capture_output=True, text=True, cwd=REPO)


def test_corpus_precision_and_recall():
    labels = json.loads((CORPUS / "labels.json").read_text())
    assert len({e["case"] for e in labels}) >= 30
    proc = _score("leakage.,eval.,data.,skew.,prod.")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_corpus_serving_precision_and_recall():
    """The serving cases (case57 on) label ML5xx problems under `serve.*`; an unvalidated request payload
    is scored as `prod.no_input_validation`, with ML404."""
    labels = json.loads((CORPUS / "labels.json").read_text())
    assert any(label["category"].startswith("serve.") for entry in labels for label in entry["labels"])
    proc = _score("serve.")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_corpus_reviews_without_errors():
    from wicked_data.checks import review
    from wicked_data.checks.config import Config

    for case in sorted((CORPUS / "cases").iterdir()):
        result = review([case], Config(cache=False))
        assert result.errors == [], (case.name, result.errors)
