"""The wicked-data MCP server: deterministic review tools an agent composes, over stdio.

Every tool is read-only and grounded: it reviews the user's files statically (nothing reviewed is
imported or run) and returns findings with ids, files and lines. Reviews are stored on disk so a
finding id from an earlier conversation still resolves after the server restarts.
"""
from __future__ import annotations

import inspect
import math
import os
import warnings
from collections import Counter
from pathlib import Path
from typing import Annotated, Literal

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

from wicked_data.checks import __version__
from wicked_data.checks.config import Config, ConfigError, _from_pyproject
from wicked_data.checks.engine import discover, review as run_review
from wicked_data.checks.formats.markdown import readiness
from wicked_data.checks.models import FAMILIES, Finding, Review, Severity, family_of
from wicked_data.checks.rules.base import registry
from wicked_data.checks.remediate.inventory import FeatureInventory
from wicked_data.checks.skew import skew_diff as compute_skew
from wicked_data.server.models import (AuditReport, CardCheck, ChecklistItem, FindingBrief, FindingDetail, ModelCard,
                                      Page, PlanResult, ProductionAudit, Related, Remediation, ReviewSummary, RuleInfo,
                                      SkewDiff, SkewPair)
from wicked_data.server.store import ReviewStore, content_key, data_dir
from wicked_data.server.workspace import PathRefused, Workspace

MAX_FILES = 5000
MAX_PAGE_SIZE = 100
MAX_CARD_CHARS = 200_000
FAMILY_NAMES = sorted(set(FAMILIES.values()))
SERVING_ROLES = {"inference", "serving"}

INSTRUCTIONS = """\
wicked-data reviews machine-learning code statically, like a senior ML engineer: data leakage (ML1xx),
evaluation (ML2xx), feature engineering and train/serve skew (ML3xx), production readiness (ML4xx) and
serving (ML5xx). Every finding has an id, a file, a line, evidence and a severity (P1 critical, P2 high,
P3 advisory). Paths are relative to the user's project.

Compose the tools: `review` first (the whole project or a folder: counts and the findings), then
`get_finding` for the evidence, explanation and fix of each finding you present, `list_findings` to
filter (family, severity, file, rule), the focused scans `leakage_scan`, `metric_audit`,
`production_audit` and `skew_diff` for follow-up questions on one concern, `explain_rule` for a rule,
`model_card` / `validate_model_card` for model documentation, `audit_report` for the full serving
audit, `feature_inventory` for the features (each one's source columns and how training and serving
compute it: new features come from the columns read but unused), `plan` for the prioritised fixes.
Answer only from what the tools return: cite finding ids with file:line; when the tools report nothing
on a question, say so rather than guess. Results are stored, so ids stay valid across restarts."""

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)


class Service:
    """The state behind the tools: the workspace, the store and the reviews of this process."""

    def __init__(self, workspace: Workspace | None = None, data: Path | None = None) -> None:
        self.workspace = workspace or Workspace.from_env()
        self.data = data or data_dir()
        self.store = ReviewStore(self.data, self.workspace.project)
        self.roots_asked = False
        self.client_checked = False
        self._client = None

    # ------------------------------------------------------------------ paths and reviews
    def resolve(self, path: str | None) -> Path:
        try:
            return self.workspace.resolve(path)
        except PathRefused as exc:
            raise ToolError(str(exc)) from None

    def config_for(self, target: Path) -> Config:
        """`[tool.wicked-data]` of the nearest pyproject.toml between `target` and its root."""
        folder = target if target.is_dir() else target.parent
        for candidate in [folder, *folder.parents]:
            if not self.workspace.contains(candidate):
                break
            pyproject = candidate / "pyproject.toml"
            if pyproject.is_symlink() and not self.workspace.contains(Path(os.path.realpath(pyproject))):
                raise ToolError(f"{self.workspace.display(pyproject)} is a link leading outside the project and "
                                "the configured roots; it is not read (replace the link with the file)")
            if pyproject.is_file():
                try:
                    return _from_pyproject(pyproject)
                except ConfigError as exc:
                    raise ToolError(f"{self.workspace.display(pyproject)}: {exc}") from None
        return Config()

    def review(self, path: str | None) -> tuple[Review, bool]:
        """The review of `path` (from the store when the files have not changed) and whether it
        was stored."""
        target = self.resolve(path)
        config = self.config_for(target)
        root = target if target.is_dir() else target.parent
        files, _ = discover([target], root, config, self.workspace.roots)
        if len(files) > MAX_FILES:
            raise ToolError(f"{self.workspace.display(target)} holds {len(files)} files to review, more than "
                            f"{MAX_FILES}; review a sub-folder")
        key = content_key(files, config.model_dump_json())
        stored = self.store.load(target, key)
        if stored is not None:
            return stored, True
        result = run_review([target], config, cache_dir=self.data / "cache", confine=self.workspace.roots)
        self.store.save(target, key, result)
        return result, False

    def finding(self, finding_id: str) -> tuple[Finding, Review]:
        wanted = finding_id.strip()
        found = self.store.find(wanted)
        if found is None:
            raise ToolError(f"no stored review has a finding {wanted!r}; ids look like 'ML101-3fa2c1' and come from "
                            "review, list_findings or the scans; run review on the project first")
        return found

    # ------------------------------------------------------------------ shaping results
    def shown(self, result: Review) -> str:
        """The reviewed root as the user sees it: relative to the project."""
        return self.workspace.display(Path(result.root))

    def summary(self, result: Review, stored: bool, findings: list[Finding], page: int, page_size: int,
                cls: type[ReviewSummary] = ReviewSummary, **extra) -> ReviewSummary:
        ordered = sorted(findings, key=lambda f: (f.severity.rank, f.file, f.line, f.rule))
        chunk, info = paged(ordered, page, page_size)
        return cls(root=self.shown(result), files_reviewed=len(result.files),
                   files_by_role=dict(Counter(f.role for f in result.files)),
                   by_severity={s.value: sum(f.severity == s for f in findings) for s in Severity},
                   by_family=dict(Counter(f.family for f in findings)),
                   errors=[f"{e.file}: {e.message}" for e in result.errors[:50]],
                   findings=[FindingBrief.of(f) for f in chunk], page=info, stored=stored, **extra)

    def detail(self, finding: Finding, result: Review) -> FindingDetail:
        rule = registry().get(finding.rule)
        return FindingDetail(
            id=finding.id, rule=finding.rule, rule_name=finding.name, severity=finding.severity.value,
            confidence=finding.confidence, family=finding.family, root=self.shown(result), file=finding.file,
            line=finding.line, end_line=finding.end_line, cell=finding.cell, message=finding.message,
            evidence=finding.evidence, related=[Related(**r.model_dump()) for r in finding.related],
            why_it_matters=" ".join(rule.section("Why is this bad?").split()) if rule else "",
            how_to_fix=rule.section("Use instead") if rule else "",
            remediation=self.remediation(finding, result))

    def remediation(self, finding: Finding, result: Review) -> Remediation:
        """The finding's remediation: written by the model when a key is set and its answer passes
        the validators, else the deterministic one (with a notice saying why, when the model failed)."""
        from wicked_data.checks.remediate.remediation import remediate

        fix, outcome = remediate(finding, result, self.client())
        return Remediation(summary=fix.summary, code=fix.code, diff=fix.diff, source=fix.source,
                           notice=outcome.notice if outcome else None)

    def client(self):
        """The LLM client when ANTHROPIC_API_KEY is set (read once per process), else None."""
        if not self.client_checked:
            self.client_checked = True
            from wicked_data.checks.llm import LLMError, client_from_env

            try:
                self._client = client_from_env()  # None without a key (and the SDK stays unloaded)
            except LLMError:
                self._client = None
        return self._client


def paged(items: list, page: int, page_size: int) -> tuple[list, Page]:
    size = max(1, min(page_size, MAX_PAGE_SIZE))
    pages = max(1, math.ceil(len(items) / size))
    if page < 1 or page > pages:
        raise ToolError(f"page {page} does not exist; there are {pages} page(s) of {size}")
    chunk = items[(page - 1) * size: page * size]
    return chunk, Page(page=page, pages=pages, total=len(items), next_page=page + 1 if page < pages else None)


def filter_findings(findings: list[Finding], family: str | None = None, severity: str | None = None,
                    file: str | None = None, rule: str | None = None) -> list[Finding]:
    out = findings
    if family:
        wanted = family.strip().lower()
        if wanted not in FAMILY_NAMES:
            raise ToolError(f"unknown family {family!r}; one of {', '.join(FAMILY_NAMES)}")
        out = [f for f in out if f.family == wanted]
    if severity:
        try:
            floor = Severity(severity.strip().upper())
        except ValueError:
            raise ToolError(f"unknown severity {severity!r}; one of P1, P2, P3") from None
        out = [f for f in out if f.severity.at_least(floor)]
    if file:
        wanted_file = file.strip().removeprefix("./")
        out = [f for f in out if f.file == wanted_file or f.file.endswith("/" + wanted_file)
               or f.file.startswith(wanted_file.rstrip("/") + "/")]
    if rule:
        prefixes = [r.strip().upper() for r in rule.split(",") if r.strip()]
        out = [f for f in out if any(f.rule.startswith(p) for p in prefixes)]
    return out


def checklist(result: Review) -> list[ChecklistItem]:
    return [ChecklistItem(check=title, status=status, findings=[f.id for f in hits])
            for title, hits, status in readiness(result)]


# ---------------------------------------------------------------------- the server
PathArg = Annotated[str, Field(description="file or folder inside the project, relative to it ('.' is the project)")]
PageArg = Annotated[int, Field(ge=1, description="page of findings, from 1")]
PageSizeArg = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE, description="findings per page")]


def build_server(service: Service | None = None) -> MCPServer:
    svc = service or Service()
    mcp = MCPServer(name="wicked-data", title="wicked-data ML code review", version=__version__,
                    instructions=INSTRUCTIONS)

    def tool(fn):
        """Register a read-only tool; its docstring, dedented, is the description the model reads."""
        mcp.add_tool(fn, description=inspect.cleandoc(fn.__doc__ or ""), annotations=READ_ONLY)
        return fn

    async def reviewed(path: str | None, ctx: Context | None) -> tuple[Review, bool]:
        await ask_roots(svc, ctx)
        return await anyio.to_thread.run_sync(svc.review, path)

    @tool
    async def review(path: PathArg = ".", min_severity: Literal["P1", "P2", "P3"] = "P3", page: PageArg = 1,
                     page_size: PageSizeArg = 50, ctx: Context = None) -> ReviewSummary:
        """Review ML code (a project folder, a sub-folder or one file): leakage, evaluation, feature
        engineering and train/serve skew, production readiness and serving. Returns counts by severity
        and family, files that could not be read, and the findings (most severe first, paged) with the
        ids that get_finding explains."""
        result, stored = await reviewed(path, ctx)
        return svc.summary(result, stored, filter_findings(result.findings, severity=min_severity), page, page_size)

    @tool
    async def leakage_scan(path: PathArg = ".", page: PageArg = 1, page_size: PageSizeArg = 50,
                           ctx: Context = None) -> ReviewSummary:
        """Data handling and leakage only (ML1xx): wall-clock features, preprocessing or resampling
        before the split, target-derived features, random splits of temporal data, test-set reuse,
        future windows, blanket fillna, unscaled features."""
        result, stored = await reviewed(path, ctx)
        return svc.summary(result, stored, filter_findings(result.findings, family="data-handling"), page, page_size)

    @tool
    async def metric_audit(path: PathArg = ".", page: PageArg = 1, page_size: PageSizeArg = 50,
                           ctx: Context = None) -> ReviewSummary:
        """The evaluation approach only (ML2xx): accuracy-only metrics on imbalanced classes, no
        cross-validation, no baseline, default thresholds, unstratified or unseeded splits, evaluation
        on training data, metrics not persisted, no feature importance."""
        result, stored = await reviewed(path, ctx)
        return svc.summary(result, stored, filter_findings(result.findings, family="evaluation"), page, page_size)

    @tool
    async def production_audit(path: PathArg = ".", page: PageArg = 1, page_size: PageSizeArg = 50,
                               ctx: Context = None) -> ProductionAudit:
        """Is the model ready for production? Production-readiness (ML4xx) and serving (ML5xx) findings,
        with a pass/fail checklist (versioning, input validation, monitoring, error handling, model
        loading, configurable paths, version in responses, train/serve feature parity), each failure
        citing its finding ids, and the files that load the model to predict or serve."""
        result, stored = await reviewed(path, ctx)
        wanted = [f for f in result.findings if f.family in ("production", "serving")
                  or f.rule in ("ML301", "ML302", "ML303", "ML307")]
        serving = [f.path for f in result.files if f.role in SERVING_ROLES]
        return svc.summary(result, stored, wanted, page, page_size, cls=ProductionAudit,
                           checklist=checklist(result), serving_files=serving)

    @tool
    async def skew_diff(path: PathArg = ".", training: Annotated[str | None, Field(
            description="training file, relative to `path`; default: paired automatically")] = None,
                        serving: Annotated[str | None, Field(
            description="serving/inference file, relative to `path`; default: paired automatically")] = None,
                        ctx: Context = None) -> SkewDiff:
        """Train/serve skew: each training file compared feature by feature with the serving file it
        feeds (paired by the model artifact one writes and the other loads, or by shared modules).
        Each feature is same, different (with the differences in words), missing at serving or extra."""
        await ask_roots(svc, ctx)
        target = svc.resolve(path)
        for name, value in (("training", training), ("serving", serving)):
            if value is not None and (".." in Path(value).parts or Path(value).is_absolute()):
                raise ToolError(f"{name} must be a path relative to {path!r}, without '..'")

        def work() -> list:
            try:
                return compute_skew([target], training=training, serving=serving, config=svc.config_for(target),
                                    confine=svc.workspace.roots)
            except ValueError as exc:
                raise ToolError(str(exc).replace(str(target), svc.workspace.display(target))) from None

        reports = await anyio.to_thread.run_sync(work)
        pairs = []
        for rep in reports:
            counts = Counter(f.status for f in rep.features)
            pairs.append(SkewPair(training_file=rep.training_file, serving_file=rep.serving_file,
                                  same=counts["same"], different=counts["different"],
                                  missing_at_serving=counts["missing"], extra_at_serving=counts["extra"],
                                  not_compared=counts["unknown"],
                                  features=rep.features))
        note = ("no training file with a feature set was paired with a serving file" if not pairs else
                "features marked different or missing are train/serve skew; review or list_findings(rule='ML30') "
                "gives the findings")
        return SkewDiff(root=svc.workspace.display(target), pairs=pairs, note=note)

    @tool
    async def list_findings(path: PathArg = ".", family: Annotated[str | None, Field(
            description=f"one of {', '.join(FAMILY_NAMES)}")] = None,
                            severity: Annotated[Literal["P1", "P2", "P3"] | None, Field(
            description="this severity or worse")] = None,
                            file: Annotated[str | None, Field(description="a file or folder, relative to `path`")] = None,
                            rule: Annotated[str | None, Field(description="rule ids or prefixes, comma-separated: ML1, ML207")] = None,
                            page: PageArg = 1, page_size: PageSizeArg = 25, ctx: Context = None) -> ReviewSummary:
        """The findings of the review of `path`, filtered by family, severity (and worse), file and rule."""
        result, stored = await reviewed(path, ctx)
        return svc.summary(result, stored, filter_findings(result.findings, family, severity, file, rule),
                           page, page_size)

    @tool
    async def get_finding(finding_id: Annotated[str, Field(description="a finding id such as 'ML101-3fa2c1'")],
                          ) -> FindingDetail:
        """One finding in full: the evidence lines, related locations (e.g. the training line of a skew),
        why it matters, how to fix it, and a remediation with corrected code (and a diff when a safe
        mechanical fix exists)."""
        def work() -> FindingDetail:
            finding, result = svc.finding(finding_id)
            return svc.detail(finding, result)

        return await anyio.to_thread.run_sync(work)

    @tool
    async def model_card(path: PathArg = ".", ctx: Context = None) -> ModelCard:
        """A model card for the model trained under `path`, in the Hugging Face layout (YAML metadata,
        then Model Details, Intended Use, Training Data, Evaluation, Limitations, Ethical
        Considerations, Recommendations). Every inferred field cites file:line; what the code does
        not show (training date, author, data size, metric values) is marked unknown; every P1
        finding is listed under Limitations. Written by the model when a key is set and it
        validates, else from templates."""
        from wicked_data.checks.remediate import model_card as build_card, validate_model_card as check_card
        from wicked_data.checks.remediate.facts import model_facts

        result, _ = await reviewed(path, ctx)

        def work() -> ModelCard:
            facts = model_facts([result.root], confine=svc.workspace.roots)  # read once, for the card and its check
            card = build_card([result.root], result, svc.client(), facts)
            usage = card.usage
            return ModelCard(root=svc.shown(result), markdown=card.text, source=card.source, notice=card.notice,
                             problems=check_card(card.text, result, facts),
                             tokens=(usage.input_tokens + usage.output_tokens) if usage else 0)

        return await anyio.to_thread.run_sync(work)

    @tool
    async def audit_report(path: PathArg = ".", ctx: Context = None) -> AuditReport:
        """The full audit of a prediction service, in the sections of a senior engineer's audit:
        executive summary with a verdict, data flow diagram, target and model details, model artifacts,
        request/response and error shapes, calibration and confidence, caching, risks by priority,
        quick wins, feature engineering by group, model performance, database queries, open questions
        and recommendations (immediate, architecture, long term). Every statement cites file:line."""
        from wicked_data.checks.engine import review_project
        from wicked_data.checks.formats import audit
        from wicked_data.checks.formats.markdown import verdict
        from wicked_data.checks.remediate.facts import model_facts

        await ask_roots(svc, ctx)
        target = svc.resolve(path)

        def work() -> AuditReport:
            config = svc.config_for(target)
            result, project = review_project([target], config, cache_dir=svc.data / "cache",
                                             confine=svc.workspace.roots)
            facts = model_facts([target], config, confine=svc.workspace.roots)
            return AuditReport(root=svc.workspace.display(target), markdown=audit.render(result, project, facts),
                               verdict=verdict(result).replace("**", ""))

        return await anyio.to_thread.run_sync(work)

    @tool
    async def feature_inventory(path: PathArg = ".", ctx: Context = None) -> FeatureInventory:
        """The features the model is fitted on: for each, the data columns it is computed from, how
        training computes it and where, how serving computes it (when a serving side is paired) and
        whether the two agree; with every column the feature code reads and those feeding no
        feature. Use it to review the feature engineering and to propose missing features from
        the columns the code already reads."""
        from wicked_data.checks.remediate.inventory import inventory_for

        await ask_roots(svc, ctx)
        target = svc.resolve(path)
        return await anyio.to_thread.run_sync(
            lambda: inventory_for([target], svc.config_for(target), svc.workspace.roots))

    @tool
    async def plan(path: PathArg = ".", ctx: Context = None) -> PlanResult:
        """The prioritised plan: one recommendation per problem, most severe first (leakage before
        evaluation, before features, before production), each starting with an action and naming the
        finding ids and places it resolves."""
        from wicked_data.checks.remediate.plan import plan as make_plan

        result, _ = await reviewed(path, ctx)
        return PlanResult(root=svc.shown(result), recommendations=make_plan(result))

    @tool
    async def validate_model_card(markdown: Annotated[str, Field(
            max_length=MAX_CARD_CHARS, description="the model card to check, in Markdown")],
                                  path: PathArg = ".", ctx: Context = None) -> CardCheck:
        """Check a model card (for example one the user edited) against the review of `path`: the
        required sections, every P1 finding under Limitations, unknowns written as unknown, no
        numbers the code and findings do not contain, citations that exist."""
        from wicked_data.checks.remediate import validate_model_card as check_card
        from wicked_data.checks.remediate.facts import model_facts

        result, _ = await reviewed(path, ctx)

        def work() -> list[str]:
            return check_card(markdown, result, model_facts([result.root], confine=svc.workspace.roots))

        problems = await anyio.to_thread.run_sync(work)
        return CardCheck(valid=not problems, problems=problems)

    @tool
    def explain_rule(rule: Annotated[str, Field(description="a rule id (ML101) or name (wall-clock-feature)")],
                     ) -> RuleInfo:
        """A rule's documentation: what it flags, why it matters, an example, what to do instead, known
        limits."""
        return rule_info(rule)

    @mcp.resource("finding://{finding_id}", mime_type="application/json",
                  description="a stored finding in full (as get_finding returns it)")
    def finding_resource(finding_id: str) -> str:
        try:
            finding, result = svc.finding(finding_id)
        except ToolError as exc:
            raise ResourceError(str(exc)) from None
        return svc.detail(finding, result).model_dump_json(indent=2)

    @mcp.resource("rule://{rule_id}", mime_type="text/markdown", description="a rule's documentation")
    def rule_resource(rule_id: str) -> str:
        try:
            info = rule_info(rule_id)
        except ToolError as exc:
            raise ResourceError(str(exc)) from None
        return f"# {info.id} {info.name} ({info.severity})\n\n{info.documentation}"

    @mcp.prompt(title="ML code review report")
    def review_report(path: str = ".") -> str:
        """Review ML code and present the report the way a senior ML engineer would."""
        return REVIEW_PROMPT.format(path=path)

    @mcp.prompt(title="Fix a finding")
    def remediation(finding_id: str) -> str:
        """Explain and fix one finding."""
        return REMEDIATION_PROMPT.format(finding_id=finding_id)

    @mcp.prompt(title="Model card")
    def model_card_prompt(path: str = ".") -> str:
        """Write the model card of the model trained under a path."""
        return MODEL_CARD_PROMPT.format(path=path)

    mcp._wicked_service = svc  # type: ignore[attr-defined]  (tests reach the state through the server)
    return mcp


def rule_info(wanted: str) -> RuleInfo:
    text = wanted.strip()
    for rule in registry().values():
        if text.upper() == rule.id or text == rule.name:
            return RuleInfo(id=rule.id, name=rule.name, severity=rule.severity.value, family=family_of(rule.id),
                            summary=" ".join(rule.summary().split()), documentation=inspect.getdoc(rule) or "")
    raise ToolError(f"unknown rule {wanted!r}; rule ids run ML101-ML109, ML201-ML212, ML301-ML307, ML401-ML410, "
                    "ML501-ML510")


async def ask_roots(svc: Service, ctx: Context | None) -> None:
    """Add the client's roots (once per process) when it declared the roots capability."""
    if svc.roots_asked or ctx is None:
        return
    svc.roots_asked = True
    try:
        caps = ctx.client_capabilities
        if caps is None or caps.roots is None:
            return
        with anyio.fail_after(5), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # roots are deprecated in the 2026-07-28 protocol, still sent by clients
            result = await ctx.session.list_roots()
        svc.workspace.add_client_roots([str(r.uri) for r in result.roots])
    except Exception:  # a client that cannot answer leaves the project as the only root
        return


REVIEW_PROMPT = """\
Review the ML code under `{path}` with the wicked-data tools and write the report.

1. Call `review` with path `{path}`; page through all findings (`next_page`).
2. Call `get_finding` for every P1 and P2 finding to read its evidence and fix.
3. Write the report: a one-paragraph summary with the counts; then one section per family
   (data handling and leakage, evaluation, feature engineering and skew, production, serving), P1 before
   P2 before P3, each finding with its id, `file:line`, the evidence, why it matters and the fix;
   then the production-readiness checklist from `production_audit`; then prioritised recommendations,
   most severe first, each starting with a verb and citing the finding ids it resolves.
Say only what the tools returned; if a family has no findings, say that it has none."""

REMEDIATION_PROMPT = """\
Call `get_finding` with id `{finding_id}`. Explain the problem in two or three sentences using its
evidence and `why_it_matters`, then give the corrected code from its remediation (or `how_to_fix`),
adapted to the names in the evidence, and the diff when there is one. Do not invent lines or files."""


MODEL_CARD_PROMPT = """\
Call `model_card` with path `{path}` and present the Markdown it returns. Keep every field it marks as
unknown as unknown; do not add training dates, authors, data sizes or metric values. If you edit the
card, check it with `validate_model_card` and fix what it reports."""


def main() -> None:
    build_server().run()
