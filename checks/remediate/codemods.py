"""Mechanical fixes, only where they are safe: libcst rewrites that keep every other byte of the
file (comments, quotes, spacing) and come out as a unified diff.

| rule  | rewrite |
|-------|---------|
| ML207 | add `random_state=42` to the flagged splitter or resampler call |
| ML206 | add `stratify=<the label array>` to a `train_test_split(X, y, ...)` call |
| ML405 | guard the flagged division: `a / b if b else float("nan")` for a value, `a / b.where(b != 0)` for a column |
| ML101 | replace the clock read with `REFERENCE_DATE`, a module constant read from the `REFERENCE_DATE` environment variable |

A case where the rewrite could change what the code means is skipped with a reason instead of
guessed: a call taking `**kwargs`, a split whose label array is not its second argument, a
denominator that is a call (evaluated twice by a guard), a clock read inside a function (its callers
would have to pass a date), a clock that is not a date (`time.time()`).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import libcst as cst
import libcst.matchers as m
from libcst.metadata import MetadataWrapper, PositionProvider, QualifiedNameProvider

from wicked_data.checks.config import Config
from wicked_data.checks.engine import review
from wicked_data.checks.models import Finding

FIXABLE = ("ML101", "ML206", "ML207", "ML405")
SEED = 42
REFERENCE = "REFERENCE_DATE"

PANDAS_CLOCKS = {"pandas.Timestamp.now", "pandas.Timestamp.today", "pandas.Timestamp.utcnow"}
PANDAS_PARSERS = {"pandas.Timestamp", "pandas.to_datetime"}  # with the string "now"/"today"
DATETIME_CLOCKS = {"datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today", "datetime.date.today"}
OTHER_CLOCKS = {"time.time", "time.time_ns", "numpy.datetime64"}


@dataclass
class Skip:
    line: int
    reason: str


@dataclass
class FixResult:
    """The rewrite of one file for one rule: the text before and after, what changed, what was
    skipped and why, and the new text of each rewritten statement keyed by its original line."""

    file: str
    rule: str
    original: str
    fixed: str
    changed_lines: list[int] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    statements: list[tuple[int, int, str]] = field(default_factory=list)  # (first line, last line, new code)

    def statement_at(self, line: int) -> str | None:
        """The new text of the rewritten statement that spans `line` of the original."""
        return next((code for start, end, code in self.statements if start <= line <= end), None)

    @property
    def changed(self) -> bool:
        return self.fixed != self.original

    @property
    def diff(self) -> str:
        return "".join(difflib.unified_diff(self.original.splitlines(keepends=True),
                                            self.fixed.splitlines(keepends=True),
                                            fromfile=f"a/{self.file}", tofile=f"b/{self.file}"))


def fix_source(text: str, rule: str, lines: Sequence[int], file: str = "<source>") -> FixResult:
    """Rewrite `text` for `rule` at `lines` (the flagged lines, 1-based). Nothing else is touched."""
    if rule not in FIXABLE:
        raise ValueError(f"no mechanical fix for {rule}; fixable: {', '.join(FIXABLE)}")
    result = FixResult(file=file, rule=rule, original=text, fixed=text)
    try:
        wrapper = MetadataWrapper(cst.parse_module(text))
    except cst.ParserSyntaxError as exc:
        result.skipped.append(Skip(0, f"cannot parse: {exc.message}"))
        return result
    transformer = _TRANSFORMERS[rule](set(lines), result)
    fixed = wrapper.visit(transformer)
    if rule == "ML101" and transformer.replaced:
        fixed = _add_reference_date(fixed, transformer.ctor, result)
        if fixed is None:  # nothing is rewritten rather than half of it
            result.changed_lines.clear()
            result.statements.clear()
            return result
    result.fixed = fixed.code
    return result


def fix_paths(paths: Sequence[str | Path], rule: str, *, apply: bool = False,
              config: Config | None = None) -> list[FixResult]:
    """Review `paths` for `rule`, rewrite each file with findings, and write it back if `apply`."""
    config = (config or Config()).merged(select=[rule])
    found = review(paths, config)
    root = Path(found.root)
    by_file: dict[str, list[Finding]] = {}
    for finding in found.findings:
        if finding.rule == rule:
            by_file.setdefault(finding.file, []).append(finding)
    results = []
    for rel, findings in sorted(by_file.items()):
        path = _path_of(root, rel, paths)
        if path.suffix != ".py":
            results.append(FixResult(rel, rule, "", "", skipped=[Skip(f.line, "notebooks are not rewritten; "
                                                                         "edit the cell by hand") for f in findings]))
            continue
        try:  # bytes in and out: line endings (CRLF) stay as they are
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            results.append(FixResult(rel, rule, "", "", skipped=[Skip(0, f"cannot read the file: {exc}")]))
            continue
        result = fix_source(text, rule, target_lines(findings), rel)
        if apply and result.changed:
            path.write_bytes(result.fixed.encode("utf-8"))
        results.append(result)
    return results


def target_lines(findings: Sequence[Finding]) -> list[int]:
    """The lines a fix may touch: each finding's span and, for a clock read in a variable, the line
    the clock is read on."""
    lines: set[int] = set()
    for f in findings:
        lines.update(range(f.line, f.end_line + 1))
        lines.update(r.line for r in f.related if r.file == f.file and "clock" in r.note)
    return sorted(lines)


def _path_of(root: Path, rel: str, paths: Sequence[str | Path]) -> Path:
    candidate = root / rel
    if candidate.exists():
        return candidate
    for p in paths:  # a single file reviewed: the root is its folder
        if Path(p).is_file() and Path(p).name == Path(rel).name:
            return Path(p)
    return candidate


# ---------------------------------------------------------------------- transformers
class _Base(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider)

    def __init__(self, lines: set[int], result: FixResult) -> None:
        super().__init__()
        self.lines = lines
        self.result = result
        self.statement_span: tuple[int, int] | None = None
        self.statement_changed = False

    def flagged(self, node: cst.CSTNode) -> bool:
        return self.get_metadata(PositionProvider, node).start.line in self.lines

    def line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.line

    def names(self, node: cst.CSTNode) -> set[str]:
        return {q.name for q in self.get_metadata(QualifiedNameProvider, node, set())}

    def short_names(self, func: cst.BaseExpression) -> set[str]:
        """Last components of what a called expression names (through its imports), else as written."""
        return {n.rsplit(".", 1)[-1] for n in self.names(func)} or {short_name(func)}

    def changed(self, node: cst.CSTNode) -> None:
        self.result.changed_lines.append(self.line(node))
        self.statement_changed = True

    def skip(self, node: cst.CSTNode, reason: str) -> None:
        self.result.skipped.append(Skip(self.line(node), reason))

    # Remember the new text of every statement that was rewritten (for the remediation's code).
    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        position = self.get_metadata(PositionProvider, node)
        self.statement_span = (position.start.line, position.end.line)
        self.statement_changed = False

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        if self.statement_changed and self.statement_span is not None:
            code = cst.Module(body=[updated.with_changes(leading_lines=[])]).code.strip()
            self.result.statements.append((*self.statement_span, code))
        self.statement_changed = False
        return updated


def has_kwarg(call: cst.Call, name: str) -> bool:
    return any(a.keyword is not None and a.keyword.value == name for a in call.args)


def splats(call: cst.Call) -> bool:
    return any(a.star for a in call.args)


def with_kwarg(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
    """The call with `name=value` appended, in the spacing style of its last argument."""
    args = list(call.args)
    new = cst.Arg(keyword=cst.Name(name), value=value,
                  equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                        whitespace_after=cst.SimpleWhitespace("")))
    if args:
        last = args[-1]
        if last.comma is cst.MaybeSentinel.DEFAULT or isinstance(last.comma, cst.MaybeSentinel):
            args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            args.append(new)
        else:  # a trailing comma (a call laid out one argument per line): keep the layout
            previous = args[-2].comma if len(args) > 1 else None
            indent = previous.whitespace_after if isinstance(previous, cst.Comma) else call.whitespace_before_args
            args[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=indent))
            args.append(new.with_changes(comma=last.comma))
    else:
        args.append(new)
    return call.with_changes(args=args)


class _Seed(_Base):
    """ML207: `random_state=42` on the flagged splitter call."""

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if not self.flagged(original) or not self._random(original):
            return updated
        if has_kwarg(updated, "random_state"):
            return updated
        if splats(updated):
            self.skip(original, "the call takes **kwargs/*args, which may already carry random_state")
            return updated
        self.changed(original)
        return with_kwarg(updated, "random_state", cst.Integer(str(SEED)))

    def _random(self, call: cst.Call) -> bool:
        return bool(self.short_names(call.func) & _RANDOM_CALLS)


_RANDOM_CALLS = {"train_test_split", "KFold", "StratifiedKFold", "ShuffleSplit", "StratifiedShuffleSplit",
                 "GroupShuffleSplit", "RepeatedKFold", "RepeatedStratifiedKFold", "resample", "SMOTE", "ADASYN",
                 "RandomOverSampler", "RandomUnderSampler", "BorderlineSMOTE", "sample"}


def short_name(func: cst.BaseExpression) -> str:
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else ""


class _Stratify(_Base):
    """ML206: `stratify=y` on a flagged `train_test_split(X, y, ...)`."""

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if not self.flagged(original):
            return updated
        names = self.short_names(original.func)
        if "train_test_split" not in names:
            if names & {"KFold", "ShuffleSplit"}:
                self.skip(original, "a splitter class: use its stratified sibling (StratifiedKFold, "
                                    "StratifiedShuffleSplit) and pass y to split(); not rewritten")
            return updated
        if has_kwarg(updated, "stratify"):
            return updated
        if splats(updated):
            self.skip(original, "the call takes *args/**kwargs; which array is the label is not visible")
            return updated
        positional = [a for a in updated.args if a.keyword is None]
        if len(positional) != 2:
            self.skip(original, f"{len(positional)} arrays are split; stratify= needs the label array, "
                                "which is only certain for train_test_split(X, y, ...)")
            return updated
        self.changed(original)
        label = positional[1].value.deep_clone()
        return with_kwarg(updated, "stratify", label)


class _GuardDivision(_Base):
    """ML405: guard the flagged division against a zero denominator."""

    def __init__(self, lines: set[int], result: FixResult) -> None:
        super().__init__(lines, result)
        self.assign_targets: list[str] = []

    def visit_Assign(self, node: cst.Assign) -> None:
        self.assign_targets = [base_name(t.target) for t in node.targets]

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        self.assign_targets = []
        return updated

    def leave_BinaryOperation(self, original: cst.BinaryOperation, updated: cst.BinaryOperation):
        if not isinstance(original.operator, (cst.Divide, cst.FloorDivide, cst.Modulo)) or not self.flagged(original.right):
            return updated
        right = updated.right
        if m.findall(right, m.Call()) or m.findall(right, m.Await()):
            self.skip(original, "the denominator is a call; a guard would evaluate it twice")
            return updated
        if not isinstance(right, (cst.Name, cst.Attribute, cst.Subscript)):
            self.skip(original, "the denominator is an expression; guard it by hand")
            return updated
        self.changed(original)
        column = base_name(right) is not None and base_name(right) in self.assign_targets
        if column:  # a column of the frame being written: NaN where it is zero, vectorised
            where = cst.Call(func=cst.Attribute(value=right.deep_clone(), attr=cst.Name("where")),
                             args=[cst.Arg(cst.Comparison(right.deep_clone(), [cst.ComparisonTarget(
                                 cst.NotEqual(), cst.Integer("0"))]))])
            return updated.with_changes(right=where)
        nan = cst.Call(func=cst.Name("float"), args=[cst.Arg(cst.SimpleString('"nan"'))])
        guarded = cst.IfExp(test=right.deep_clone(), body=updated, orelse=nan)
        return guarded.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def base_name(node: cst.CSTNode) -> str | None:
    while isinstance(node, (cst.Subscript, cst.Attribute)):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


class _ReferenceDate(_Base):
    """ML101: the clock read becomes `REFERENCE_DATE` (module-level code only)."""

    def __init__(self, lines: set[int], result: FixResult) -> None:
        super().__init__(lines, result)
        self.replaced = 0
        self.ctor: cst.BaseExpression | None = None
        self.depth = 0
        self.name_taken = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1

    def leave_FunctionDef(self, original, updated):
        self.depth -= 1
        return updated

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.depth += 1

    def leave_Lambda(self, original, updated):
        self.depth -= 1
        return updated

    def visit_Module(self, node: cst.Module) -> None:
        taken = {n.value for n in m.findall(node, m.Name())}
        self.name_taken = REFERENCE in taken

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if not self.flagged(original):
            return updated
        ctor = self._constructor(original)
        if ctor is None:
            return updated
        if ctor == "not-a-date":
            self.skip(original, "the clock is not a date (time.time(), np.datetime64); replace it by hand")
            return updated
        if self.depth:
            self.skip(original, "the clock is read inside a function; give it a reference-date parameter by hand "
                                "(its callers must pass the as-of date)")
            return updated
        if self.name_taken:
            self.skip(original, f"the module already uses the name {REFERENCE}")
            return updated
        if self.ctor is not None and not self.ctor.deep_equals(ctor):
            self.skip(original, "the module reads the clock with different date types; replace it by hand")
            return updated
        self.ctor = ctor
        self.replaced += 1
        self.changed(original)
        return cst.Name(REFERENCE)

    def _constructor(self, call: cst.Call) -> cst.BaseExpression | str | None:
        """How to build the reference date from a string, in the clock's own type; None: not a clock."""
        names = self.names(call.func)
        if names & PANDAS_CLOCKS and isinstance(call.func, cst.Attribute):
            return call.func.value.deep_clone()  # pd.Timestamp.now -> pd.Timestamp(...)
        if names & PANDAS_PARSERS and call.args and m.matches(call.args[0].value, m.SimpleString()) \
                and call.args[0].value.evaluated_value in ("now", "today"):
            return call.func.deep_clone()
        if names & DATETIME_CLOCKS and isinstance(call.func, cst.Attribute):
            return cst.Attribute(value=call.func.value.deep_clone(), attr=cst.Name("fromisoformat"))
        if names & OTHER_CLOCKS:
            return "not-a-date" if "numpy.datetime64" not in names or _reads_now(call) else None
        return None


def _reads_now(call: cst.Call) -> bool:
    return bool(call.args) and m.matches(call.args[0].value, m.SimpleString()) \
        and call.args[0].value.evaluated_value in ("now", "today")


def _add_reference_date(module: cst.Module, ctor: cst.BaseExpression, result: FixResult) -> cst.Module | None:
    """Define `REFERENCE_DATE` after the imports at the top of the module, reading it from the
    environment. Skipped when the date type's module is not imported there."""
    body = list(module.body)
    position, bound = 0, set()
    for index, statement in enumerate(body):
        if m.matches(statement, m.SimpleStatementLine(body=[m.OneOf(m.Import(), m.ImportFrom())])):
            position = index + 1
            bound |= _bound_names(statement.body[0])
        elif index == 0 and m.matches(statement, m.SimpleStatementLine(body=[m.Expr(m.SimpleString())])):
            position = 1
        else:
            break
    if base_name(ctor) not in bound:
        result.skipped.append(Skip(0, f"{base_name(ctor)} is not imported at the top of the module; "
                                      "define the reference date by hand"))
        return None
    has_os = any(m.matches(s, m.SimpleStatementLine(body=[m.Import(names=[m.ImportAlias(name=m.Name("os"), asname=None)])]))
                 for s in body)
    env = cst.parse_expression(f'os.environ["{REFERENCE}"]')
    definition = cst.SimpleStatementLine(
        body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(REFERENCE))],
                         value=cst.Call(func=ctor, args=[cst.Arg(env)]))],
        leading_lines=[cst.EmptyLine(),
                       cst.EmptyLine(comment=cst.Comment("# The as-of date of the data snapshot (set it per run): "
                                                         "ages and recencies are measured from it,")),
                       cst.EmptyLine(comment=cst.Comment("# so training and inference compute the same value for "
                                                         "the same record."))])
    new = [definition] if has_os else [cst.parse_statement("import os\n"), definition]
    body[position:position] = new
    result.statements.append((0, 0, cst.Module(body=[definition.with_changes(leading_lines=[])]).code.strip()))
    return module.with_changes(body=body)


def _bound_names(statement: cst.Import | cst.ImportFrom) -> set[str]:
    if isinstance(statement.names, cst.ImportStar):
        return set()
    out = set()
    for alias in statement.names:
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            out.add(alias.asname.name.value)
        else:
            out.add(cst.Module(body=[]).code_for_node(alias.name).split(".")[0])
    return out


_TRANSFORMERS = {"ML207": _Seed, "ML206": _Stratify, "ML405": _GuardDivision, "ML101": _ReferenceDate}
