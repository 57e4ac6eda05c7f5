"""The command line as a user runs it: a subprocess, exit codes, stdout/stderr discipline."""
import json
import subprocess
import sys

import pytest

from tests.conftest import REPO

CHURN = REPO / "scenarios" / "churn_predictor" / "workspace"


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "wicked_data.checks", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or REPO)


def test_review_text_exit_1_with_findings():
    proc = run("review", CHURN)
    assert proc.returncode == 1
    assert "ML101 [P1]" in proc.stdout and f"--> {CHURN}/model.py:12:1" in proc.stdout
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
    findings = text.split("## Coverage")[0]  # (coverage names every rule that found something, filtered or not)
    assert "ML101" in findings and "ML108" not in findings


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


# --- exit codes: 2 with one clear line for every usage or I/O error ------------------------------

def main_run(capsys, *args) -> tuple[int, str, str]:
    """The CLI in-process (no interpreter start): exit code, stdout, stderr."""
    from wicked_data.checks.cli import main

    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("wicked-data: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("args, words", [
    (["review", CHURN, "-o", "{tmp}/missing/report.txt"], "no such directory"),
    (["review", CHURN, "-o", "{tmp}"], "it is a directory"),
    (["model-card", CHURN, "-o", "{tmp}/missing/card.md"], "no such directory"),
    (["eval", "churn_predictor", "-o", "{tmp}/missing/eval.json"], "no such directory"),
    (["review", CHURN, "--select", "ML9"], "ML9 matches no rule"),
    (["review", CHURN, "--ignore", "ML999"], "ML999 matches no rule"),
    (["review", CHURN, "--select", ","], "--select is empty"),
    (["review", CHURN, "--ignore", ""], "--ignore is empty"),
    (["review", CHURN, "--select", "XX1"], "'XX1' is not a rule id"),
    (["review", CHURN, "--format", "sarif", "--remediation"], "--remediation is shown by"),
    (["review", CHURN, "--format", "github", "--remediation"], "--remediation is shown by"),
    (["review", "{tmp}/nope"], "no such file or directory"),
])
def test_usage_and_io_errors_exit_2_with_one_line(capsys, tmp_path, args, words):
    code, out, err = main_run(capsys, *[str(a).replace("{tmp}", str(tmp_path)) for a in args])
    assert code == 2
    assert words in one_error_line(err)


def test_a_review_that_analysed_nothing_is_not_a_success(capsys, tmp_path):
    (tmp_path / "a.py").write_text("def f(:\n")
    (tmp_path / "b.py").write_text("x = (\n")
    code, out, err = main_run(capsys, "review", tmp_path)
    assert code == 2 and "No findings" not in out
    assert "a.py: syntax error" in out and "b.py: syntax error" in out  # the report still says why
    assert "every file (2) failed" in one_error_line(err)
    code, out, err = main_run(capsys, "review", tmp_path, "--format", "sarif")
    assert code == 2 and json.loads(out)["runs"][0]["invocations"][0]["executionSuccessful"] is False
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = main_run(capsys, "review", empty)
    assert code == 2 and "nothing to review" in one_error_line(err)
    (tmp_path / "c.py").write_text("x = 1\n")  # one file that parses: reviewed, clean apart from the errors
    assert main_run(capsys, "review", tmp_path)[0] == 0


def test_selectors_and_severities_are_case_insensitive(capsys, tmp_path):
    upper = main_run(capsys, "review", CHURN, "--select", "ML1,ML2", "--min-severity", "P2", "--format", "json")
    lower = main_run(capsys, "review", CHURN, "--select", " ml1 , ml2", "--min-severity", "p2", "--format", "json")
    assert upper == lower and upper[0] == 1
    assert {f["rule"][:3] for f in json.loads(lower[1])["findings"]} == {"ML1", "ML2"}
    (tmp_path / "pyproject.toml").write_text('[tool.wicked-data]\nselect = ["ml1"]\nmin-severity = "p2"\n'
                                             '[tool.wicked-data.per-file-ignores]\n"*.py" = ["ml101"]\n')
    (tmp_path / "m.py").write_text((CHURN / "model.py").read_text())
    code, out, _ = main_run(capsys, "review", tmp_path, "--format", "json")
    rules = {f["rule"] for f in json.loads(out)["findings"]}
    assert code == 1 and rules and all(r.startswith("ML1") for r in rules) and "ML101" not in rules
    (tmp_path / "pyproject.toml").write_text('[tool.wicked-data.per-file-ignores]\n"*.py" = ["ML777"]\n')
    code, _, err = main_run(capsys, "review", tmp_path)
    assert code == 2 and "ML777 matches no rule" in one_error_line(err)
    assert main_run(capsys, "explain", "ml202")[0] == 0


def test_selectors_are_checked_against_every_rule_without_importing_them():
    from wicked_data.checks.rules.base import registry, rule_ids

    assert rule_ids() == list(registry())


def test_remediation_is_shown_by_text_and_markdown(capsys):
    code, out, _ = main_run(capsys, "review", CHURN, "--select", "ML207", "--remediation")
    assert code == 1 and " = remediation: " in out
    code, out, _ = main_run(capsys, "review", CHURN, "--select", "ML207", "--remediation", "--format", "markdown")
    assert code == 1 and "**Remediation** (from the rule's knowledge)" in out and "```diff" in out
