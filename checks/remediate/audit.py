"""The narrative of the audit report: an executive summary and one paragraph per family of findings,
for the report renderer to place around its tables."""
from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field

from wicked_data.checks.models import Review, Severity
from wicked_data.checks.remediate.facts import project_name
from wicked_data.checks.remediate.generate import Provenance, generate
from wicked_data.checks.remediate.plan import plan
from wicked_data.checks.remediate.prompts import render
from wicked_data.checks.remediate.validators import check_citations


@dataclass
class AuditNarrative(Provenance):
    summary: str
    families: dict[str, str]


class NarrativeDraft(BaseModel):
    summary: str = Field(description="Executive summary, 3 to 6 sentences")
    families: dict[str, str] = Field(description="One paragraph per family of findings, keyed by family")


def audit_narrative(review: Review, client=None) -> AuditNarrative:
    template = template_narrative(review)
    if client is None:
        return template
    families = sorted(template.families)
    task = render("audit_report", project=project_name(review), files=review.files, families=families,
                  findings=sorted(review.findings, key=lambda f: (f.severity.rank, f.rule)))

    def validate(draft: NarrativeDraft) -> list[str]:
        complaints = check_citations(draft.summary + "\n" + "\n".join(draft.families.values()), review)
        complaints += [f"family {k!r} has no findings; use only {', '.join(families)}"
                       for k in draft.families if k not in families]
        return complaints

    outcome = generate(client, task=task, schema=NarrativeDraft, tool_name="write_audit_narrative",
                       tool_description="Return the executive summary and the per-family paragraphs.",
                       validate=validate)
    if outcome.value is None:
        return AuditNarrative(template.summary, template.families, **outcome.provenance())
    return AuditNarrative(outcome.value.summary, outcome.value.families, **outcome.provenance())


def template_narrative(review: Review) -> AuditNarrative:
    counts = {s: sum(1 for f in review.findings if f.severity is s) for s in Severity}
    steps = plan(review)
    if not review.findings:
        summary = f"No finding in {len(review.files)} files reviewed."
    else:
        first = "; ".join(f"{r.action[:1].lower()}{r.action[1:]} ({', '.join(r.finding_ids[:2])})" for r in steps[:3])
        verdict = "Not ready for production" if counts[Severity.P1] else "No blocking issue"
        summary = (f"{verdict}: {len(review.findings)} findings in {len(review.files)} files "
                   f"({counts[Severity.P1]} P1, {counts[Severity.P2]} P2, {counts[Severity.P3]} P3). "
                   f"First: {first}.")
    families: dict[str, list[str]] = {}
    for r in steps:
        family = next(f.family for f in review.findings if f.rule == r.rule)
        families.setdefault(family, []).append(f"{r.rule} {r.name} ({r.severity.value}, {len(r.finding_ids)}x)")
    return AuditNarrative(summary, {k: "Open: " + "; ".join(v) + "." for k, v in families.items()})
