"""SARIF 2.1.0 format: for code-scanning services (GitHub code scanning, Azure DevOps, IDE viewers).

Locations are relative to the reviewed root, named by the `%SRCROOT%` base id that
`run.originalUriBaseIds` resolves to the root's absolute `file:` URI (the one thing this format
reads from outside the review: the working directory a relative root is taken from);
`partialFingerprints` carries the finding's stable id so a service tracks one finding across runs
even when its line moves; the run's `properties.coverage` says what was checked and what could not
be seen, so an empty result list is not read as a clean bill of health.
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from wicked_data.checks.formats.describe import analysed_nothing, summary
from wicked_data.checks.models import Finding, Review, Severity, family_of
from wicked_data.checks.rules.base import Rule, registry

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/wicked-data/wicked-data"
SRCROOT = "%SRCROOT%"
LEVELS = {Severity.P1: "error", Severity.P2: "warning", Severity.P3: "note"}


def render(review: Review) -> str:
    return json.dumps(sarif_log(review), indent=2)


def sarif_log(review: Review) -> dict:
    descriptors = rule_descriptors(review.findings)
    rule_index = {descriptor["id"]: index for index, descriptor in enumerate(descriptors)}
    run = {
        "tool": {
            "driver": {
                "name": review.tool.name,
                "version": review.tool.version,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }
        },
        # Unreadable files do not make the run fail: the rest was reviewed, and they are reported;
        # a run that could check no file at all did not succeed.
        "invocations": [
            {
                "executionSuccessful": not analysed_nothing(review),
                "toolExecutionNotifications": [
                    notification(error.file, error.message) for error in review.errors
                ],
            }
        ],
        "originalUriBaseIds": {SRCROOT: {"uri": root_uri(review.root)}},
        "results": [result(finding, rule_index[finding.rule]) for finding in review.findings],
    }
    if review.coverage is not None:
        run["properties"] = {"coverage": review.coverage.model_dump(mode="json")}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def rule_descriptors(findings: list[Finding]) -> list[dict]:
    """Every registered rule, then any rule a finding names that this installation does not know."""
    rules = registry()
    descriptors = [registered_descriptor(rule) for rule in rules.values()]
    unknown = {finding.rule: finding for finding in findings if finding.rule not in rules}
    return descriptors + [unknown_descriptor(finding) for finding in unknown.values()]


def registered_descriptor(rule: type[Rule]) -> dict:
    descriptor = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": summary(rule)},
        "fullDescription": {"text": rule.section("What it does") or summary(rule)},
        "defaultConfiguration": {"level": LEVELS[Severity(rule.severity)]},
        "properties": {"tags": [family_of(rule.id)]},
    }
    fix = rule.section("Use instead")
    if fix:
        descriptor["help"] = {"text": fix, "markdown": fix}
    return descriptor


def unknown_descriptor(finding: Finding) -> dict:
    return {
        "id": finding.rule,
        "name": finding.name,
        "shortDescription": {"text": finding.name},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
        "properties": {"tags": [finding.family]},
    }


def result(finding: Finding, rule_index: int) -> dict:
    region = {
        "startLine": finding.line,
        "startColumn": finding.column + 1,
        "endLine": finding.end_line,
    }
    end = finding.end_column
    if end is not None and (finding.end_line > finding.line or end > finding.column):
        region["endColumn"] = end + 1  # SARIF's end column is exclusive and 1-based
    if finding.evidence.strip():
        region["snippet"] = {"text": finding.evidence}
    properties = {"confidence": finding.confidence, "severity": finding.severity.value}
    if finding.fix:
        properties["fix"] = finding.fix
    if finding.cell is not None:
        properties.update(cell=finding.cell, cellLine=finding.cell_line)
    sarif_result = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": physical_location(finding.file, region)}],
    }
    if finding.related:
        sarif_result["relatedLocations"] = [
            related_location(index, other.file, other.line, other.note)
            for index, other in enumerate(finding.related)
        ]
    if finding.id:
        sarif_result["fingerprints"] = {"wickedData/v1": finding.id}
        sarif_result["partialFingerprints"] = {"wickedData/v1": finding.id}
    sarif_result["properties"] = properties
    return sarif_result


def related_location(index: int, file: str, line: int, note: str) -> dict:
    location = {"id": index, "physicalLocation": physical_location(file, {"startLine": line})}
    if note:
        location["message"] = {"text": note}
    return location


def physical_location(file: str, region: dict | None = None) -> dict:
    location = {"artifactLocation": {"uri": quote(file), "uriBaseId": SRCROOT}}
    if region:
        location["region"] = region
    return location


def notification(file: str, message: str) -> dict:
    return {
        "level": "error",
        "message": {"text": message},
        "locations": [{"physicalLocation": physical_location(file)}],
    }


def root_uri(root: str) -> str:
    """The reviewed root as an absolute `file:` directory URI (SARIF 2.1.0 §3.14.14: a base id
    that is not absolute must itself be resolved by another, which a consumer cannot do)."""
    return Path(root).absolute().as_uri().rstrip("/") + "/"
