"""The command line as a user runs it: a subprocess, exit codes, stdout/stderr discipline."""
import json
import subprocess
import sys

from tests.conftest import REPO

CHURN = REPO / "scenarios" / "churn_predictor" / "workspace"


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "checks", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or REPO)


def test_review_text_exit_1_with_findings():
    proc = run("review", CHURN)
    assert proc.returncode == 1
    assert "ML101 [P1]" in proc.stdout and "--> model.py:12:1" in proc.stdout
    assert "Found" in proc.stdout


def test_review_json_is_the_only_stdout():
    proc = run("review", CHURN, "--format", "json")
    data = json.loads(proc.stdout)
    assert data["schema"] == "wicked-data/review@1" and data["findings"]


def test_clean_code_exits_0(tmp_path):
    (tmp_path / "ok.py").write_text("def add(a, b):\n    return a + b\n")
    proc = run("review", tmp_path)
    assert proc.returncode == 0 and "No findings" in proc.stdout


def test_select_min_severity_output(tmp_path):
    out = tmp_path / "report.md"
    proc = run("review", CHURN, "--select", "ML1", "--min-severity", "P1", "--format", "markdown", "--output", out)
    assert proc.returncode == 1 and proc.stdout == ""
    text = out.read_text()
    assert "ML101" in text and "ML108" not in text


def test_errors_exit_2(tmp_path):
    assert run("review", tmp_path / "nope").returncode == 2
    (tmp_path / "pyproject.toml").write_text("[tool.wicked-data]\nseverity = 'P1'\n")
    (tmp_path / "a.py").write_text("x = 1\n")
    proc = run("review", tmp_path)
    assert proc.returncode == 2 and "severity" in proc.stderr
    assert run("review", CHURN, "--select", "XX1").returncode == 2
    assert run("explain", "ML999").returncode == 2


def test_rules_and_explain():
    proc = run("rules", "--format", "json")
    ids = [r["id"] for r in json.loads(proc.stdout)]
    assert ids == sorted(ids) and {"ML101", "ML109"} <= set(ids)
    proc = run("explain", "wall-clock-feature")
    assert proc.returncode == 0 and "## Why is this bad?" in proc.stdout and "ML101" in proc.stdout


def test_sarif_and_github_formats():
    sarif = json.loads(run("review", CHURN, "--format", "sarif").stdout)
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    github = run("review", CHURN, "--format", "github").stdout
    assert "::error file=" in github and "model.py,line=12" in github
