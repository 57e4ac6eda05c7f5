"""The child nodes of a syntax tree node, fast: per node type, one `attrgetter` over the fields that
can hold nodes (a C call instead of `ast.iter_child_nodes`'s generators and a `getattr` per
field). Every whole-module traversal of the analysis uses it."""
from __future__ import annotations

import ast
import operator
from typing import Callable

# Fields that never hold a node (names, numbers, flags, constants' values) or only the shared
# expression contexts; the traversal does not look into them.
_SCALAR_FIELDS = {"id", "attr", "arg", "kind", "type_comment", "level", "conversion", "is_async", "simple", "ctx",
                  "names", "module"}
_SCALAR_BY_TYPE = {ast.Constant: {"value"}, ast.MatchSingleton: {"value"}, ast.FunctionDef: {"name"},
                   ast.AsyncFunctionDef: {"name"}, ast.ClassDef: {"name"}, ast.alias: {"name", "asname"},
                   ast.ExceptHandler: {"name"}, ast.MatchAs: {"name"}, ast.MatchStar: {"name"},
                   ast.MatchMapping: {"rest"}}
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    fields = _CHILD_FIELDS.get(cls)
    if fields is None:
        skip = _SCALAR_FIELDS - ({"names"} if cls in (ast.Import, ast.ImportFrom) else set())  # lists of aliases
        skip = skip | _SCALAR_BY_TYPE.get(cls, set())
        fields = _CHILD_FIELDS[cls] = tuple(f for f in cls._fields if f not in skip)
    return fields


# Per node type, a function giving the values of its child fields, as a tuple (one C call instead
# of a `getattr` per field).
CHILDREN: dict[type, Callable[[ast.AST], tuple]] = {}


def _no_children(node: ast.AST) -> tuple:
    return ()


def child_getter(cls: type) -> Callable[[ast.AST], tuple]:
    fields = _child_fields(cls)
    if not fields:
        getter = _no_children
    elif len(fields) == 1:
        one = operator.attrgetter(fields[0])
        getter = lambda node: (one(node),)  # noqa: E731
    else:
        getter = operator.attrgetter(*fields)
    CHILDREN[cls] = getter
    return getter


def children(node: ast.AST) -> list[ast.AST]:
    """The node's children, in field order (expression contexts and scalars left out)."""
    cls = type(node)
    out: list[ast.AST] = []
    for value in (CHILDREN.get(cls) or child_getter(cls))(node):
        if type(value) is list:
            out += [item for item in value if isinstance(item, ast.AST)]
        elif isinstance(value, ast.AST):
            out.append(value)
    return out
