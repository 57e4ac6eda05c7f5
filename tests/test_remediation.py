"""Deterministic remediation, the plan, follow-up answers, the prompt templates and the JSON wiring."""
import ast
import json
import re
from pathlib import Path

import jinja2
import pytest

from wicked_data.checks import Config, review
from wicked_data.checks.cli import main
from wicked_data.checks.models import Finding, Review, Severity, ToolInfo, family_of
from wicked_data.checks.rules.base import registry
from wicked_data.checks.remediate import answer, audit_narrative, plan, remediation_for, render_plan
from wicked_data.checks.remediate.prompts import PROMPTS, render
from wicked_data.checks.remediate.validators import ACTION_VERBS, check_answer, check_recommendations, check_remediation, import_context, rule_hits

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "scenarios" / "churn_predictor" / "workspace"


@pytest.fixture(scope="module")
def seed():
    return review([SEED], Config(cache=False))


def test_every_seed_finding_gets_a_remediation_that_validates(seed):
    for finding in seed.findings:
        remediation = remediation_for(finding, seed)
        assert remediation.source == "template" and remediation.summary
        context = import_context(SEED / finding.file)
        assert check_remediation(remediation.summary, remediation.code, finding, seed, context) == [], finding.id


@pytest.mark.parametrize("rule", sorted(registry()))
def test_every_rule_has_a_remediation_whose_code_is_valid(rule):
    rule_cls = registry()[rule]
    finding = Finding(rule=rule, name=rule_cls.name, family=family_of(rule), severity=rule_cls.severity,
                      confidence="high", message="m", file="absent.py", line=1, end_line=1, evidence="x = 1").with_id()
    result = Review(tool=ToolInfo(version="0"), root=str(SEED), findings=[finding])
    remediation = remediation_for(finding, result)
    assert remediation.summary.split()[0].lower() in ACTION_VERBS
    assert check_remediation(remediation.summary, remediation.code, finding, result) == []


def test_the_ml101_fix_uses_a_snapshot_or_reference_date_and_passes_ml101(seed):
    ml101 = [f for f in seed.findings if f.rule == "ML101"]
    assert len(ml101) == 2
    for finding in ml101:
        remediation = remediation_for(finding, seed)
        code = remediation.code
        ast.parse(code)
        assert "now()" not in code and "today()" not in code
        assert "snapshot_date" in code and "reference_date" in code
        assert rule_hits("ML101", code, import_context(SEED / "model.py")) == []
        assert remediation.diff.startswith("--- a/model.py") and "REFERENCE_DATE" in remediation.diff


def test_codemod_rules_carry_the_rewritten_statement_and_its_diff(seed):
    by_rule = {f.rule: remediation_for(f, seed) for f in seed.findings if f.rule in ("ML206", "ML207", "ML405")}
    assert "stratify=y" in by_rule["ML206"].code and "random_state=42" in by_rule["ML207"].code
    assert 'if customer_data[\'order_count\'] else float("nan")' in by_rule["ML405"].code
    assert all(r.diff for r in by_rule.values())


def test_the_plan_is_ordered_by_severity_and_tied_to_findings(seed):
    steps = plan(seed)
    ids = {f.id for f in seed.findings}
    assert [s.severity.rank for s in steps] == sorted(s.severity.rank for s in steps)
    assert {i for s in steps for i in s.finding_ids} == ids  # every finding is in exactly one step
    assert steps[0].rule == "ML101" and steps[0].severity is Severity.P1
    assert check_recommendations(render_plan(steps), seed) == []


def test_a_how_to_fix_question_is_answered_with_the_fix(seed):
    reply = answer("How should I fix the data leakage issue?", seed)
    assert reply.topic == "data leakage" and reply.source == "template"
    assert {"ML101-2bb87b", "ML101-e5990d"} <= set(reply.cited_ids)
    assert "snapshot_date" in reply.text
    assert check_answer(reply.text, seed) == []


@pytest.mark.parametrize("question, rules", [
    ("What's wrong with the evaluation approach?", {"ML201", "ML202", "ML203", "ML204", "ML205"}),
    ("Review the feature engineering approach", {"ML301", "ML305"}),
    ("Is this model ready for production?", {"ML401", "ML404", "ML405", "ML408"}),
    ("Tell me more about ML207", {"ML207"}),
])
def test_questions_select_findings_by_family(seed, question, rules):
    reply = answer(question, seed)
    cited_rules = {i.split("-")[0] for i in reply.cited_ids}
    assert rules <= cited_rules
    assert check_answer(reply.text, seed) == []


def test_the_audit_narrative_summarises_the_review(seed):
    narrative = audit_narrative(seed)
    assert narrative.summary.startswith("Not ready for production: ")
    assert set(narrative.families) == {f.family for f in seed.findings}


def test_templates_fail_loudly_on_a_missing_value():
    with pytest.raises(jinja2.UndefinedError):
        render("remediation", advice="x", example=None, template_code=None, imports="")  # no finding


def test_templates_ship_with_the_package():
    # `checks/prompts` is how both a checkout and an installed package reach the templates
    assert PROMPTS == REPO / "prompts" or PROMPTS.resolve() == (REPO / "prompts").resolve()
    names = {p.name for p in PROMPTS.glob("*.j2")}
    assert {"system.md.j2", "remediation.md.j2", "model_card.md.j2", "answer.md.j2", "audit_report.md.j2",
            "repair.md.j2"} <= names
    pyproject = (REPO / "pyproject.toml").read_text()
    assert re.search(r'"wicked_data.checks" = \["prompts/\*\.j2"\]', pyproject)  # the wheel test checks they ship


def test_prompts_quote_the_evidence_as_data(seed):
    finding = next(f for f in seed.findings if f.rule == "ML101")
    prompt = render("remediation", finding=finding, advice="advice", example=None, template_code=None, imports="")
    assert f"<evidence>\n  {finding.evidence}\n  </evidence>" in prompt
    assert "never an instruction" in render("system")


def test_json_output_carries_remediations_only_when_asked(capsys):
    assert main(["review", str(SEED), "--format", "json", "--no-cache"]) == 1
    plain = json.loads(capsys.readouterr().out)
    assert all("remediation" not in f for f in plain["findings"])
    assert main(["review", str(SEED), "--format", "json", "--no-cache", "--remediation"]) == 1
    data = json.loads(capsys.readouterr().out)
    for finding in data["findings"]:
        remediation = finding["remediation"]
        assert set(remediation) == {"summary", "code", "diff", "source"}
        assert remediation["source"] == "template"
    ml101 = next(f for f in data["findings"] if f["rule"] == "ML101")
    assert "reference_date" in ml101["remediation"]["code"]


def test_llm_flag_without_a_key_falls_back_with_a_note(capsys, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    assert main(["review", str(SEED), "--format", "json", "--no-cache", "--llm"]) == 1
    out = capsys.readouterr()
    assert "ANTHROPIC_API_KEY is not set" in out.err
    assert {f["remediation"]["source"] for f in json.loads(out.out)["findings"]} == {"template"}
