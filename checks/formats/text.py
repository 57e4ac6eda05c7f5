"""Text format: ruff's full output, one block per finding, for people reading a terminal.

    ML101 [P1] tenure_months is computed from the current time
      --> model.py:12:1
       |
    12 | df['tenure_months'] = (pd.Timestamp.now() - ...
       | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
       |
      ::: predict.py:13 inference takes tenure_months as given
       = note: wall-clock-feature (high confidence)
       = help: Compute the age against a snapshot date.
"""
from __future__ import annotations

from checks.formats.describe import help_line, plural, severity_counts
from checks.models import Finding, Review, Severity

SEVERITY_COLOURS = {Severity.P1: "red", Severity.P2: "yellow", Severity.P3: "cyan"}


class Palette:
    """ANSI styling that turns into a no-op when colour is off, so one code path prints both."""

    CODES = {"bold": "1", "red": "31", "yellow": "33", "blue": "34", "cyan": "36"}

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __call__(self, text: str, *styles: str) -> str:
        if not self.enabled or not text:
            return text
        codes = ";".join(self.CODES[style] for style in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"


def render(review: Review, *, color: bool = False) -> str:
    paint = Palette(color)
    blocks = [finding_block(finding, paint) + "\n" for finding in review.findings]
    error = paint("error", "bold", "red")
    blocks += [f"{error}: {entry.file}: {entry.message}" for entry in review.errors]
    blind = blind_spot_lines(review, paint)
    if blind:
        blocks.append("\n".join(blind) + "\n")
    blocks.append(summary_line(review))
    return "\n".join(blocks)


def finding_block(finding: Finding, paint: Palette) -> str:
    severity = finding.severity
    gutter = len(str(_first_shown_line(finding) + finding.evidence.rstrip("\n").count("\n")))
    pad = " " * gutter
    lines = [
        f"{paint(finding.rule, 'bold', SEVERITY_COLOURS[severity])} [{severity.value}] "
        f"{paint(finding.message, 'bold')}",
        f"{pad}{paint('-->', 'blue')} {location(finding)}",
    ]
    if finding.evidence.strip():
        lines += snippet(finding, gutter, paint)
    arrow = paint(":::", "blue")
    lines += [f"{pad}{arrow} {r.file}:{r.line} {r.note}".rstrip() for r in finding.related]
    note = f"{finding.name} ({finding.confidence} confidence)"
    lines.append(f"{pad} = {paint('note', 'bold')}: {note}")
    hint = help_line(finding.rule)
    if hint:
        lines.append(f"{pad} = {paint('help', 'bold', 'cyan')}: {hint}")
    return "\n".join(lines)


def location(finding: Finding) -> str:
    """`file:line:col`, 1-based; notebooks say `file:cell N:line:col` like ruff."""
    column = finding.column + 1
    if finding.cell is None:
        return f"{finding.file}:{finding.line}:{column}"
    return f"{finding.file}:cell {finding.cell}:{finding.cell_line}:{column}"


def snippet(finding: Finding, gutter: int, paint: Palette) -> list[str]:
    """The flagged source under a numbered gutter, with carets under the flagged line."""
    bar = paint("|", "blue")
    empty = f"{' ' * gutter} {bar}"
    first = _first_shown_line(finding)
    lines = [empty]
    for offset, source in enumerate(finding.evidence.rstrip("\n").split("\n")):
        number = paint(str(first + offset).rjust(gutter), "blue")
        lines.append(f"{number} {bar} {source}".rstrip())
        if offset == 0:
            lines.append(f"{empty} {carets(source, finding.column, paint)}")
    lines.append(empty)
    return lines


def carets(source: str, column: int, paint: Palette) -> str:
    """Carets from the finding's column to the end of the line's code."""
    code = source.rstrip()
    if column >= len(code):  # evidence was trimmed or the column is off: underline the code
        column = len(code) - len(code.lstrip())
    return " " * column + paint("^" * max(len(code) - column, 1), "bold", "red")


SHOWN_BLIND_SPOTS = 10


def blind_spot_lines(review: Review, paint: Palette) -> list[str]:
    """What the analysis could not follow (files that failed are already printed as errors):
    absence of findings there is not a clean bill of health."""
    if review.coverage is None:
        return []
    errors = {(e.file, e.message) for e in review.errors}
    spots = [s for s in review.coverage.blind_spots if (s.file, s.note) not in errors]
    if not spots:
        return []
    head = paint("blind spots", "bold", "yellow")
    lines = [f"{head}: {plural(len(spots), 'place')} the analysis could not follow; no finding there does not "
             "mean checked and clean"]
    lines += [f"  {s.file}:{s.line} {s.note}" for s in spots[:SHOWN_BLIND_SPOTS]]
    if len(spots) > SHOWN_BLIND_SPOTS:
        lines.append(f"  ... and {len(spots) - SHOWN_BLIND_SPOTS} more (--format json lists them all)")
    return lines


def summary_line(review: Review) -> str:
    files = plural(len(review.files), "file")
    if not review.findings:
        return f"No findings in {files}."
    counts = ", ".join(f"{sev.value}: {n}" for sev, n in severity_counts(review.findings).items())
    return f"Found {plural(len(review.findings), 'finding')} ({counts}) in {files}."


def _first_shown_line(finding: Finding) -> int:
    # Notebooks number lines within the cell, as the location line does.
    return finding.line if finding.cell is None else finding.cell_line
