"""GitHub Actions format: workflow commands that annotate the pull request, one per finding.

    ::error file=models/churn/model.py,line=12,endLine=12,col=1,title=ML101 wall-clock-feature::...

Escaping follows the Actions toolkit (`@actions/core` `issueCommand`): the message escapes `%`,
CR and LF; property values also escape `:` and `,`, which would otherwise end them.
"""
from __future__ import annotations

from wicked_data.checks.formats.describe import shown_path
from wicked_data.checks.models import Finding, Review, Severity

COMMANDS = {Severity.P1: "error", Severity.P2: "warning", Severity.P3: "notice"}


def render(review: Review) -> str:
    lines = [finding_command(review.root, finding) for finding in review.findings]
    lines += [error_command(review.root, error.file, error.message) for error in review.errors]
    return "\n".join(lines)


def finding_command(root: str, finding: Finding) -> str:
    title = f"{finding.rule} {finding.name}"
    # GitHub shows notebook lines against the raw JSON; the cell tells the reader where to look.
    cell = finding.where if finding.cell is not None else ""
    properties = {
        "file": shown_path(root, finding.file),
        "line": finding.line,
        "endLine": finding.end_line,
        "col": finding.column + 1,
        **({"endColumn": finding.end_column} if finding.end_column and finding.end_line == finding.line
           and finding.end_column > finding.column else {}),
        "title": f"{title} ({cell})" if cell else title,
    }
    return command(COMMANDS[finding.severity], properties, finding.message)


def error_command(root: str, file: str, message: str) -> str:
    properties = {"file": shown_path(root, file), "title": "wicked-data could not review this file"}
    return command("error", properties, message)


def command(name: str, properties: dict[str, object], message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name} {props}::{escape_data(message)}"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
