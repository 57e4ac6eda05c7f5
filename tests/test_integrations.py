"""The ways teams run wicked-data on every change: the pre-commit hook and the GitHub Action.

The hook is run by the real pre-commit (`pre-commit try-repo` on this checkout), which builds the
hook's environment from the checkout with pip, from the local wheelhouse and in a network namespace
with only loopback. The Action's entry script runs as the Action's review step runs it, in a git
repository, and the SARIF it writes is validated against the official schema.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from tests.conftest import REPO
from tests.external import offline, offline_pip_env

CHURN = REPO / "scenarios" / "churn_predictor" / "workspace"
SARIF_SCHEMA = REPO / "tests" / "data" / "sarif-schema-2.1.0.json"
CLEAN = "def add(a, b):\n    return a + b\n"


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, check=True)
    return proc.stdout.strip()


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    """A git repository holding `files`, committed."""
    work = tmp_path / "project"
    work.mkdir()
    for name, text in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "first")
    return work


def churn_files() -> dict[str, str]:
    return {p.name: p.read_text() for p in CHURN.iterdir() if p.is_file()}


# --- the GitHub Action ----------------------------------------------------------------------------

def action() -> dict:
    return yaml.safe_load((REPO / "action.yml").read_text())


def test_action_declares_every_input_it_uses_and_runs_the_entry_script():
    spec = action()
    text = (REPO / "action.yml").read_text()
    used = set(re.findall(r"inputs\.([\w-]+)", text))
    assert used <= set(spec["inputs"]), used - set(spec["inputs"])
    steps = spec["runs"]["steps"]
    assert spec["runs"]["using"] == "composite"
    [review] = [s for s in steps if s.get("id") == "review"]
    assert review["run"] == "python -m wicked_data.checks.github_action"
    # every INPUT_* the script reads is set by the step
    script = (REPO / "checks" / "github_action.py").read_text()
    assert set(re.findall(r'"(INPUT_\w+)"', script)) <= set(review["env"])
    [upload] = [s for s in steps if "upload-sarif" in s.get("uses", "")]
    assert "always()" in upload["if"] and "steps.review.outputs.sarif-file" in upload["with"]["sarif_file"]
    assert set(spec["outputs"]) == {"findings", "sarif-file"}


def run_action(work: Path, **inputs: str) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    outputs = work.parent / "github_output"
    outputs.write_text("")
    env = {**os.environ, "GITHUB_OUTPUT": str(outputs), **{f"INPUT_{k.upper()}": v for k, v in inputs.items()}}
    proc = subprocess.run([sys.executable, "-m", "wicked_data.checks.github_action"], cwd=work, capture_output=True, text=True,
                          env={**env, "PYTHONPATH": str(REPO)}, timeout=600)
    values = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    return proc, values


@pytest.fixture(scope="module")
def sarif_validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SARIF_SCHEMA.read_text()))


def test_action_reviews_the_project_and_writes_a_valid_sarif(tmp_path, sarif_validator):
    work = project(tmp_path, churn_files())
    proc, outputs = run_action(work, path=".", fail_on="P2")
    assert proc.returncode == 1, proc.stderr  # seed 000 has P1 and P2 findings
    sarif = json.loads((work / "wicked-data.sarif").read_text())
    assert [e.message for e in sarif_validator.iter_errors(sarif)] == []
    run = sarif["runs"][0]
    assert len(run["results"]) == int(outputs["findings"]) > 20
    assert outputs["sarif-file"] == "wicked-data.sarif" and outputs["reviewed"] == "true"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == work.resolve().as_uri() + "/"
    assert run["properties"]["coverage"]["rules"]["ML101"] == "found"
    assert "::error file=model.py,line=12" in proc.stdout  # the annotations
    assert run_action(work, fail_on="never")[0].returncode == 0
    assert run_action(work, fail_on="P1", args="--select ML1 --min-severity P1")[0].returncode == 1
    assert run_action(work, fail_on="P1", args="--select ML207")[0].returncode == 0  # P3 only
    bad = run_action(work, fail_on="sometimes")[0]
    assert bad.returncode == 2 and "fail-on must be one of" in bad.stdout


def test_action_skips_when_no_reviewable_file_changed_since_the_base(tmp_path, sarif_validator):
    work = project(tmp_path, {**churn_files(), "README.md": "churn\n"})
    base = git(work, "rev-parse", "HEAD")
    (work / "README.md").write_text("churn model\n")
    git(work, "commit", "-qam", "docs")
    proc, outputs = run_action(work, base=base)
    assert proc.returncode == 0 and "nothing to review" in proc.stdout
    sarif = json.loads((work / "wicked-data.sarif").read_text())
    assert [e.message for e in sarif_validator.iter_errors(sarif)] == [] and sarif["runs"][0]["results"] == []
    assert outputs == {"findings": "0", "sarif-file": "wicked-data.sarif", "reviewed": "false"}
    (work / "predict.py").write_text((work / "predict.py").read_text() + "\n# touched\n")
    git(work, "commit", "-qam", "code")
    proc, outputs = run_action(work, base=base)
    assert proc.returncode == 1 and outputs["reviewed"] == "true" and int(outputs["findings"]) > 20
    proc, outputs = run_action(work, base="0" * 40)  # a base the clone does not have: review all
    assert proc.returncode == 1 and "cannot compare with the base commit" in proc.stdout


# --- pre-commit -----------------------------------------------------------------------------------

def test_pre_commit_hook_definition():
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "wicked-data" and hook["entry"] == "wicked-data review" and hook["language"] == "python"
    assert hook["pass_filenames"] is False and hook["args"] == ["."]  # the folder, not the staged files


def pre_commit(work: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "pre-commit"
    assert exe.exists(), "pre-commit is a test dependency (pyproject.toml [test])"
    env = {**os.environ, **offline_pip_env(), "PRE_COMMIT_HOME": str(home),
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    return subprocess.run(offline([str(exe), "try-repo", str(REPO), "wicked-data", *args]), cwd=work,
                          capture_output=True, text=True, env=env, timeout=1200)


def test_pre_commit_try_repo_runs_the_hook_on_a_sample_project(tmp_path):
    """The real pre-commit installs the hook from this checkout (pip, from the wheelhouse, no
    network) and runs it: seed 000 fails the hook with its findings, clean code passes."""
    if shutil.which("git") is None:
        pytest.fail("the pre-commit test needs git")
    home = tmp_path / "pre-commit-home"
    work = project(tmp_path, churn_files())
    proc = pre_commit(work, home, "--all-files")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "wicked-data review" in output and "Failed" in output and "ML101 [P1]" in output
    shutil.rmtree(work)
    work = project(tmp_path, {"ok.py": CLEAN})
    proc = pre_commit(work, home, "--all-files")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout


# --- packaging: one namespace ---------------------------------------------------------------------

def test_the_package_list_names_every_folder_of_modules():
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = sorted({p.parent.relative_to(REPO).as_posix() for top in ("checks", "server")
                      for p in (REPO / top).rglob("*.py") if "__pycache__" not in p.parts})
    expected = ["wicked_data", *("wicked_data." + f.replace("/", ".") for f in folders)]
    assert sorted(config["packages"]) == sorted(expected)
    assert config["package-dir"] == {"wicked_data": "wicked_data", "wicked_data.checks": "checks",
                                     "wicked_data.server": "server"}


def test_the_wheel_installs_everything_under_wicked_data(tmp_path):
    """Built from the checkout (offline, the build backend from the wheelhouse): every module and
    prompt template is inside `wicked_data/`, nothing named `checks` or `server` at the top, and the
    console script points into the namespace."""
    import zipfile

    env = {**os.environ, **offline_pip_env()}
    proc = subprocess.run(offline([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(tmp_path),
                                   str(REPO)]), capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    [wheel] = tmp_path.glob("wicked_data-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"wicked_data", next(t for t in tops if t.endswith(".dist-info"))}
    modules = {f"wicked_data/{p.relative_to(REPO).as_posix()}" for top in ("checks", "server")
               for p in (REPO / top).rglob("*.py") if "__pycache__" not in p.parts}
    assert modules <= set(names), sorted(modules - set(names))[:5]
    templates = {f"wicked_data/checks/prompts/{p.name}" for p in (REPO / "prompts").glob("*.j2")}
    assert templates and templates <= set(names)
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "wicked-data = wicked_data.checks.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()
