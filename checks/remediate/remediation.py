"""The remediation of a finding: the deterministic one, or the model's when a client is given and
its answer passes the validators (cites only what exists, its code parses and no longer triggers
the rule)."""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from wicked_data.checks.models import Finding, Remediation, Review
from wicked_data.checks.remediate.generate import Outcome, generate
from wicked_data.checks.remediate.knowledge import explanation, template_remediation
from wicked_data.checks.remediate.prompts import render
from wicked_data.checks.remediate.validators import check_remediation, import_context


class RemediationDraft(BaseModel):
    summary: str = Field(description="Why the finding matters here and what to do, 2 to 5 sentences")
    code: str | None = Field(description="Corrected Python for the flagged statement, or null")


def remediation_for(finding: Finding, review: Review, client=None) -> Remediation:
    """The remediation to show for `finding` (the model's when a client is given and it validates)."""
    return remediate(finding, review, client)[0]


def remediate(finding: Finding, review: Review, client=None) -> tuple[Remediation, Outcome | None]:
    """The remediation and, when the model was asked, the outcome (notice, usage, complaints)."""
    template = template_remediation(finding, review)
    if client is None:
        return template, None
    context = import_context(Path(review.root) / finding.file)
    advice, example = explanation(finding.rule)
    task = render("remediation", finding=finding, advice=advice, example=example, template_code=template.code,
                  imports=context.replace("\n", "; "))
    outcome = generate(client, task=task, schema=RemediationDraft, tool_name="write_remediation",
                       tool_description="Return the explanation and the corrected code for one finding.",
                       validate=lambda d: check_remediation(d.summary, d.code, finding, review, context))
    if outcome.value is None:
        return template, outcome
    draft = outcome.value
    return Remediation(summary=draft.summary, code=draft.code, diff=template.diff, source="llm"), outcome


def with_remediations(review: Review, client=None) -> tuple[Review, list[str]]:
    """The review with a remediation on every finding, and the notices of fallbacks."""
    findings, notices = [], []
    for finding in review.findings:
        remediation, outcome = remediate(finding, review, client)
        if outcome is not None and outcome.notice:
            notices.append(f"{finding.id}: {outcome.notice}")
            if outcome.unreachable:
                client = None  # the remaining findings get the deterministic version at once
        findings.append(finding.model_copy(update={"remediation": remediation}))
    return review.model_copy(update={"findings": findings}), notices
