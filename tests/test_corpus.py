"""The labelled corpus, scored by the shared scorer: precision and recall >= 0.9 on leakage, data,
evaluation, train/serve-skew and production findings. The corpus was written to be independent of the rules'
own examples."""
import json
import shlex
import subprocess
import sys

from tests.conftest import REPO, SHARED

CORPUS = REPO / "tests" / "corpus"
SCORER = SHARED / "tools" / "score_findings.py"


def test_corpus_precision_and_recall():
    labels = json.loads((CORPUS / "labels.json").read_text())
    assert len({e["case"] for e in labels}) >= 30
    cmd = f"{shlex.quote(sys.executable)} -m checks review {{dir}} --format json --no-cache"
    proc = subprocess.run([sys.executable, str(SCORER), str(CORPUS / "labels.json"), str(CORPUS / "cases"),
                           "--cmd", cmd, "--only", "leakage.,eval.,data.,skew.,prod.", "--min-precision", "0.9",
                           "--min-recall", "0.9"], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_corpus_reviews_without_errors():
    from checks import review
    from checks.config import Config

    for case in sorted((CORPUS / "cases").iterdir()):
        result = review([case], Config(cache=False))
        assert result.errors == [], (case.name, result.errors)
