"""Reading files to review: Python sources and notebooks, with every kind of bad input turned into
a clear `SourceError` instead of an exception that stops the review.

A notebook becomes one module: its code cells joined in order with newlines. IPython magics and
shell escapes are commented out in place so line numbers stay true, and `cell_of(line)` maps a
line of the joined text back to (cell index among all cells, line within the cell).
"""
from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE_BYTES = 2_000_000


class SourceError(Exception):
    """A file that cannot be reviewed; the message says why in words a user can act on."""


@dataclass
class SourceFile:
    path: Path
    rel: str
    text: str
    is_notebook: bool = False
    # For notebooks: first joined-text line (1-based) of each code cell, and that cell's index.
    cell_starts: list[int] = field(default_factory=list)
    cell_indexes: list[int] = field(default_factory=list)

    def cell_of(self, line: int) -> tuple[int, int] | None:
        if not self.is_notebook or not self.cell_starts:
            return None
        pos = bisect_right(self.cell_starts, line) - 1
        if pos < 0:
            return None
        return self.cell_indexes[pos], line - self.cell_starts[pos] + 1


def read_bytes(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise SourceError(f"file is {size:,} bytes, over the {max_bytes:,}-byte limit; skipped")
        return path.read_bytes()
    except PermissionError:
        raise SourceError("permission denied: the file cannot be read") from None
    except FileNotFoundError:
        raise SourceError("file not found (a dangling symlink?)") from None
    except OSError as exc:
        raise SourceError(f"cannot be read: {exc.strerror or exc}") from None


def decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise SourceError("binary file (contains NUL bytes); skipped")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8 to review it"
        ) from None


def load(path: Path, rel: str, max_bytes: int = MAX_FILE_BYTES, data: bytes | None = None) -> SourceFile:
    """Read (unless the bytes are given) and decode a source file or notebook."""
    text = decode(read_bytes(path, max_bytes) if data is None else data)
    if path.suffix == ".ipynb":
        return _notebook(path, rel, text)
    return SourceFile(path=path, rel=rel, text=text)


_MAGIC = re.compile(r"^(\s*)([%!?]|[A-Za-z_][\w.]*\?\??\s*$)")


def _neutralise_magics(lines: list[str]) -> list[str]:
    """Comment out IPython magics and shell escapes; a cell magic comments the whole cell."""
    if lines and lines[0].lstrip().startswith("%%"):
        return ["#" + line for line in lines]
    out = []
    for line in lines:
        match = _MAGIC.match(line)
        if match:
            indent = match.group(1)
            out.append(f"{indent}pass  #" + line[len(indent):] if indent else "#" + line)
        else:
            out.append(line)
    return out


def _cell_source(cell: dict, index: int) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        if not all(isinstance(part, str) for part in source):
            raise SourceError(f"malformed notebook: cell {index} source is not text")
        source = "".join(source)
    if not isinstance(source, str):
        raise SourceError(f"malformed notebook: cell {index} source is not text")
    return source


def _notebook(path: Path, rel: str, text: str) -> SourceFile:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"malformed notebook: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    cells = doc.get("cells") if isinstance(doc, dict) else None
    if not isinstance(cells, list):
        raise SourceError("malformed notebook: no 'cells' list (is this nbformat 4?)")
    parts: list[str] = []
    starts: list[int] = []
    indexes: list[int] = []
    line = 1
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict):
            raise SourceError(f"malformed notebook: cell {index} is not an object")
        if cell.get("cell_type") != "code":
            continue
        lines = _neutralise_magics(_cell_source(cell, index).split("\n"))
        starts.append(line)
        indexes.append(index)
        parts.append("\n".join(lines))
        line += len(lines)
    return SourceFile(
        path=path, rel=rel, text="\n".join(parts), is_notebook=True, cell_starts=starts, cell_indexes=indexes
    )
