"""The review's data model: what every surface (CLI, MCP server, reports) prints or returns.

The JSON shape is the contract of `shared/spec/output.md`; field names here are that contract.
"""
from __future__ import annotations

import hashlib
import re
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA = "wicked-data/review@1"

Role = Literal["training", "inference", "serving", "notebook", "config", "feature", "other"]
Confidence = Literal["high", "medium", "low"]


class Severity(str, Enum):
    """P1 critical, P2 high, P3 advisory. Ordered: P1 < P2 < P3 in rank (P1 is the most severe)."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"

    @property
    def rank(self) -> int:
        return int(self.value[1])

    def at_least(self, floor: "Severity") -> bool:
        """True when this severity is as severe as `floor` or more (P1 is at least P2)."""
        return self.rank <= floor.rank


FAMILIES = {
    "1": "data-handling",
    "2": "evaluation",
    "3": "feature-engineering",
    "4": "production",
    "5": "serving",
}


def family_of(rule_id: str) -> str:
    return FAMILIES.get(rule_id[2:3], "other")


def place(file: str, line: int, cell: int | None = None, cell_line: int | None = None) -> str:
    """`model.py:12`; in a notebook `churn.ipynb:cell 3:4` (1-based cell and line in the cell), the
    same in every report, answer and plan."""
    if cell is None:
        return f"{file}:{line}"
    return f"{file}:cell {cell}:{cell_line}"


CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}


def by_place(findings: list["Finding"]) -> list[list["Finding"]]:
    """The findings grouped by the line they point at (one item per place in a report a person
    reads: line 26 of seed 000 has four findings on one call), the most severe, then the most
    confident, first; groups in the order their first finding comes."""
    groups: dict[tuple[str, int], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.file, finding.line), []).append(finding)
    return [sorted(group, key=lambda f: (f.severity.rank, CONFIDENCE_RANK.get(f.confidence, 3), f.rule))
            for group in groups.values()]


class Related(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file: str
    line: int
    note: str = ""
    cell: int | None = None  # in a notebook: the cell (from 1) and the line within it
    cell_line: int | None = None

    @property
    def where(self) -> str:
        return place(self.file, self.line, self.cell, self.cell_line)


class Remediation(BaseModel):
    """How to fix one finding: an explanation, corrected code, a patch when a codemod applies, and
    who wrote it (`template`: the deterministic knowledge; `llm`: the model, after validation)."""

    model_config = ConfigDict(extra="forbid")
    summary: str
    code: str | None = None
    diff: str | None = None
    source: Literal["template", "llm"] = "template"


class Finding(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = ""
    rule: str
    name: str
    family: str
    severity: Severity
    confidence: Confidence
    message: str
    file: str
    line: int
    column: int = 0
    end_line: int
    # where the flagged expression ends on `end_line` (0-based, exclusive, in characters, as ruff's
    # end location); None when only the line is known
    end_column: int | None = None
    evidence: str
    related: list[Related] = Field(default_factory=list)
    cell: int | None = None
    cell_line: int | None = None
    # one line: what to change here, in the finding's own names (None: the rule's advice applies)
    fix: str | None = None
    # the ids of the review's other findings on the same line (the reports a person reads show
    # them as one item, led by the most severe)
    also: list[str] = Field(default_factory=list)
    remediation: Remediation | None = None

    @property
    def where(self) -> str:
        """`file:line`, or `file.ipynb:cell N:M` in a notebook."""
        return place(self.file, self.line, self.cell, self.cell_line)

    def fingerprint(self) -> str:
        """Stable across runs and line shifts: rule + file + whitespace-normalised evidence."""
        text = f"{self.rule}|{self.file}|{normalise_evidence(self.evidence)}"
        return hashlib.sha1(text.encode()).hexdigest()[:6]

    def with_id(self) -> "Finding":
        return self.model_copy(update={"id": f"{self.rule}-{self.fingerprint()}"})


def normalise_evidence(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class FileEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str
    role: Role


class ErrorEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file: str
    message: str


RuleStatus = Literal["found", "passed", "not-applicable", "not-run"]


class BlindSpot(BaseModel):
    """A place on a path the rules care about that the analysis could not follow."""
    model_config = ConfigDict(extra="forbid")
    file: str
    line: int
    note: str


class ProjectEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    root: str
    files: list[str] = Field(default_factory=list)


class Coverage(BaseModel):
    """What the review knows, rule by rule, and what it could not see (`spec/output.md`)."""
    model_config = ConfigDict(extra="forbid")
    rules: dict[str, RuleStatus] = Field(default_factory=dict)
    blind_spots: list[BlindSpot] = Field(default_factory=list)
    projects: list[ProjectEntry] = Field(default_factory=list)


class ToolInfo(BaseModel):
    name: str = "wicked-data"
    version: str


class Review(BaseModel):
    """One review of one root: the findings, the files looked at and what could not be read."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: str = Field(default=SCHEMA, alias="schema")
    tool: ToolInfo
    root: str
    files: list[FileEntry] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    errors: list[ErrorEntry] = Field(default_factory=list)
    coverage: Coverage | None = None

    def to_json_dict(self) -> dict:
        data = self.model_dump(mode="json", by_alias=True)
        if data.get("coverage") is None:
            data.pop("coverage", None)
        for finding in data["findings"]:
            for place in (finding, *finding.get("related", ())):
                if place.get("cell") is None:
                    place.pop("cell", None)
                    place.pop("cell_line", None)
            if finding.get("remediation") is None:
                finding.pop("remediation", None)
            for optional in ("end_column", "fix", "also"):
                if not finding.get(optional) and finding.get(optional) != 0:
                    finding.pop(optional, None)
        return data
