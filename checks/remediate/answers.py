"""Answers to follow-up questions ("what's wrong with the evaluation?", "how do I fix the leakage?"),
grounded in the review: the question selects findings (by id, rule or family), the answer cites
them, and a "how" question gets their remediations."""
from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, Field

from wicked_data.checks.models import Finding, Review, Severity
from wicked_data.checks.remediate.facts import project_name
from wicked_data.checks.remediate.generate import Provenance, generate
from wicked_data.checks.remediate.knowledge import template_remediation
from wicked_data.checks.remediate.prompts import render
from wicked_data.checks.remediate.validators import FINDING_ID, check_answer

RULE_ID = re.compile(r"\bML\d{3}\b", re.I)
# (words in the question, what they select, how the answer names it); first match wins.
TOPICS = [
    (("leak",), ("ML101", "ML102", "ML103", "ML104", "ML105", "ML106", "ML107", "ML208"), "data leakage"),
    # data handling is what happens to the data in training and at serving: the leakage rules, features
    # computed differently at serving (ML301-ML303), divisions by zero and non-finite values
    (("data handling", "missing value", "null", "fillna", "scaling"), ("ML1", "ML301", "ML302", "ML303", "ML405",
                                                                       "ML508"), "data handling"),
    (("evaluat", "metric", "accuracy", "imbalance", "threshold", "baseline", "cross-valid"), ("ML2",), "evaluation"),
    # feature engineering includes knowing which features the model relies on (ML210)
    (("feature", "skew", "inconsisten", "train/serve", "training and inference"), ("ML3", "ML210"),
     "feature engineering"),
    (("production", "deploy", "ready", "serving", "monitor", "version", "latency", "api", "endpoint"),
     ("ML4", "ML5"), "production readiness"),
]
FIX_WORDS = ("fix", "how do i", "how should i", "how to", "remediat", "resolve", "correct")


@dataclass
class Answer(Provenance):
    text: str
    cited_ids: list[str]
    topic: str


class AnswerDraft(BaseModel):
    text: str = Field(description="The answer in Markdown, citing findings by id and file:line")
    cited_ids: list[str] = Field(description="Every finding id the text cites")


def select(question: str, review: Review) -> tuple[str, list[Finding]]:
    """The topic of the question and the findings it is about, most severe first."""
    q = question.lower()
    ordered = sorted(review.findings, key=lambda f: (f.severity.rank, f.rule, f.file, f.line))
    ids = set(FINDING_ID.findall(question))
    if ids:
        return "the findings asked about", [f for f in ordered if f.id in ids]
    rules = {r.upper() for r in RULE_ID.findall(question)}
    if rules:
        return ", ".join(sorted(rules)), [f for f in ordered if f.rule in rules]
    for words, prefixes, topic in TOPICS:
        if any(w in q for w in words):
            return topic, [f for f in ordered if f.rule.startswith(prefixes)]
    return "the whole review", ordered


def answer(question: str, review: Review, client=None) -> Answer:
    """Answer `question` from the review (the model's answer when a client is given and it validates)."""
    topic, findings = select(question, review)
    wants_fix = any(w in question.lower() for w in FIX_WORDS)
    fixes = [(f.id, template_remediation(f, review)) for f in _one_per_rule(findings)[:3]] if wants_fix else []
    text = template_answer(topic, findings, fixes)
    cited = [f.id for f in findings]
    if client is None:
        return Answer(text, cited, topic)
    task = render("answer", project=project_name(review), topic=topic, question=question, findings=findings, remediations=fixes)
    known = {f.id for f in review.findings}

    def validate(draft: AnswerDraft) -> list[str]:
        complaints = check_answer(draft.text, review)
        complaints += [f"cited_ids lists {i}, which does not exist" for i in draft.cited_ids if i not in known]
        missing = set(FINDING_ID.findall(draft.text)) - set(draft.cited_ids)
        complaints += [f"the text cites {i} but cited_ids does not list it" for i in sorted(missing)]
        return complaints

    outcome = generate(client, task=task, schema=AnswerDraft, tool_name="answer_question",
                       tool_description="Answer the question from the findings.", validate=validate)
    if outcome.value is None:
        return Answer(text, cited, topic, **outcome.provenance())
    return Answer(outcome.value.text, outcome.value.cited_ids, topic, **outcome.provenance())


def _one_per_rule(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        if f.rule not in seen:
            seen.add(f.rule)
            out.append(f)
    return out


def template_answer(topic: str, findings: list[Finding], fixes: list) -> str:
    if not findings:
        return f"The review has no finding about {topic}."
    counts = ", ".join(f"{n} {s.value}" for s in Severity if (n := sum(1 for f in findings if f.severity is s)))
    lines = [f"**{topic[:1].upper()}{topic[1:]}**: {len(findings)} findings ({counts}), most severe first.\n"]
    for f in findings:
        lines.append(f"- **{f.severity.value}** {f.id} `{f.where}` ({f.name}): {f.message}")
    for fid, remediation in fixes:
        lines.append(f"\n**How to fix {fid}**: {remediation.summary}")
        if remediation.code:
            lines.append(f"\n```python\n{remediation.code}\n```")
    return "\n".join(lines)
