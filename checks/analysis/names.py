"""Import aliases resolved to qualified names.

`import pandas as pd` makes `pd.Timestamp.now` read `pandas.Timestamp.now`; `from datetime import
datetime as dt` makes `dt.now` read `datetime.datetime.now`; `import sklearn.model_selection as ms`
makes `ms.KFold` read `sklearn.model_selection.KFold`. Names that were not imported (a star import,
a notebook cell that ran elsewhere) keep their written spelling, and `Candidates` falls back to
comparing the trailing components so `train_test_split(...)` is still recognised.
"""
from __future__ import annotations

import ast


def attribute_path(node: ast.AST) -> str:
    """The dotted names of an attribute chain, even when it hangs off a call (`f().a.b` -> `a.b`);
    "" when there are none."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def chain_head(node: ast.AST) -> ast.AST:
    """What an attribute chain hangs off: `a` in `a.b.c`, the call in `f().b`."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node


def data_root(node: ast.AST) -> ast.AST:
    """What a chain of attribute reads and subscripts starts from: `df` in `df["a"].iloc[0]`."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node


def dotted(node: ast.AST) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    return attribute_path(node) if isinstance(chain_head(node), ast.Name) else None


class Imports:
    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}
        self.modules: set[str] = set()
        self.stars: list[str] = []  # modules star-imported (`from helpers import *`, a notebook's `%run`)

    def add(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                self.modules.add(alias.name)
                if alias.asname:
                    self.aliases[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    self.aliases[head] = head
            return
        module = node.module or ""
        self.modules.add(module)
        for alias in node.names:
            if alias.name == "*" and module:
                self.stars.append(module)
            if alias.name != "*":
                self.aliases[alias.asname or alias.name] = f"{module}.{alias.name}" if module else alias.name

    def is_imported(self, name: str) -> bool:
        return name in self.aliases

    def resolve(self, node: ast.AST) -> str | None:
        """The qualified name of a Name/Attribute chain whose head was imported, else None."""
        return self.resolve_dotted(dotted(node))

    def resolve_dotted(self, text: str | None) -> str | None:
        """`resolve` for a chain already spelled out (`dotted(node)`)."""
        if text is None:
            return None
        head, _, rest = text.partition(".")
        target = self.aliases.get(head)
        if target is None:
            return None
        return f"{target}.{rest}" if rest else target

    def uses(self, *prefixes: str) -> bool:
        return any(m == p or m.startswith(p + ".") for m in self.modules for p in prefixes)


class Candidates:
    """A set of fully qualified names to recognise a callable by, and the one rule for it:

    - a resolved name (through the imports) matches when it equals a candidate, or differs only by
      private submodules (`sklearn.model_selection._split.train_test_split`);
    - an unresolved spelling (a star import, a notebook cell that ran elsewhere) matches when it is
      a dotted tail of a candidate (`train_test_split`, `model_selection.train_test_split`).

    Built once per tuple of candidates (`candidates(...)`): the analysis asks the same few dozen
    questions of every call of every module, and most calls are rejected on their last component.
    """

    __slots__ = ("shorts", "names", "tails")

    def __init__(self, names: tuple[str, ...]) -> None:
        self.shorts = frozenset(last(n) for n in names)
        self.names = frozenset(names)
        self.tails = frozenset(".".join(parts[i:]) for parts in (n.split(".") for n in names) for i in range(len(parts)))

    def match(self, resolved: str | None, spelled: str | None, short: str) -> bool:
        """`resolved`: the qualified name, if the imports gave one; else `spelled` as written.
        `short` is the last component of whichever is given."""
        if short not in self.shorts:
            return False
        if resolved:
            return resolved in self.names or ("._" in resolved and strip_private(resolved) in self.names)
        return spelled in self.tails


_CANDIDATES: dict[tuple[str, ...], Candidates] = {}


def candidates(*names: str) -> Candidates:
    found = _CANDIDATES.get(names)
    if found is None:
        found = _CANDIDATES[names] = Candidates(names)
    return found


def strip_private(name: str) -> str:
    return ".".join(p for p in name.split(".") if not (p.startswith("_") and not p.startswith("__")))


def last(name: str | None) -> str:
    return name.rsplit(".", 1)[-1] if name else ""
