"""What a name can hold, read from the code around it: a positive number (a constant, a parameter
whose default or every in-file caller gives one). Shared by the division and non-finite checks."""
from __future__ import annotations

import ast

from checks.analysis.syntax import FunctionNode, Syntax


def positive(syn: Syntax, fn: FunctionNode | None, node: ast.AST, depth: int = 2) -> bool:
    """A positive number, or a name that holds one: a constant assigned in scope, or a parameter
    whose default is one (`smoothing: float = 20.0`) or that every caller in the module gives one."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool) and node.value > 0
    if not isinstance(node, ast.Name):
        return False
    params = parameters(fn) if fn is not None else {}
    if node.id not in params:
        values = syn.assigned_values(fn, node.id) or syn.assigned_values(None, node.id)
        return bool(values) and all(positive(syn, None, v, 0) for v in values)
    position, default = params[node.id]
    if default is not None:
        return positive(syn, None, default, 0)
    passed = passed_by_callers(syn, fn, node.id, position) if depth > 0 else []
    return bool(passed) and all(caller is not None and positive(syn, caller, arg, depth - 1) for caller, arg in passed)


def parameters(fn: FunctionNode) -> dict[str, tuple[int | None, ast.expr | None]]:
    """name -> (position, default) of each parameter (position None for keyword-only ones)."""
    args = fn.args
    positional = [*args.posonlyargs, *args.args]
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    out = {a.arg: (i, d) for i, (a, d) in enumerate(zip(positional, defaults))}
    out.update((a.arg, (None, d)) for a, d in zip(args.kwonlyargs, args.kw_defaults))
    return out


def passed_by_callers(syn: Syntax, fn: FunctionNode, name: str, position: int | None):
    """(calling function, argument) for each call of `fn` in the module; empty when a call's
    argument cannot be told (`*args`, `**kwargs`, left to the default)."""
    out = []
    for ref in syn.loads_of(fn.name):
        call = syn.parent.get(id(ref))
        if not isinstance(call, ast.Call) or call.func is not ref:
            continue
        arg = next((kw.value for kw in call.keywords if kw.arg == name), None)
        if arg is None and position is not None and position < len(call.args):
            arg = call.args[position]
        if arg is None or any(isinstance(a, ast.Starred) for a in call.args[:(position or 0) + 1]) \
                or any(kw.arg is None for kw in call.keywords):
            return []
        out.append((syn.function_of(call), arg))
    return out
