"""Markdown format: the review as a reviewer writes it up, by family then severity.

Families come in id order (ML1 Data Handling .. ML5 Serving) and are omitted when clean; within a
family, findings are numbered straight through Critical, High Priority and Advisory.
"""
from __future__ import annotations

import re
import textwrap

from wicked_data.checks.formats.describe import help_line, plural, severity_counts
from wicked_data.checks.models import FAMILIES, Finding, Remediation, Review, Severity, by_place

FAMILY_TITLES = {
    "data-handling": "Data Handling",
    "evaluation": "Evaluation",
    "feature-engineering": "Feature Engineering",
    "production": "Production Readiness",
    "serving": "Serving",
}
SEVERITY_TITLES = {
    Severity.P1: "Critical (P1)",
    Severity.P2: "High Priority (P2)",
    Severity.P3: "Advisory (P3)",
}


def render(review: Review, *, expand: bool = False) -> str:
    """The findings on one line make one item, under the family and severity of the most severe
    (the others are listed in it, each with its message and fix); `expand` gives each an item."""
    groups = [[finding] for finding in review.findings] if expand else by_place(review.findings)
    sections = [f"# wicked-data review: {review.root}", overview(review), summary_table(review)]
    sections += [family_section(family, groups) for family in families(review, groups)]
    if any(entry.role in MODEL_ROLES for entry in review.files):
        sections.append(readiness_checklist(review))
    if review.coverage is not None and review.coverage.rules:
        sections.append(coverage_section(review))
    sections.append(files_table(review))
    if review.errors:
        sections.append(errors_section(review))
    return "\n\n".join(sections)


def overview(review: Review) -> str:
    return (
        f"{review.tool.name} {review.tool.version} reviewed {plural(len(review.files), 'file')}: "
        f"{plural(len(review.findings), 'finding')}, {plural(len(review.errors), 'error')}."
    )


def families(review: Review, groups: list[list[Finding]] | None = None) -> list[str]:
    """Families with findings (of groups, those of the leading finding): the known ones in id
    order, then any others (unknown ids) by name."""
    present = {group[0].family for group in groups} if groups is not None else \
        {finding.family for finding in review.findings}
    known = [family for family in FAMILIES.values() if family in present]
    return known + sorted(present - set(known))


def family_title(family: str) -> str:
    return FAMILY_TITLES.get(family, family.replace("-", " ").title())


def summary_table(review: Review) -> str:
    if not review.findings:
        return "## Summary\n\nNo findings."
    rows = ["## Summary", "", "| Family | P1 | P2 | P3 | Total |", "|---|---:|---:|---:|---:|"]
    for family in families(review):
        counts = severity_counts([f for f in review.findings if f.family == family])
        rows.append(table_row(family_title(family), *counts.values(), sum(counts.values())))
    totals = severity_counts(review.findings)
    rows.append(table_row("**Total**", *totals.values(), len(review.findings)))
    return "\n".join(rows)


def family_section(family: str, groups: list[list[Finding]]) -> str:
    parts = [f"## {family_title(family)}"]
    number = 1
    for severity in Severity:
        items = [g for g in groups if g[0].family == family and g[0].severity == severity]
        if not items:
            continue
        parts.append(f"### {SEVERITY_TITLES[severity]}")
        # Numbering runs on across severities; Markdown lists honour a start number above 1.
        parts += [finding_item(number + offset, group[0], group[1:]) for offset, group in enumerate(items)]
        number += len(items)
    return "\n\n".join(parts)


def finding_item(number: int, finding: Finding, also: list[Finding] = ()) -> str:
    marker = f"{number}. "
    message = " ".join(finding.message.split())
    head = (
        f"{marker}**{finding.name}** (`{finding.rule}`, {finding.confidence} confidence) — "
        f"{message} — `{location(finding)}`"
    )
    blocks = []
    if finding.evidence.strip():
        blocks.append(code_block(textwrap.dedent(finding.evidence)))
    if finding.related:
        related = [f"- related: `{r.where}` {r.note}".rstrip()
                   for r in finding.related]
        blocks.append("\n".join(related))
    # The fix in this finding's own terms; a rule's generic example would name another project's columns.
    hint = help_line(finding.rule, finding.fix)
    if hint:
        blocks.append(f"**Fix:** {hint}")
    if finding.remediation is not None:
        blocks.append(remediation_block(finding.remediation))
    for other in also:  # the other findings on this line, each with its consequence and fix
        message = " ".join(other.message.split())
        lines = [f"- **Also here:** **{other.name}** (`{other.rule}`, {other.severity.value}, {other.confidence} "
                 f"confidence) — {message}"]
        lines += [f"  - related: `{r.where}` {r.note}".rstrip() for r in other.related]
        hint = help_line(other.rule, other.fix)
        if hint:
            lines.append(f"  - **Fix:** {hint}")
        blocks.append("\n".join(lines))
        if other.remediation is not None:
            blocks.append(indent_block(remediation_block(other.remediation), "  "))
    # A list item's continuation is indented to its text, or Markdown ends the item.
    indent = " " * len(marker)
    return "\n\n".join([head, *(indent_block(block, indent) for block in blocks)])


def remediation_block(remediation: Remediation) -> str:
    """`--remediation`: the explanation, then the patch (or the corrected code when no codemod applies)."""
    who = "written by the model, checked against the code" if remediation.source == "llm" else "from the rule's knowledge"
    parts = [f"**Remediation** ({who}): {' '.join(remediation.summary.split())}"]
    if remediation.diff:
        parts.append(code_block(remediation.diff, "diff"))
    elif remediation.code:
        parts.append(code_block(remediation.code))
    return "\n\n".join(parts)


def location(finding: Finding) -> str:
    return finding.where


def code_block(source: str, language: str = "python") -> str:
    # The fence must be longer than any backtick run in the code, or the code would close it.
    longest = max((len(run) for run in re.findall(r"`+", source)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{source.rstrip()}\n{fence}"


def indent_block(block: str, indent: str) -> str:
    return "\n".join(indent + line if line.strip() else "" for line in block.split("\n"))


# The production-readiness checklist: each line passes when none of its rules has a finding.
MODEL_ROLES = {"training", "inference", "serving", "notebook"}
READINESS = (
    ("Model versioning and metadata", ("ML401",)),
    ("Input validation", ("ML404", "ML505")),
    ("Monitoring of predictions, inputs and latency", ("ML408",)),
    ("Error handling on the load/feature/predict path", ("ML406", "ML405", "ML507")),
    ("Model loading (once, safely)", ("ML402", "ML407", "ML503")),
    ("Configurable paths", ("ML403", "ML410")),
    ("A/B and version comparison (model version in responses)", ("ML409",)),
    ("Training and serving compute features the same way", ("ML301", "ML302", "ML303", "ML307")),
)


# How a check reads when no finding fails it, from the coverage of its rules (spec/output.md: a
# report never shows a check as passed unless its rules ran where they apply).
STATUS_TEXT = {"fail": "❌ fail", "pass": "✅ pass", "not-applicable": "➖ not applicable",
               "not-run": "⚪ not checked"}


# A check that means nothing without its lead rule's subject: parity needs a training and a serving side
# to compare (ML301 applies), whatever the training-side rules of the check say.
GATED = {"Training and serving compute features the same way": "ML301"}


def readiness(review: Review) -> list[tuple[str, list[Finding], str]]:
    """Each production concern this installation checks, with the findings that fail it and its
    status: `fail` (a finding), `pass` (every rule of it ran where it applies and found nothing),
    `not-applicable` (nothing it checks exists here: no serving code), `not-run` (a rule of it was
    deselected, or the review holds no coverage to say it ran). The Markdown report and the MCP
    `production_audit` tool both show this."""
    from wicked_data.checks.rules.base import registry

    known = set(registry())
    coverage = review.coverage.rules if review.coverage is not None else {}
    out = []
    for title, rules in READINESS:
        rules = tuple(r for r in rules if r in known)
        if not rules:
            continue
        hits = [f for f in review.findings if f.rule in rules]
        statuses = {coverage.get(r, "not-run") for r in rules}
        if title in GATED and coverage.get(GATED[title]) == "not-applicable" and not hits:
            statuses = {"not-applicable"}
        if hits:
            status = "fail"
        elif "not-run" in statuses:
            status = "not-run"
        elif statuses == {"not-applicable"}:
            status = "not-applicable"
        else:
            status = "pass"
        out.append((title, hits, status))
    return out


def verdict(review: Review) -> str:
    """The production verdict in words: not ready while a check fails or a P1 finding is open; never
    ready on checks that did not run."""
    checks = readiness(review)
    failing = [title for title, _, status in checks if status == "fail"]
    unchecked = [title for title, _, status in checks if status == "not-run"]
    p1 = sum(1 for f in review.findings if f.severity.value == "P1")
    if failing or p1:
        reasons = []
        if failing:
            reasons.append(f"{len(failing)} of {len(checks)} production checks fail")
        if p1:
            reasons.append(f"{p1} P1 finding{'s' if p1 != 1 else ''} {'are' if p1 != 1 else 'is'} open")
        text = " and ".join(reasons)
        return f"**Verdict: not production ready.** {text[0].upper()}{text[1:]}."
    if unchecked:
        return (f"**Verdict: not shown to be production ready.** No check failed, but {len(unchecked)} of "
                f"{len(checks)} were not checked in this review ({', '.join(unchecked)}).")
    if all(status == "not-applicable" for _, _, status in checks):
        return "**Verdict: no production code to judge.** The review found no serving or inference code."
    return ("**Verdict: no production blocker found** by the checks that apply here; the blind spots below "
            "say what the review could not see.")


def readiness_checklist(review: Review) -> str:
    """Status per production concern, each failure citing its findings, then the verdict in words."""
    rows = ["## Production-readiness checklist", "", "| Check | Status | Findings |", "|---|---|---|"]
    for title, hits, status in readiness(review):
        cited = ", ".join(f"`{f.id}` {location(f)}" for f in hits[:4]) + (" ..." if len(hits) > 4 else "")
        rows.append(table_row(title, STATUS_TEXT[status], cited or "none"))
    rows += ["", verdict(review)]
    return "\n".join(rows)


def coverage_section(review: Review) -> str:
    """Which rules found something, passed, had nothing to check or did not run, and the places the
    analysis could not follow."""
    from wicked_data.checks.formats.describe import COVERAGE_ORDER, COVERAGE_WORDS

    coverage = review.coverage
    rows = ["## Coverage", "", "| Rules | Status |", "|---|---|"]
    for status in COVERAGE_ORDER:
        rules = sorted(r for r, s in coverage.rules.items() if s == status)
        if rules:
            rows.append(table_row(", ".join(rules), COVERAGE_WORDS[status]))
    errors = {(e.file, e.message) for e in review.errors}
    spots = [s for s in coverage.blind_spots if (s.file, s.note) not in errors]
    if spots:
        rows += ["", f"Blind spots ({len(spots)}): the analysis could not follow these places, so no finding there "
                 "does not mean checked and clean.", ""]
        rows += [f"- `{s.file}:{s.line}` {' '.join(s.note.split())}" for s in spots[:30]]
        if len(spots) > 30:
            rows.append(f"- ... and {len(spots) - 30} more (`--format json` lists them all)")
    return "\n".join(rows)


def files_table(review: Review) -> str:
    if not review.files:
        return "## Files reviewed\n\nNo files were reviewed."
    rows = ["## Files reviewed", "", "| Path | Role |", "|---|---|"]
    rows += [table_row(f"`{entry.path}`", entry.role) for entry in review.files]
    return "\n".join(rows)


def errors_section(review: Review) -> str:
    lines = ["## Errors", ""]
    lines += [f"- `{error.file}`: {' '.join(error.message.split())}" for error in review.errors]
    return "\n".join(lines)


def table_row(*cells: object) -> str:
    return "| " + " | ".join(escape_cell(str(cell)) for cell in cells) + " |"


def escape_cell(text: str) -> str:
    """A pipe would end the cell and a newline the row; neither may survive inside one."""
    return " ".join(text.split()).replace("|", "\\|")
