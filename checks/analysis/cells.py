"""Names a notebook cell (or any statement list) binds and reads when it runs: what decides
whether one cell needs another to have run first."""
from __future__ import annotations

import ast
import builtins

BUILTINS = frozenset(dir(builtins)) | {"display", "get_ipython", "In", "Out", "_", "__", "___"}


def binds(stmt: ast.stmt) -> set[str]:
    """Names the statement binds (assignments, loop and `with` targets, definitions, imports)."""
    out: set[str] = set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            out.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.arg):
            out.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            out.add(node.name)
    return out


def reads(stmt: ast.stmt) -> list[tuple[int, str]]:
    """(line, name) the statement reads when it runs: not inside the bodies of the functions,
    lambdas and comprehensions it defines (they resolve later, or bind their own)."""
    out: list[tuple[int, str]] = []
    todo: list[ast.AST] = [stmt]
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            todo += node.decorator_list + node.args.defaults + [d for d in node.args.kw_defaults if d]
            continue
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            out.append((node.lineno, node.id))
        todo.extend(ast.iter_child_nodes(node))
    return out


def needs(body: list[ast.stmt]) -> tuple[set[str], list[tuple[int, str]]]:
    """(names the statements bind, (line, name) they read before binding it themselves); a loop or
    `with` binds its names before its body reads them."""
    bound: set[str] = set()
    wanted: list[tuple[int, str]] = []
    for stmt in body:
        own = binds(stmt)
        wanted += [(line, name) for line, name in reads(stmt)
                   if name not in bound and name not in own and name not in BUILTINS]
        bound |= own
    return bound, wanted
