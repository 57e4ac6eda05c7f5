"""Turn a rule's embedded example into files on disk and read its inline expectations.

An example is a source string or {file name: source}. In a `.ipynb` entry, lines that are exactly
`# %%` separate cells (`# %% [7]` also saves execution count 7 for the cell it opens). `# ruleid: MLxxx` marks a line that must be flagged; `# todoruleid: MLxxx`
marks a known miss that must stay unflagged until the rule learns it (then the marker changes)."""
from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

MARK = re.compile(r"(?:#|--)\s*(todoruleid|ruleid):\s*(ML\d{3}(?:\s*,\s*ML\d{3})*)")


def write_example(example, folder: Path) -> dict[str, str]:
    files = example if isinstance(example, dict) else {"example.py": example}
    written = {}
    for name, source in files.items():
        source = textwrap.dedent(source).lstrip("\n")
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".ipynb"):
            pieces = re.split(r"^# %%(?: \[(\d+)\])?$", source, flags=re.M)
            if pieces[0].strip() or len(pieces) == 1:  # a first cell without a marker
                cells, counts = [pieces[0].strip("\n")], [None]
            else:
                cells, counts = [], []
            for count, text in zip(pieces[1::2], pieces[2::2]):
                cells.append(text.strip("\n"))
                counts.append(int(count) if count else None)
            path.write_text(json.dumps(notebook(cells, counts)))
            written[name] = "\n".join(cells)
        else:
            path.write_text(source)
            written[name] = source
    return written


def notebook(cells: list[str], counts: list[int | None] | None = None) -> dict:
    counts = counts or [None] * len(cells)
    return {
        "nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "cells": [{"cell_type": "code", "metadata": {}, "execution_count": count, "outputs": [],
                   "source": cell.splitlines(keepends=True)} for cell, count in zip(cells, counts)],
    }


def expectations(written: dict[str, str], rule_id: str) -> tuple[set, set]:
    """(lines that must be flagged, known misses) as sets of (file, line)."""
    must, todo = set(), set()
    for name, text in written.items():
        for number, line in enumerate(text.splitlines(), start=1):
            for kind, codes in MARK.findall(line):
                if rule_id in re.split(r"\s*,\s*", codes):
                    (must if kind == "ruleid" else todo).add((name, number))
    return must, todo
