"""Reading files to review: Python sources and notebooks, with every kind of bad input turned into
a clear `SourceError` instead of an exception that stops the review.

A notebook becomes one module: its code cells joined with newlines, in the order they ran when the
saved execution counts say they ran in another order than they are shown (`executed_out_of_order`)
and one run in that order could have produced them, else in cell order. IPython magics, shell
escapes and the package-manager automagics (`pip install x` with no `%`) are commented out in place so line numbers stay true (a `%` that continues an expression
inside brackets is the operator, not a magic); `%run helpers.py` becomes `from helpers import *`
on its line, since the script's names become the notebook's; and
`cell_of(line)` maps a line of the joined text back to (cell number counting every cell from 1, as
Jupyter and VS Code show them; line within the cell, from 1).
"""
from __future__ import annotations

import ast
import json
import keyword
import os
import re
import stat
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_FILE_BYTES = 2_000_000


class SourceError(Exception):
    """A file that cannot be reviewed; the message says why in words a user can act on."""


@dataclass
class SourceFile:
    path: Path
    rel: str
    text: str
    is_notebook: bool = False
    # For notebooks: first joined-text line (1-based) of each code cell, and that cell's number
    # (1-based, counting every cell), in the order the cells are joined.
    cell_starts: list[int] = field(default_factory=list)
    cell_indexes: list[int] = field(default_factory=list)
    # The saved execution counts show the cells ran in another order than shown: (cell number,
    # execution count) of each code cell that ran, in the order they are shown.
    executed_out_of_order: list[tuple[int, int]] = field(default_factory=list)
    _starts: dict[int, int] | None = field(default=None, repr=False, compare=False)
    # For notebooks: the plain-text outputs saved with each code cell (cell number -> text), the
    # evidence a run left behind (a printed `value_counts()`).
    outputs: dict[int, str] = field(default_factory=dict, repr=False)

    def output_at(self, line: int) -> str | None:
        """The saved output of the cell holding `line` (None outside notebooks or when empty)."""
        cell = self.cell_of(line)
        return self.outputs.get(cell[0]) if cell else None

    def cell_of(self, line: int) -> tuple[int, int] | None:
        if not self.is_notebook or not self.cell_starts:
            return None
        pos = bisect_right(self.cell_starts, line) - 1
        if pos < 0:
            return None
        return self.cell_indexes[pos], line - self.cell_starts[pos] + 1

    def shown_line(self, line: int) -> int:
        """The line of the joined text (analysed in the order the cells ran) in the cells joined in
        the order they are shown: the `line` a finding reports."""
        if not self.executed_out_of_order:
            return line
        cell = self.cell_of(line)
        return line if cell is None else self._shown_starts()[cell[0]] + cell[1] - 1

    def from_shown(self, shown: int) -> int:
        """The inverse of `shown_line`: the line of the joined text for a line as shown."""
        if not self.executed_out_of_order:
            return shown
        starts = self._shown_starts()
        number = max((n for n, start in starts.items() if start <= shown), key=lambda n: starts[n], default=None)
        if number is None:
            return shown
        return self.cell_starts[self.cell_indexes.index(number)] + shown - starts[number]

    def _shown_starts(self) -> dict[int, int]:
        if self._starts is None:
            ends = [*self.cell_starts[1:], self.text.count("\n") + 2]
            lengths = {number: end - first for number, first, end in zip(self.cell_indexes, self.cell_starts, ends)}
            self._starts, shown = {}, 1
            for number in sorted(lengths):
                self._starts[number] = shown
                shown += lengths[number]
        return self._starts

    def where(self, line: int) -> str:
        """`line 12`, or `cell 4, line 2` in a notebook."""
        cell = self.cell_of(line)
        return f"cell {cell[0]}, line {cell[1]}" if cell else f"line {line}"


def read_bytes(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most `max_bytes` bytes. Anything else (a FIFO, a device such
    as `/dev/zero`, a socket, a folder) is refused before it is opened, and the read itself is
    bounded, so a file that grows while it is read cannot take the memory."""
    try:
        st = os.stat(path)  # follows links: a link to /dev/zero is judged as /dev/zero
        if not stat.S_ISREG(st.st_mode):
            raise SourceError(f"not a regular file ({_kind(st.st_mode)}); skipped")
        if st.st_size > max_bytes:
            raise SourceError(f"file is {st.st_size:,} bytes, over the {max_bytes:,}-byte limit; skipped")
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise SourceError(f"file grew past the {max_bytes:,}-byte limit while it was read; skipped")
        return data
    except PermissionError:
        raise SourceError("permission denied: the file cannot be read") from None
    except FileNotFoundError:
        raise SourceError("file not found (a dangling symlink?)") from None
    except OSError as exc:
        raise SourceError(f"cannot be read: {exc.strerror or exc}") from None


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a plain file"


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


# A notebook's file holds its saved outputs (plots as base64, long tables) beside its code: the
# file may be this many times the size limit, which then applies to the code alone.
NOTEBOOK_ALLOWANCE = 10


def file_limit(path: Path, max_bytes: int) -> int:
    """The most bytes read from `path`: `max_bytes`, or more for a notebook's embedded outputs."""
    return max_bytes * NOTEBOOK_ALLOWANCE if path.suffix == ".ipynb" else max_bytes


def load(path: Path, rel: str, max_bytes: int = MAX_FILE_BYTES, data: bytes | None = None) -> SourceFile:
    """Read (unless the bytes are given) and decode a source file or notebook."""
    text = decode(read_bytes(path, file_limit(path, max_bytes)) if data is None else data)
    if path.suffix == ".ipynb":
        source = _notebook(path, rel, text)
        if len(source.text) > max_bytes:
            raise SourceError(f"the notebook's code is {len(source.text):,} characters, over the "
                              f"{max_bytes:,}-byte limit; skipped")
        return source
    return SourceFile(path=path, rel=rel, text=text)


# A magic, a shell escape, a help query, or an automagic (IPython runs `pip install x` without `%`).
_MAGIC = re.compile(r"^(\s*)([%!?]|[A-Za-z_][\w.]*\?\??\s*$|(?:pip|conda|mamba)\s+(?:install|uninstall|list|show|freeze|update|remove)\b)")


# Magics that run their Python in the notebook's namespace and only measure or capture it: the
# cell magic's body (`%%time`), the line magic's statement (`%time model.fit(X, y)`). `%%timeit`
# runs the body in a namespace of its own, so nothing it defines reaches the notebook.
_RUNS_BODY = re.compile(r"^%%(time|capture|prun|memit|debug)\b")
_RUNS_LINE = re.compile(r"^%(time|prun|memit)\s+(?!-)(.*)$")  # (options, `-s key`, are left commented)


def _neutralise_magics(lines: list[str]) -> list[str]:
    """Comment out IPython magics and shell escapes; a cell magic comments the whole cell, unless
    it runs its body as Python (`%%time`), and `%time stmt` keeps its statement. Only a
    line that starts a statement can be a magic: inside brackets, after a backslash or inside a
    triple-quoted string a leading `%` or `!` is Python."""
    if lines and lines[0].lstrip().startswith("%%"):
        if _RUNS_BODY.match(lines[0].lstrip()):  # `%%time`: the body is Python run as usual
            return ["#" + lines[0], *_neutralise_magics(lines[1:])]
        return ["#" + line for line in lines]
    out = []
    state = _LineState()
    for line in lines:
        match = _MAGIC.match(line) if state.at_statement_start() else None
        if match:
            indent = match.group(1)
            module = _run_target(line) if not indent else None
            timed = _RUNS_LINE.match(line[len(indent):])
            if module is not None:  # `%run prep.py` defines in the notebook all the script defines
                out.append(f"from {module} import *  # " + line.strip())
            elif timed and timed.group(2).strip():  # `%time model.fit(X, y)` runs the statement
                out.append(indent + timed.group(2))
                state.feed(indent + timed.group(2))
            else:
                out.append(f"{indent}pass  #" + line[len(indent):] if indent else "#" + line)
        else:
            out.append(line)
            state.feed(line)
    return out


def neutralise_script(text: str) -> str | None:
    """A `.py` file that holds IPython lines (a notebook exported as a script, starting with
    `!pip install ...`): the same text with them commented out in place, or None when it has none."""
    lines = text.split("\n")
    out = _neutralise_magics(["", *lines])[1:]  # (no cell magic: a script's first line is a line)
    return "\n".join(out) if out != lines else None


def _run_target(line: str) -> str | None:
    """The module a `%run [options] path/name.py [args]` line runs (`name`), when it can be
    written as an import: the script's (or notebook's) names become the notebook's."""
    words = line.split()
    if not words or words[0] != "%run":
        return None
    path = next((w for w in words[1:] if not w.startswith("-")), "").strip("\"'")
    stem = PurePosixPath(path.replace("\\", "/")).name
    for suffix in (".py", ".ipynb"):
        if stem.endswith(suffix):
            name = stem[:-len(suffix)]
            return name if name.isidentifier() and not keyword.iskeyword(name) else None
    return None


class _LineState:
    """Enough of Python's tokeniser to know whether the next line starts a statement: open
    brackets, an open triple-quoted string, a trailing backslash."""

    def __init__(self) -> None:
        self.depth = 0
        self.triple: str | None = None
        self.continued = False

    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.triple is None and not self.continued

    def feed(self, line: str) -> None:
        line = line.rstrip("\r")
        i, n = 0, len(line)
        self.continued = False
        while i < n:
            if self.triple is not None:
                end = line.find(self.triple, i)
                if end < 0:
                    return
                i, self.triple = end + 3, None
                continue
            ch = line[i]
            if ch == "#":
                return
            if ch in "\"'":
                if line.startswith(ch * 3, i):
                    self.triple, i = ch * 3, i + 3
                    continue
                i = self._skip_string(line, i, ch)
                continue
            if ch in "([{":
                self.depth += 1
            elif ch in ")]}":
                self.depth = max(0, self.depth - 1)
            elif ch == "\\" and i == n - 1:
                self.continued = True
            i += 1

    @staticmethod
    def _skip_string(line: str, i: int, quote: str) -> int:
        i += 1
        while i < len(line):
            if line[i] == "\\":
                i += 2
                continue
            if line[i] == quote:
                return i + 1
            i += 1
        return i


def _dedent_cell(lines: list[str]) -> list[str]:
    """IPython runs a cell whose first line is indented as if it were not (its `leading_indent`
    transform): strip that indentation from every line that has it."""
    first = next((line for line in lines if line.strip()), "")
    indent = first[:len(first) - len(first.lstrip())]
    if not indent:
        return lines
    return [line[len(indent):] if line.startswith(indent) else line for line in lines]


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
    except RecursionError:
        raise SourceError("malformed notebook: its JSON is nested too deeply to read; skipped") from None
    cells = doc.get("cells") if isinstance(doc, dict) else None
    if not isinstance(cells, list):
        raise SourceError("malformed notebook: no 'cells' list (is this nbformat 4?)")
    code: list[tuple[int, int | None, list[str]]] = []  # (cell number, execution count, lines)
    outputs: dict[int, str] = {}
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict):
            raise SourceError(f"malformed notebook: cell {index + 1} is not an object")
        if cell.get("cell_type") != "code":
            continue
        count = cell.get("execution_count")
        lines = _neutralise_magics(_dedent_cell(_cell_source(cell, index + 1).split("\n")))
        code.append((index + 1, count if isinstance(count, int) and not isinstance(count, bool) else None, lines))
        text = _output_text(cell.get("outputs"))
        if text:
            outputs[index + 1] = text
    ran = [(number, count) for number, count, lines in code if count is not None and any(x.strip() for x in lines)]
    out_of_order = any(a[1] > b[1] for a, b in zip(ran, ran[1:]))
    if out_of_order:  # as they ran (cells that did not run, after them), when one run can explain it
        by_count = sorted(code, key=lambda c: (c[1] is None, c[1] or 0, c[0]))
        if _runnable(by_count):
            code = by_count
    parts: list[str] = []
    starts: list[int] = []
    numbers: list[int] = []
    line = 1
    for number, _, lines in code:
        starts.append(line)
        numbers.append(number)
        parts.append("\n".join(lines))
        line += len(lines)
    return SourceFile(path=path, rel=rel, text="\n".join(parts), is_notebook=True, cell_starts=starts,
                      cell_indexes=numbers, executed_out_of_order=ran if out_of_order else [], outputs=outputs)


def _runnable(code: list[tuple[int, int | None, list[str]]]) -> bool:
    """Could the cells have run in this order? No cell reads a name that only a cell after it
    binds. A saved count is a cell's last run only: a notebook run over several sessions, or a
    cell re-run after the cells below it were edited, leaves counts no single run produced (a plot
    counted before the data cell it draws). Cells that do not parse alone cannot tell: no."""
    from wicked_data.checks.analysis.cells import needs

    facts = []
    for _, _, lines in code:
        try:
            facts.append(needs(ast.parse("\n".join(lines)).body))
        except (SyntaxError, ValueError, RecursionError):
            return False
    bound: set[str] = set()
    for i, (own, wanted) in enumerate(facts):
        missing = {name for _, name in wanted if name not in bound}
        if missing and any(missing & later for later, _ in facts[i + 1:]):
            return False
        bound |= own
    return True


def _output_text(outputs: object, limit: int = 20_000) -> str:
    """The plain text a cell printed or displayed (streams and `text/plain` results), capped."""
    if not isinstance(outputs, list):
        return ""
    parts: list[str] = []
    for out in outputs:
        if not isinstance(out, dict):
            continue
        text = out.get("text") if out.get("output_type") == "stream" else (out.get("data") or {}).get("text/plain") \
            if isinstance(out.get("data"), dict) else None
        if isinstance(text, list):
            text = "".join(t for t in text if isinstance(t, str))
        if isinstance(text, str):
            parts.append(text)
    return "\n".join(parts)[:limit]
