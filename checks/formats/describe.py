"""What every human-facing report says about a finding besides its own fields.

Rule documentation is looked up defensively: a review can name a rule this installation does not
register (a review loaded from JSON written by another version), and it must still render, from
what the finding itself carries.
"""
from __future__ import annotations

import posixpath
from collections import Counter

from wicked_data.checks.models import Finding, Review, Severity
from wicked_data.checks.rules.base import Rule, registry


def rule_for(rule_id: str) -> type[Rule] | None:
    return registry().get(rule_id)


def help_line(rule_id: str, fix: str | None = None) -> str:
    """One line of advice: the finding's own fix when it has one, else the first sentence of the
    rule's 'Use instead' prose, else the rule's summary."""
    if fix:
        return fix
    rule = rule_for(rule_id)
    if rule is None:
        return ""
    # The section often leads into a code example; only the prose before it fits on one line.
    prose = rule.section("Use instead").split("```")[0].split("\n\n")[0]
    sentence = " ".join(prose.split()).split(". ")[0].rstrip(".:")
    return f"{sentence}." if sentence else summary(rule)


def summary(rule: type[Rule]) -> str:
    """The rule's one-sentence summary on one line (docstrings are hard-wrapped)."""
    return " ".join(rule.summary().split())


def shown_path(root: str, file: str) -> str:
    """A file as the person who ran the review can open it: the root as given on the command line
    (relative to their working directory, or absolute), then the file."""
    root = root.replace("\\", "/").rstrip("/")
    if root in ("", "."):
        return file
    return posixpath.normpath(f"{root}/{file}")


def cell_label(finding: Finding) -> str:
    """'cell 4, line 2' for a notebook finding, '' otherwise.

    Cells are 1-based, counting every cell, as Jupyter and VS Code show them (the JSON's `cell` too).
    """
    if finding.cell is None:
        return ""
    return f"cell {finding.cell}, line {finding.cell_line}"


def analysed_nothing(review: Review) -> str:
    """Why the review checked no code at all ('' when it checked some): no file to review, or
    every file failed to be read or parsed. That is not a clean review, and no report calls it one."""
    if not review.files:
        return "nothing to review: no Python file, notebook, SQL or configuration file under the given paths"
    failed = {entry.file for entry in review.errors}
    if not review.findings and all(entry.path in failed for entry in review.files):
        return f"nothing analysed: every file ({len(review.files)}) failed to be read or parsed"
    return ""


def severity_counts(findings: list[Finding]) -> dict[Severity, int]:
    """Findings per severity, every severity present, most severe first."""
    counts = Counter(finding.severity for finding in findings)
    return {severity: counts[severity] for severity in Severity}


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


COVERAGE_ORDER = ("found", "passed", "not-applicable", "not-run")
COVERAGE_WORDS = {"found": "found something", "passed": "passed", "not-applicable": "had nothing to check",
                  "not-run": "did not run"}


def coverage_line(review: Review) -> str | None:
    """How many rules found something, passed, had nothing to check or did not run: a quiet review
    is only as clean as the rules that ran."""
    if review.coverage is None or not review.coverage.rules:
        return None
    counts = Counter(review.coverage.rules.values())
    return "rules: " + ", ".join(f"{counts[s]} {COVERAGE_WORDS[s]}" for s in COVERAGE_ORDER if counts[s])
