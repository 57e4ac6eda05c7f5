"""What every human-facing report says about a finding besides its own fields.

Rule documentation is looked up defensively: a review can name a rule this installation does not
register (a review loaded from JSON written by another version), and it must still render, from
what the finding itself carries.
"""
from __future__ import annotations

from collections import Counter

from checks.models import Finding, Severity
from checks.rules.base import Rule, registry


def rule_for(rule_id: str) -> type[Rule] | None:
    return registry().get(rule_id)


def fix_hint(rule_id: str) -> str:
    """The rule's 'Use instead' section, or '' when the rule is unknown or says nothing."""
    rule = rule_for(rule_id)
    return rule.section("Use instead") if rule else ""


def help_line(rule_id: str) -> str:
    """One line of advice: the first sentence of 'Use instead' prose, else the rule's summary."""
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


def cell_label(finding: Finding) -> str:
    """'cell 4, line 2' for a notebook finding, '' otherwise.

    Cells are shown 1-based, as ruff shows them; the JSON keeps the 0-based index.
    """
    if finding.cell is None:
        return ""
    return f"cell {finding.cell}, line {finding.cell_line}"


def severity_counts(findings: list[Finding]) -> dict[Severity, int]:
    """Findings per severity, every severity present, most severe first."""
    counts = Counter(finding.severity for finding in findings)
    return {severity: counts[severity] for severity in Severity}


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
