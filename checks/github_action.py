"""The GitHub Action's entry (`action.yml` runs `python -m wicked_data.checks.github_action`).

It reviews the project folder the workflow names, writes the SARIF that the next step uploads to
code scanning, prints the findings as workflow annotations, and sets the step's outputs. On a pull
request it first asks git which files changed since the base commit: when none of them is code,
a notebook, SQL or configuration under the folder, the review is skipped (an empty SARIF run is
still written, so the upload step has a file and closes alerts that no longer apply). When some
did, the whole folder is reviewed, not only the changed files, because leakage and skew are found
across files.

Inputs come as the environment variables GitHub gives a composite action's step (`INPUT_*`, set by
`action.yml`); the exit code is the job's verdict: 0 nothing at or above `fail-on`, 1 findings at
or above it, 2 a usage error or a review that could check nothing.
"""
from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from wicked_data.checks import __version__
from wicked_data.checks.engine import REVIEWED_SUFFIXES
from wicked_data.checks.models import Severity

FAIL_ON = ("P1", "P2", "P3", "never")


def main(env: dict[str, str] | None = None) -> int:
    env = dict(os.environ if env is None else env)
    path = env.get("INPUT_PATH") or "."
    sarif = Path(env.get("INPUT_SARIF_FILE") or "wicked-data.sarif")
    fail_on = (env.get("INPUT_FAIL_ON") or "P2").strip()
    fail_on = fail_on if fail_on == "never" else fail_on.upper()
    if fail_on not in FAIL_ON:
        print(f"::error title=wicked-data::fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
        return 2
    try:
        extra = shlex.split(env.get("INPUT_ARGS") or "")
    except ValueError as exc:
        print(f"::error title=wicked-data::cannot read the args input: {exc}")
        return 2
    base = (env.get("INPUT_BASE") or "").strip()
    if base:
        changed = changed_files(base, path)
        if changed is None:
            print(f"::warning title=wicked-data::cannot compare with the base commit {base}; reviewing everything")
        elif not changed:
            print(f"No reviewable file under {path} changed since {base[:12]}: nothing to review.")
            _write_empty_sarif(sarif)
            _outputs(env, findings=0, sarif_file=str(sarif), reviewed="false")
            return 0
    from wicked_data.checks.cli import main as cli

    # The SARIF first (it is what the next step uploads, whatever the verdict), then the same
    # review as annotations: served from the cache, so the code is analysed once.
    code = cli(["review", path, *extra, "--format", "sarif", "--output", str(sarif), "--exit-zero"])
    if code == 2 or not sarif.is_file():
        return 2
    cli(["review", path, *extra, "--format", "github", "--exit-zero"])
    sys.stdout.flush()
    results = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]
    severities = [Severity(r["properties"]["severity"]) for r in results]
    _outputs(env, findings=len(results), sarif_file=str(sarif), reviewed="true")
    if fail_on == "never":
        return 0
    return 1 if any(s.at_least(Severity(fail_on)) for s in severities) else 0


def changed_files(base: str, path: str) -> list[str] | None:
    """The files under `path` changed between `base` and HEAD that the review reads, or None when
    git cannot tell (a shallow clone without the base commit, no git)."""
    try:
        proc = subprocess.run(["git", "diff", "--name-only", f"{base}...HEAD", "--", path],
                              capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    return [name for name in proc.stdout.splitlines() if os.path.splitext(name)[1] in REVIEWED_SUFFIXES]


def _write_empty_sarif(path: Path) -> None:
    run = {"tool": {"driver": {"name": "wicked-data", "version": __version__,
                               "informationUri": "https://github.com/wicked-data/wicked-data", "rules": []}},
           "results": []}
    path.write_text(json.dumps({"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
                                "runs": [run]}, indent=2) + "\n", encoding="utf-8")


def _outputs(env: dict[str, str], **values: object) -> None:
    """The step's outputs, appended to the file GitHub names in GITHUB_OUTPUT (none outside Actions)."""
    target = env.get("GITHUB_OUTPUT")
    if not target:
        return
    with open(target, "a", encoding="utf-8") as handle:
        for key, value in values.items():
            handle.write(f"{key.replace('_', '-')}={value}\n")


if __name__ == "__main__":
    sys.exit(main())
