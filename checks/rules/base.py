"""The rule contract: one small class per rule, registered by subclassing.

A rule reads the shared analysis of one module (`ModuleAnalysis`) and yields `Hit`s. Its
documentation is its docstring (What it does / Why is this bad? / Example / Use instead / Known
problems) and its `valid`/`invalid` examples are run by the test suite: in an invalid example, each
line that must be flagged ends with `# ruleid: MLxxx`; a known miss is marked `# todoruleid: MLxxx`
(and must stay unflagged until the rule learns it). An example is a source string, or a dict of
file name to source for multi-file projects.

Rules whose finding is an absence ("no cross-validation anywhere") also say what satisfies them
(`satisfied`); the engine drops their findings when any module of the reviewed project satisfies
them, so evidence in another file counts.
"""
from __future__ import annotations

import ast
import inspect
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Iterator, Union

from wicked_data.checks.models import Confidence, Severity

if TYPE_CHECKING:
    from wicked_data.checks.analysis.module import ModuleAnalysis
    from wicked_data.checks.analysis.project import Project
    from wicked_data.checks.models import Finding

Example = Union[str, dict[str, str]]

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Known problems")


@dataclass
class Hit:
    """One place a rule fires. `node` (or `line`) locates it; `related` holds other places."""

    message: str
    node: ast.AST | None = None
    line: int | None = None
    confidence: Confidence = "high"
    related: list[tuple[str | None, int, str]] = field(default_factory=list)
    severity: Severity | None = None
    # the fix for this place, in its own names (`Pass stratify=y to train_test_split`); the reports
    # fall back to the rule's advice
    fix: str | None = None

    @property
    def lineno(self) -> int:
        if self.line is not None:
            return self.line
        node = self.node
        # In a chain spread over lines (`df.sort_values(...)\n  .fillna(0)`), point at the method.
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.end_lineno:
            return node.func.end_lineno
        return getattr(node, "lineno", 1)

    @property
    def end_lineno(self) -> int:
        end = getattr(self.node, "end_lineno", None) if self.line is None else None
        return max(end or self.lineno, self.lineno)

    @property
    def end_col(self) -> int | None:
        """Where the node ends on `end_lineno` (a byte offset, as `ast` gives it); None for a line."""
        if self.line is not None or self.node is None:
            return None
        return getattr(self.node, "end_col_offset", None)

    @property
    def col(self) -> int:
        if self.line is not None or self.node is None:
            return 0
        if self.lineno != getattr(self.node, "lineno", self.lineno):
            return max(0, (self.node.func.end_col_offset or 0) - len(self.node.func.attr) - 1)  # type: ignore[attr-defined]
        return getattr(self.node, "col_offset", 0)


_REGISTRY: dict[str, type["Rule"]] = {}


class Rule:
    """Base class. Subclasses set `id`, `name`, `severity` and implement `check`."""

    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    valid: ClassVar[list[Example]] = []
    invalid: ClassVar[list[Example]] = []
    # The rule may report, at low confidence only, what only a name suggests (its Known problems
    # say which names); the rename test lets exactly those findings change.
    name_evidence: ClassVar[bool] = False
    # A serving rule whose findings are moot in a scoring function that only training code,
    # notebooks and tests of the project call (an export check, a benchmark): the engine withdraws
    # them (`Project.offline_only`), and those in a file off the project's service (a program of
    # its own, or code only its tests import, in a project that serves from other files:
    # `Project.off_service`), before asking `settled_elsewhere`.
    online_only: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if inspect.isabstract(cls) or "id" not in cls.__dict__:
            return
        if cls.id in _REGISTRY:
            raise TypeError(f"rule id {cls.id} registered twice")
        _REGISTRY[cls.id] = cls

    def check(self, module: "ModuleAnalysis") -> Iterator[Hit]:
        raise NotImplementedError

    def check_project(self, project: "Project") -> Iterator["ProjectHit"]:
        """Hits that need several files at once (rows handed over through a file on disk); only
        the rules that read the project define it."""
        return iter(())

    def settled_elsewhere(self, finding: "Finding", project: "Project") -> bool:
        """A finding of this file that another file of the project makes moot (a caller in another
        module handles what this function does not); only rules that look across files define it."""
        return False

    def calibrate(self, finding: "Finding", project: "Project") -> "tuple[Severity, str] | None":
        """The severity a per-file finding deserves given the rest of the project, with the reason
        shown to the user (an unversioned artifact nothing in the project deploys is advisory); None
        keeps it. Only rules whose severity depends on other files define it."""
        return None

    def check_sql(self, text: str) -> Iterator[Hit]:
        """The hits in a `.sql` file's text (only rules that read queries define it)."""
        return iter(())

    def satisfied(self, module: "ModuleAnalysis") -> bool:
        """True when this module holds evidence that silences the rule project-wide."""
        return False

    @classmethod
    def summary(cls) -> str:
        """The first sentence of the 'What it does' section."""
        text = " ".join(cls.section("What it does").split())
        return text.split(". ")[0].rstrip(".") + "." if text else cls.name

    @classmethod
    def section(cls, title: str) -> str:
        doc = inspect.getdoc(cls) or ""
        pattern = rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)"
        match = re.search(pattern, doc, re.S | re.M)
        return match.group(1).strip() if match else ""


def registry() -> dict[str, type[Rule]]:
    """Every rule, keyed by id, in id order."""
    _load_rules()
    return dict(sorted(_REGISTRY.items()))


def rule_ids() -> list[str]:
    """Every rule id, read from the rule modules' names (`ml101_wall_clock_feature` is ML101)
    without importing them: what a command line's selectors are checked against, also when the
    review is served from the cache and loads no rule."""
    import pkgutil

    import wicked_data.checks.rules as package

    return sorted(info.name[:5].upper() for info in pkgutil.iter_modules(package.__path__)
                  if re.fullmatch(r"ml\d{3}_\w+", info.name))


_loaded = False


def _load_rules() -> None:
    """Import every rule module of the package once (each registers its rules)."""
    global _loaded
    if _loaded:
        return
    import importlib
    import pkgutil

    import wicked_data.checks.rules as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.name != "base":
            importlib.import_module(f"{package.__name__}.{info.name}")
    _loaded = True


@dataclass
class ProjectHit:
    """A place a project-level rule fires: a file of the project (relative path) and a line."""

    file: str
    line: int
    message: str
    confidence: Confidence = "high"
    related: list[tuple[str | None, int, str]] = field(default_factory=list)
    severity: Severity | None = None
    fix: str | None = None


class ProjectRule(Rule):
    """A rule over the facts of the whole project (several files at once): train/serve skew,
    configuration drift. It reads `Project` (see `checks.analysis.project`), never syntax trees."""

    def check(self, module: "ModuleAnalysis") -> Iterator[Hit]:
        return iter(())

    def check_project(self, project: "Project") -> Iterator[ProjectHit]:
        raise NotImplementedError
