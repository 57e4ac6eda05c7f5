"""Guards of a division: where the code makes sure a denominator is not zero (ML405's division
error, ML508's infinite values)."""
from __future__ import annotations

import ast

from wicked_data.checks.analysis.syntax import FunctionNode, Syntax
from wicked_data.checks.analysis.values import filters_rows

EARLY_EXIT = (ast.Raise, ast.Return, ast.Continue, ast.Break)


def zero_guarded(syn: Syntax, fn: FunctionNode | None, node: ast.AST, denominator: ast.expr) -> bool:
    """The division `node` cannot meet a zero `denominator`: it sits under a test of it (`if n:`,
    `x if n else 0`, `n and a / n`, `np.where(n != 0, ...)`), inside a handler of ZeroDivisionError,
    after an early exit on a test of it (`if total == 0: raise ...`) or an assert, or after the rows
    with a zero denominator were dropped."""
    marks = _identity(syn, fn, denominator)
    child = node
    for anc in syn.ancestors(node):
        if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef)):
            break
        if isinstance(anc, (ast.If, ast.IfExp, ast.While)) and child is not anc.test and _mentions(anc.test, marks):
            return True
        if isinstance(anc, ast.BoolOp) and isinstance(anc.op, ast.And):
            earlier = anc.values[:anc.values.index(child)] if child in anc.values else []
            if any(_mentions(v, marks) for v in earlier):
                return True
        if isinstance(anc, ast.Call) and call_name(anc) in ("where", "select", "mask") and anc.args \
                and child is not anc.args[0] and _condition_mentions(syn, fn, anc.args[0], marks):
            return True
        child = anc
    if syn.handled(node, ("ZeroDivisionError", "ArithmeticError")):
        return True
    scope = fn if fn is not None else syn.tree
    for stmt in syn.body_nodes(scope):
        if getattr(stmt, "lineno", 1 << 30) >= getattr(node, "lineno", 0):
            continue
        if isinstance(stmt, ast.If) and _mentions(stmt.test, marks) and any(
                isinstance(n, EARLY_EXIT) for s in stmt.body for n in ast.walk(s)):
            return True
        if isinstance(stmt, ast.Assert) and _mentions(stmt.test, marks):
            return True
        if isinstance(stmt, ast.Assign) and filters_rows(stmt.value, denominator):
            return True  # `df = df[df["miles"] > 0]`: the rows with a zero denominator were dropped
    return False


def _condition_mentions(syn: Syntax, fn: FunctionNode | None, cond: ast.expr, marks: set[str]) -> bool:
    """The mask tests the denominator, directly or through a name bound to the test
    (`ok = df["visits"].ne(0)`, then `(a / df["visits"]).where(ok, 0)`)."""
    if _mentions(cond, marks):
        return True
    names = {n.id for n in ast.walk(cond) if isinstance(n, ast.Name)}
    scope = fn if fn is not None else syn.tree
    for stmt in syn.body_nodes(scope):
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id in names for t in stmt.targets) \
                and _mentions(stmt.value, marks):
            return True
    return False


def _identity(syn: Syntax, fn: FunctionNode | None, denominator: ast.expr) -> set[str]:
    """What a guard would mention: the expression itself, the fields it reads, the variable, and
    the fields behind that variable."""
    marks = {ast.dump(denominator)}
    for sub in ast.walk(denominator):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            marks.add("key:" + sub.value)
        elif isinstance(sub, ast.Name):
            marks.add("name:" + sub.id)
            for value in syn.assigned_values(fn, sub.id):
                marks |= {"key:" + c.value for c in ast.walk(value) if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    return marks


def _mentions(test: ast.AST, marks: set[str]) -> bool:
    for sub in ast.walk(test):
        if ast.dump(sub) in marks:
            return True
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and "key:" + sub.value in marks:
            return True
        if isinstance(sub, ast.Name) and "name:" + sub.id in marks:
            return True
    return False


def call_name(call: ast.Call) -> str:
    """The last name of what a call calls (`where` for `np.where(...)`)."""
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
