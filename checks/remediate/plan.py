"""The prioritised plan: one recommendation per rule that fired, most severe first, each starting
with an action and naming the findings it resolves."""
from __future__ import annotations

from pydantic import BaseModel

from wicked_data.checks.models import Finding, Review, Severity
from wicked_data.checks.remediate.knowledge import action


class Recommendation(BaseModel):
    action: str  # imperative, e.g. "Stratify the split by the label"
    rule: str
    name: str
    severity: Severity
    finding_ids: list[str]
    locations: list[str]  # "model.py:12"
    why: str  # the first finding's message

    @property
    def line(self) -> str:
        """One Markdown list item (without its number)."""
        where = ", ".join(f"{i} ({loc})" for i, loc in zip(self.finding_ids, self.locations))
        return f"**{self.action}** ({self.severity.value}, {self.rule} {self.name}: {where})."


def plan(review: Review) -> list[Recommendation]:
    """Recommendations ordered by severity, then by rule id (data handling before evaluation, before
    feature engineering, before production: the order a fix is best made in)."""
    by_rule: dict[str, list[Finding]] = {}
    for finding in review.findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    recommendations = []
    for rule, findings in by_rule.items():
        findings = sorted(findings, key=lambda f: (f.severity.rank, f.file, f.line))
        recommendations.append(Recommendation(
            action=action(rule), rule=rule, name=findings[0].name, severity=findings[0].severity,
            finding_ids=[f.id for f in findings], locations=[f.where for f in findings],
            why=findings[0].message,
        ))
    recommendations.sort(key=lambda r: (r.severity.rank, r.rule))
    return recommendations


def render_plan(recommendations: list[Recommendation]) -> str:
    """The plan as a numbered Markdown list."""
    return "\n".join(f"{n}. {r.line}" for n, r in enumerate(recommendations, start=1))
