"""Report formats: one module per format, each turning a `Review` into the text a surface prints.

Every renderer is a pure function of the review (no clock, no filesystem), so the CLI, the MCP
server and the tests print the same bytes for the same review. Output has no trailing newline:
the caller prints it.
"""
from __future__ import annotations

from wicked_data.checks.formats import github, json_report, markdown, sarif, text
from wicked_data.checks.models import Review

FORMATS = ("text", "json", "markdown", "sarif", "github")

# Formats for machines and files carry no colour, so they take the review alone.
_UNCOLOURED = {
    "json": json_report.render,
    "markdown": markdown.render,
    "sarif": sarif.render,
    "github": github.render,
}


def render(review: Review, fmt: str, *, color: bool = False, expand: bool = False) -> str:
    """The review in format `fmt`; `color` adds ANSI styling to the text format only. The formats a
    person reads (text, markdown) show the findings on one line as one item; `expand` lists each."""
    if fmt == "text":
        return text.render(review, color=color, expand=expand)
    if fmt == "markdown":
        return markdown.render(review, expand=expand)
    if fmt not in _UNCOLOURED:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return _UNCOLOURED[fmt](review)
