"""`wicked-data eval`: run the scenarios and score them, so a change that makes the review worse is
caught at once.

A scenario is a folder `scenarios/<name>/` with the files under review (`workspace/`) and
`scenario.yaml`: the expected findings (rule, file, line), findings that must not appear, the
follow-up questions, and success criteria as machine checks. Modes:

- `offline`: the deterministic path (no model);
- `replay`: the model's answers come from the responses recorded in `<scenario>/recordings.json`
  (no network, no key); a request with no recording is a regression;
- `live`: the API (`ANTHROPIC_API_KEY`); with `--record` the responses are saved for replay.

The scorecard says, per scenario: criteria met, expected findings found, known gaps, unexpected
findings, tokens used and cost. Any missed expected finding (not marked `known_gap`), unmet
criterion or forbidden finding is a regression.
"""
from __future__ import annotations

import re

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wicked_data.checks.config import Config
from wicked_data.checks.engine import review_project
from wicked_data.checks.models import Finding, Review, Severity

Mode = Literal["offline", "replay", "live"]
REPO = Path(__file__).resolve().parent.parent
RECORDINGS = "recordings.json"


# ---------------------------------------------------------------------- the scenario file
class Expected(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule: str
    file: str
    line: int | None = None
    note: str = ""
    known_gap: str | None = Field(default=None, description="why the reviewer misses it today (not a regression)")


class Forbidden(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule: str | None = None
    file: str | None = None
    line: int | None = None
    note: str = ""


class FollowUp(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str
    families: list[str] = Field(default_factory=list)


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    check: dict[str, dict[str, Any]]
    known_gap: str | None = Field(default=None, description="why the reviewer fails it today (not a regression)")


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    description: str
    seed: str | None = None
    command: str
    review_path: str = "workspace"
    expected_findings: list[Expected] = Field(default_factory=list)
    unexpected: list[Forbidden] = Field(default_factory=list)
    follow_ups: list[FollowUp] = Field(default_factory=list)
    criteria: list[Criterion] = Field(default_factory=list)


class ScenarioError(Exception):
    pass


def load(folder: Path) -> Scenario:
    path = folder / "scenario.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Scenario.model_validate(data)
    except OSError as exc:
        raise ScenarioError(f"{path}: {exc.strerror}") from None
    except (yaml.YAMLError, ValidationError) as exc:
        raise ScenarioError(f"{path}: {exc}") from None


def discover(names: list[str], base: Path) -> list[Path]:
    if not names:
        return sorted(p.parent for p in base.glob("*/scenario.yaml"))
    folders = []
    for name in names:
        folder = Path(name) if Path(name).is_dir() else base / name
        if not (folder / "scenario.yaml").is_file():
            raise ScenarioError(f"no scenario {name!r} (looked for {folder / 'scenario.yaml'})")
        folders.append(folder)
    return folders


# ---------------------------------------------------------------------- results
class CriterionResult(BaseModel):
    text: str
    kind: str
    met: bool
    detail: str = ""
    known_gap: str | None = None
    source: str | None = None  # 'llm' or 'template' for generated texts


class ExpectedResult(BaseModel):
    rule: str
    file: str
    line: int | None
    found: bool
    known_gap: str | None = None


class ScenarioResult(BaseModel):
    name: str
    mode: Mode
    criteria: list[CriterionResult]
    expected: list[ExpectedResult]
    forbidden_found: list[str]
    unexpected_findings: list[str] = Field(description="findings the scenario does not list (not a regression)")
    errors: list[str]
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    notices: list[str] = Field(default_factory=list)

    @property
    def regressions(self) -> list[str]:
        out = [f"criterion not met: {c.text} ({c.detail})" for c in self.criteria if not c.met and not c.known_gap]
        out += [f"expected finding missing: {e.rule} {e.file}:{e.line}" for e in self.expected
                if not e.found and not e.known_gap]
        out += [f"forbidden finding present: {f}" for f in self.forbidden_found]
        out += [f"review error: {e}" for e in self.errors]
        return out


class Scorecard(BaseModel):
    mode: Mode
    scenarios: list[ScenarioResult]

    @property
    def regressions(self) -> int:
        return sum(len(s.regressions) for s in self.scenarios)


@dataclass
class _Tally:
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    notices: list[str] = field(default_factory=list)

    def add(self, usage, notice: str | None = None, what: str = "") -> None:
        if usage is not None:
            self.input_tokens += getattr(usage, "input_tokens", 0) + getattr(usage, "cache_read_input_tokens", 0) \
                + getattr(usage, "cache_creation_input_tokens", 0)
            self.output_tokens += getattr(usage, "output_tokens", 0)
            self.cost_usd += getattr(usage, "cost_usd", 0.0)
        if notice:
            self.notices.append(f"{what}: {notice}" if what else notice)


# ---------------------------------------------------------------------- running
def client_for(mode: Mode, folder: Path, record: bool):
    if mode == "offline":
        return None
    from wicked_data.checks.llm import LLMClient

    recordings = folder / RECORDINGS
    if mode == "replay":
        if not recordings.is_file():
            raise ScenarioError(f"{folder.name}: no {RECORDINGS} to replay; record one with --mode live --record")
        return LLMClient(replay=recordings)
    client = LLMClient.from_env(replay=recordings if record else None, record=record)
    if client is None:
        raise ScenarioError("--mode live needs ANTHROPIC_API_KEY")
    return client


def evaluate(folder: Path, mode: Mode = "offline", record: bool = False) -> ScenarioResult:
    scenario = load(folder)
    target = folder / scenario.review_path
    result, project = review_project([target], Config(cache=False))
    client = client_for(mode, folder, record)
    tally = _Tally()
    criteria = [check(c, result, project, target, client, tally) for c in scenario.criteria]
    expected = [ExpectedResult(rule=e.rule, file=e.file, line=e.line, found=bool(_matching(result.findings, e)),
                               known_gap=e.known_gap) for e in scenario.expected_findings]
    forbidden = [f"{f.id} {f.file}:{f.line} ({rule.note or f.rule})" for rule in scenario.unexpected
                 for f in _matching(result.findings, rule)]
    listed = {(e.rule, e.file, e.line) for e in scenario.expected_findings}
    listed_loose = {(e.rule, e.file) for e in scenario.expected_findings if e.line is None}
    unexpected = [f"{f.rule} {f.file}:{f.line}" for f in result.findings
                  if (f.rule, f.file, f.line) not in listed and (f.rule, f.file) not in listed_loose]
    return ScenarioResult(name=scenario.name, mode=mode, criteria=criteria, expected=expected,
                          forbidden_found=forbidden, unexpected_findings=unexpected,
                          errors=[f"{e.file}: {e.message}" for e in result.errors],
                          input_tokens=tally.input_tokens, output_tokens=tally.output_tokens,
                          cost_usd=round(tally.cost_usd, 6), notices=tally.notices)


def _matching(findings: list[Finding], want: Expected | Forbidden) -> list[Finding]:
    return [f for f in findings
            if (want.rule is None or f.rule.startswith(want.rule))
            and (want.file is None or f.file == want.file)
            and (want.line is None or f.line == want.line)]


def check(criterion: Criterion, result: Review, project, target: Path, client, tally: _Tally) -> CriterionResult:
    if len(criterion.check) != 1:
        return CriterionResult(text=criterion.text, kind="?", met=False, detail="a check has exactly one kind")
    kind, args = next(iter(criterion.check.items()))
    handler = CHECKS.get(kind)
    if handler is None:
        return CriterionResult(text=criterion.text, kind=kind, met=False,
                               detail=f"unknown check {kind!r}; one of {', '.join(CHECKS)}")
    met, detail, source = handler(args or {}, result, project, target, client, tally)
    return CriterionResult(text=criterion.text, kind=kind, met=met, detail=detail, source=source,
                           known_gap=criterion.known_gap)


def _finding(args, result, project, target, client, tally):
    hits = _matching(result.findings, Forbidden(rule=args.get("rule"), file=args.get("file"), line=args.get("line")))
    where = ", ".join(f"{f.id} {f.file}:{f.line}" for f in hits[:3])
    return bool(hits), where or f"no {args.get('rule')} finding in {args.get('file', 'any file')}", None


def _no_findings(args, result, project, target, client, tally):
    floor = Severity(args.get("min_severity", "P3"))
    want = Forbidden(rule=args.get("rule"), file=args.get("file"), line=args.get("line"))
    hits = [f for f in _matching(result.findings, want) if f.severity.at_least(floor)]
    return not hits, ", ".join(f"{f.rule} {f.file}:{f.line}" for f in hits[:5]) or "none", None


def _remediation(args, result, project, target, client, tally):
    from wicked_data.checks.remediate.remediation import remediate
    from wicked_data.checks.remediate.validators import check_remediation, import_context

    findings = [f for f in result.findings if f.rule == args["rule"]]
    if not findings:
        return False, f"no {args['rule']} finding to remediate", None
    complaints, sources = [], set()
    for finding in findings:
        fix, outcome = remediate(finding, result, client)
        if outcome is not None:
            tally.add(outcome.usage, outcome.notice, finding.id)
        sources.add(fix.source)
        if not fix.code:
            complaints.append(f"{finding.id}: no corrected code")
            continue
        context = import_context(Path(result.root) / finding.file)
        complaints += [f"{finding.id}: {c}" for c in check_remediation(fix.summary, fix.code, finding, result, context)]
    detail = "; ".join(complaints) or f"{len(findings)} remediation(s) valid"
    return not complaints, detail, "/".join(sorted(sources))


def _model_card(args, result, project, target, client, tally):
    from wicked_data.checks.remediate import model_card, validate_model_card
    from wicked_data.checks.remediate.facts import model_facts

    facts = model_facts([target])  # read once, for the card and its check
    card = model_card([target], result, client, facts)
    tally.add(card.usage, card.notice, "model card")
    complaints = validate_model_card(card.text, result, facts)
    return not complaints, "; ".join(complaints) or "valid", card.source


def _plan(args, result, project, target, client, tally):
    from wicked_data.checks.remediate.plan import plan, render_plan
    from wicked_data.checks.remediate.validators import check_recommendations

    recommendations = plan(result)
    complaints = check_recommendations(render_plan(recommendations), result)
    if result.findings and not recommendations:
        complaints.append("no recommendations")
    return not complaints, "; ".join(complaints) or f"{len(recommendations)} recommendations, ordered", "template"


def _answer(args, result, project, target, client, tally):
    from wicked_data.checks.models import family_of
    from wicked_data.checks.remediate import answer
    from wicked_data.checks.remediate.validators import check_answer

    reply = answer(args["question"], result, client)
    tally.add(reply.usage, reply.notice, f"answer to {args['question']!r}")
    complaints = check_answer(reply.text, result)
    by_id = {f.id: f for f in result.findings}
    cited_families = {family_of(by_id[i].rule) for i in reply.cited_ids if i in by_id}
    for family in args.get("families", []):
        if family not in cited_families:
            complaints.append(f"cites no {family} finding")
    cited_rules = {by_id[i].rule for i in reply.cited_ids if i in by_id}
    for rule in args.get("rules", []):
        if rule not in cited_rules and any(f.rule == rule for f in result.findings):
            complaints.append(f"cites no {rule} finding although the review has one")
    return not complaints, "; ".join(complaints) or f"cites {len(reply.cited_ids)} finding(s)", reply.source


def _report(args, result, project, target, client, tally):
    from wicked_data.checks.formats import render

    fmt = args.get("format", "markdown")
    if args.get("report") == "audit":
        from wicked_data.checks.formats import audit
        from wicked_data.checks.remediate.facts import model_facts

        facts = model_facts([target])
        text = audit.render(result, project, facts)
        complaints = audit_complaints(text, facts)
    else:
        text = render(result, fmt)
        wanted = args.get("sections", ["Production-readiness checklist"])
        complaints = [f"missing section {s!r}" for s in wanted if s.lower() not in text.lower()]
    absent = [f for f in result.findings if f.severity == Severity.P1
              and f.where not in text]
    complaints += [f"P1 finding {f.id} ({f.file}:{f.line}) not in the report" for f in absent]
    return not complaints, "; ".join(complaints) or f"{fmt} report complete", None


def _inventory(args, result, project, target, client, tally):
    """The feature inventory names the model's target and its features, each with where training
    computes it, and says which side computes each differently when a serving side is paired."""
    from wicked_data.checks.remediate.facts import model_facts
    from wicked_data.checks.remediate.inventory import feature_inventory
    from wicked_data.checks.skew import skew_diff

    try:
        reports = skew_diff([target])
    except ValueError:
        reports = []
    inventory = feature_inventory(model_facts([target]), project, reports)
    complaints = []
    if "target" in args and inventory.target != args["target"]:
        complaints.append(f"target {inventory.target!r}, expected {args['target']!r}")
    if "features" in args and len(inventory.features) != args["features"]:
        complaints.append(f"{len(inventory.features)} features, expected {args['features']}")
    if any(not f.training_at for f in inventory.features):
        complaints.append("a feature without the place training computes it")
    for name in args.get("different", []):
        row = next((f for f in inventory.features if f.name == name), None)
        if row is None or row.parity != "different":
            complaints.append(f"{name!r} is not marked as computed differently at serving")
    return not complaints, "; ".join(complaints) or f"{len(inventory.features)} features inventoried", None


CITE = re.compile(r"[\w./-]+\.(?:py|ipynb|ya?ml|json|toml|sql):(?:cell \d+:)?\d+")


def audit_complaints(text: str, facts) -> list[str]:
    """Each section of seed 001's audit, in its order, with the content that makes it one (not its
    heading alone): a verdict in words, a diagram, the model's real target and class, the error
    responses, the features by group, what is logged of the metrics, the queries, prioritised
    recommendations; every section but the questions grounded in a `file:line`."""
    found: dict[str, str] = {}
    for part in re.split(r"^## ", text, flags=re.M)[1:]:
        title, _, body = part.partition("\n")
        found[title.strip().lower()] = body
    order = list(found)
    wanted = [
        ("executive summary", ["**Verdict:"]),
        ("data flow", ["```mermaid"]),
        ("target variable and model details", [f"`{t.value}`" for t in facts.target[:1]]
         + ([f"`{facts.model.value}`"] if facts.model else []) + ["### Model artifacts"]),
        ("request and response shapes", ["### Error responses"]),
        ("calibration and confidence", []),
        ("caching strategy", []),
        ("risks by priority", ["### High priority"]),
        ("quick wins", []),
        ("feature engineering analysis", ["### Current features", "### Feature quality issues"]
         + [f"`{f.value}`" for f in facts.features[:1]]),
        ("model performance", ["### Training metrics", "### Prediction performance"]),
        ("database integration", []),
        ("open questions", []),
        ("recommendations", ["### "]),
    ]
    complaints, last = [], -1
    for title, needs in wanted:
        if title not in found:
            complaints.append(f"missing section {title!r}")
            continue
        body = found[title]
        position = order.index(title)
        if position < last:
            complaints.append(f"section {title!r} is out of seed 001's order")
        last = max(last, position)
        for need in needs:
            if need not in body:
                complaints.append(f"section {title!r} lacks {need!r}")
        if title != "open questions" and not CITE.search(body) and not body.strip().startswith("No "):
            complaints.append(f"section {title!r} cites no file and line")
    return complaints


CHECKS = {"finding": _finding, "no_findings": _no_findings, "remediation": _remediation, "model_card": _model_card,
          "plan": _plan, "answer": _answer, "report": _report, "inventory": _inventory}


# ---------------------------------------------------------------------- scorecard
def run(names: list[str], mode: Mode = "offline", record: bool = False, base: Path | None = None) -> Scorecard:
    folders = discover(names, base or REPO / "scenarios")
    return Scorecard(mode=mode, scenarios=[evaluate(folder, mode, record) for folder in folders])


def render_scorecard(card: Scorecard) -> str:
    lines = [f"wicked-data eval ({card.mode})", "",
             f"{'scenario':22s} {'criteria':>9s} {'expected':>9s} {'gaps':>5s} {'extra':>6s} {'tokens':>8s} {'cost $':>8s}  status"]
    for s in card.scenarios:
        met = sum(c.met for c in s.criteria)
        found = sum(e.found for e in s.expected)
        gaps = sum(1 for e in s.expected if not e.found and e.known_gap) + sum(1 for c in s.criteria
                                                                                 if not c.met and c.known_gap)
        tokens = s.input_tokens + s.output_tokens
        status = "ok" if not s.regressions else f"{len(s.regressions)} regression(s)"
        lines.append(f"{s.name:22s} {met:>4d}/{len(s.criteria):<4d} {found:>4d}/{len(s.expected):<4d} {gaps:>5d} "
                     f"{len(s.unexpected_findings):>6d} {tokens:>8d} {s.cost_usd:>8.4f}  {status}")
    for s in card.scenarios:
        for text in s.regressions:
            lines.append(f"  {s.name}: {text}")
        for c in s.criteria:
            if not c.met and c.known_gap:
                lines.append(f"  {s.name}: known gap: {c.text} ({c.known_gap})")
        for note in s.notices:
            lines.append(f"  {s.name}: notice: {note}")
    lines.append("")
    lines.append(f"regressions={card.regressions}")
    return "\n".join(lines)


def scorecard_json(card: Scorecard) -> str:
    data = card.model_dump(mode="json")
    for scenario, model in zip(data["scenarios"], card.scenarios):
        scenario["regressions"] = model.regressions
    data["regressions"] = card.regressions
    return json.dumps(data, indent=2)
