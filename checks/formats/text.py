"""Text format: ruff's full output, one block per finding, for people reading a terminal.

    ML101 [P1] tenure_months is computed from the current time
      --> model.py:12:1
       |
    12 | df['tenure_months'] = (pd.Timestamp.now() - ...
       | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
       |
      ::: predict.py:13 inference takes tenure_months as given
       = note: wall-clock-feature (high confidence), id ML101-3f2a9c
       = help: Compute the age against a snapshot date.
"""
from __future__ import annotations

from wicked_data.checks.formats.describe import (analysed_nothing, coverage_line, help_line, plural, severity_counts,
                                                 shown_path)
from wicked_data.checks.models import Finding, Review, Severity, by_place, place

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


def render(review: Review, *, color: bool = False, expand: bool = False) -> str:
    """One block per place (the findings on one line: the most severe leads, the others are listed
    under it with their own message and fix); `expand` gives every finding a block of its own."""
    paint = Palette(color)
    groups = [[finding] for finding in review.findings] if expand else by_place(review.findings)
    blocks = [finding_block(group[0], paint, review.root, also=group[1:]) + "\n" for group in groups]
    error = paint("error", "bold", "red")
    blocks += [f"{error}: {shown_path(review.root, entry.file)}: {entry.message}" for entry in review.errors]
    blind = blind_spot_lines(review, paint)
    if blind:
        blocks.append("\n".join(blind) + "\n")
    checked = coverage_line(review)
    blocks.append((f"{checked}\n" if checked else "") + summary_line(review))
    return "\n".join(blocks)


def finding_block(finding: Finding, paint: Palette, root: str = ".", also: list[Finding] = ()) -> str:
    severity = finding.severity
    gutter = len(str(_first_shown_line(finding) + finding.evidence.rstrip("\n").count("\n")))
    pad = " " * gutter
    lines = [
        f"{paint(finding.rule, 'bold', SEVERITY_COLOURS[severity])} [{severity.value}] "
        f"{paint(finding.message, 'bold')}",
        f"{pad}{paint('-->', 'blue')} {location(finding, root)}",
    ]
    if finding.evidence.strip():
        lines += snippet(finding, gutter, paint)
    arrow = paint(":::", "blue")
    lines += details(finding, f"{pad} = ", f"{pad}{arrow}", root, paint)
    for other in also:  # the other findings on this line: each consequence, its place and its fix
        head = paint(other.rule, "bold", SEVERITY_COLOURS[other.severity])
        lines.append(f"{pad} = {paint('also here', 'bold')}: {head} [{other.severity.value}] {other.message}")
        lines += details(other, f"{pad}     ", f"{pad}     {arrow}", root, paint)
    return "\n".join(lines)


def details(finding: Finding, lead: str, arrow: str, root: str, paint: Palette) -> list[str]:
    """A finding's related places, note (name, confidence, id), help and remediation, each line
    starting with `lead` (the places with `arrow`)."""
    lines = [f"{arrow} {place(shown_path(root, r.file), r.line, r.cell, r.cell_line)} {r.note}".rstrip()
             for r in finding.related]
    note = f"{finding.name} ({finding.confidence} confidence)" + (f", id {finding.id}" if finding.id else "")
    lines.append(f"{lead}{paint('note', 'bold')}: {note}")
    hint = help_line(finding.rule, finding.fix)
    if hint:
        lines.append(f"{lead}{paint('help', 'bold', 'cyan')}: {hint}")
    fix = finding.remediation  # --remediation: the explanation, then the patch (or the corrected code)
    if fix is not None:
        lines.append(f"{lead}{paint('remediation', 'bold', 'cyan')}: {' '.join(fix.summary.split())}")
        body = fix.diff or fix.code or ""
        lines += [f"{lead}  {line}".rstrip() for line in body.rstrip().split("\n") if body]
    return lines


def location(finding: Finding, root: str = ".") -> str:
    """`file:line:col`, 1-based, the file as the user can open it; notebooks say
    `file:cell N:line:col` like ruff."""
    where = place(shown_path(root, finding.file), finding.line, finding.cell, finding.cell_line)
    return f"{where}:{finding.column + 1}"


def snippet(finding: Finding, gutter: int, paint: Palette) -> list[str]:
    """The flagged source under a numbered gutter, dedented, with carets under the flagged
    expression of its first line (to the line's end when the expression runs on)."""
    bar = paint("|", "blue")
    empty = f"{' ' * gutter} {bar}"
    first = _first_shown_line(finding)
    source_lines = finding.evidence.rstrip().split("\n")
    indent = min((len(s) - len(s.lstrip()) for s in source_lines if s.strip()), default=0)
    end = finding.end_column if finding.end_line == finding.line else None
    lines = [empty]
    for offset, source in enumerate(source_lines):
        number = paint(str(first + offset).rjust(gutter), "blue")
        lines.append(f"{number} {bar} {source[indent:]}".rstrip())
        if offset == 0:
            lines.append(f"{empty} {carets(source, finding.column, end, indent, paint)}")
    lines.append(empty)
    return lines


def carets(source: str, column: int, end: int | None, indent: int, paint: Palette) -> str:
    """Carets under `source[column:end]` (to the end of the line's code without `end`), shifted
    left by the `indent` the snippet removed."""
    code = source.rstrip()
    start = len(code) - len(code.lstrip())
    if start <= column < len(code):
        start = column
    stop = min(end, len(code)) if end is not None and end > start else len(code)
    return " " * (start - indent) + paint("^" * max(stop - start, 1), "bold", "red")


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
    lines += [f"  {shown_path(review.root, s.file)}:{s.line} {s.note}" for s in spots[:SHOWN_BLIND_SPOTS]]
    if len(spots) > SHOWN_BLIND_SPOTS:
        lines.append(f"  ... and {len(spots) - SHOWN_BLIND_SPOTS} more (--format json lists them all)")
    return lines


def summary_line(review: Review) -> str:
    files = plural(len(review.files), "file")
    nothing = analysed_nothing(review)
    if nothing:
        return f"No code checked: {nothing}."
    if not review.findings:
        return f"No findings in {files}."
    counts = ", ".join(f"{sev.value}: {n}" for sev, n in severity_counts(review.findings).items())
    places = len(by_place(review.findings))
    at = f" at {plural(places, 'place')}" if places != len(review.findings) else ""
    return f"Found {plural(len(review.findings), 'finding')}{at} ({counts}) in {files}."


def _first_shown_line(finding: Finding) -> int:
    # Notebooks number lines within the cell, as the location line does.
    return finding.line if finding.cell is None else finding.cell_line
