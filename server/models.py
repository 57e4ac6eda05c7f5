"""What the MCP tools return. The model reads these, so they are compact and say what they are:
a finding is one line in a list (its id leads to the details), big lists come in pages."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from wicked_data.checks.models import Finding
from wicked_data.checks.remediate.plan import Recommendation
from wicked_data.checks.skew import FeatureComparison


class FindingBrief(BaseModel):
    id: str = Field(description="pass to get_finding for evidence, explanation and fix")
    rule: str
    severity: str
    family: str
    file: str
    line: int
    message: str

    @classmethod
    def of(cls, finding: Finding) -> "FindingBrief":
        return cls(id=finding.id, rule=finding.rule, severity=finding.severity.value, family=finding.family,
                   file=finding.file, line=finding.line, message=finding.message)


class Page(BaseModel):
    page: int
    pages: int
    total: int = Field(description="findings matching the request, over all pages")
    next_page: int | None = Field(default=None, description="call again with this page for more")


class ReviewSummary(BaseModel):
    """One review of one folder or file: counts, then the findings (paged, most severe first)."""

    root: str = Field(description="the reviewed path, relative to the project")
    files_reviewed: int
    files_by_role: dict[str, int]
    by_severity: dict[str, int] = Field(description="P1 critical, P2 high, P3 advisory")
    by_family: dict[str, int]
    errors: list[str] = Field(description="files that could not be reviewed, and why")
    findings: list[FindingBrief]
    page: Page
    stored: bool = Field(description="true when this result came from the stored review of the same content")


class ChecklistItem(BaseModel):
    check: str
    status: Literal["pass", "fail", "not-applicable", "not-run"] = Field(
        description="pass only when every rule of the check ran where it applies and found nothing")
    findings: list[str] = Field(description="ids of the findings that fail the check")


class ProductionAudit(ReviewSummary):
    checklist: list[ChecklistItem]
    serving_files: list[str] = Field(description="files that load a model to predict or serve requests")


class Related(BaseModel):
    file: str
    line: int
    note: str = ""


class Remediation(BaseModel):
    summary: str
    code: str | None = None
    diff: str | None = None
    source: Literal["template", "llm"] = "template"
    notice: str | None = None


class FindingDetail(BaseModel):
    id: str
    rule: str
    rule_name: str
    severity: str
    confidence: str
    family: str
    root: str = Field(description="the reviewed path the file is relative to")
    file: str
    line: int
    end_line: int
    cell: int | None = None
    message: str
    evidence: str = Field(description="the source lines the finding points at")
    related: list[Related]
    why_it_matters: str
    how_to_fix: str
    remediation: Remediation | None = None


FeatureRow = FeatureComparison  # one feature compared between training and serving (checks.skew)


class SkewPair(BaseModel):
    training_file: str
    serving_file: str
    same: int
    different: int
    missing_at_serving: int
    extra_at_serving: int
    not_compared: int = Field(0, description="features written differently whose computation the review could not "
                                             "follow on one side (neither same nor different)")
    features: list[FeatureRow]


class SkewDiff(BaseModel):
    root: str
    pairs: list[SkewPair] = Field(description="each training file compared with the serving file it feeds")
    note: str


class RuleInfo(BaseModel):
    id: str
    name: str
    severity: str
    family: str
    summary: str
    documentation: str


class ModelCard(BaseModel):
    root: str
    markdown: str = Field(description="the model card: YAML metadata, then the sections")
    source: Literal["llm", "template"]
    notice: str | None = Field(default=None, description="why the model's version was not used, if it was asked")
    problems: list[str] = Field(description="what the validator found wrong (empty: valid)")
    tokens: int = 0


class CardCheck(BaseModel):
    valid: bool
    problems: list[str]


class AuditReport(BaseModel):
    root: str
    markdown: str = Field(description="the serving audit in seed 001's sections, each statement with file:line")
    verdict: str = Field(description="the production verdict in words")


class PlanResult(BaseModel):
    root: str
    recommendations: list[Recommendation] = Field(description="most severe first; each names the findings it resolves")
