"""Remediation, model cards, plans and answers, built on the findings of a review.

Everything works offline from deterministic templates filled from the findings and the facts the
code shows; with an LLM client (`checks.llm.LLMClient`), the model writes the prose and every
answer is validated before it is used (one repair round, then the deterministic version).

Plain functions for every surface (CLI, MCP server); `client` is `checks.llm.LLMClient.from_env()`
or None:

    remediation_for(finding, review, client=None) -> Remediation
    remediate(finding, review, client=None) -> (Remediation, Outcome | None)   # + notice, usage
    with_remediations(review, client=None) -> (Review, notices)
    model_card(paths, review, client=None, facts=None) -> ModelCardResult
    validate_model_card(text, review, facts=None) -> list[str]
    plan(review) -> list[Recommendation]; render_plan(recommendations) -> str
    answer(question, review, client=None) -> Answer
    audit_narrative(review, client=None) -> AuditNarrative
    fix_paths(paths, rule, apply=False) -> list[FixResult]
"""
from wicked_data.checks.remediate.answers import Answer, answer
from wicked_data.checks.remediate.audit import AuditNarrative, audit_narrative
from wicked_data.checks.remediate.codemods import FIXABLE, FixResult, fix_paths, fix_source
from wicked_data.checks.remediate.model_card import ModelCardResult, model_card
from wicked_data.checks.remediate.plan import Recommendation, plan, render_plan
from wicked_data.checks.remediate.remediation import remediate, remediation_for, with_remediations
from wicked_data.checks.remediate.validators import validate_model_card

__all__ = ["Answer", "AuditNarrative", "FIXABLE", "FixResult", "ModelCardResult", "Recommendation", "answer",
           "audit_narrative", "fix_paths", "fix_source", "model_card", "plan", "remediate", "remediation_for", "render_plan",
           "validate_model_card", "with_remediations"]
