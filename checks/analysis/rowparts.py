"""Complementary row cuts of one scope: `X[:n]` with `X[n:]`, `df[df.day < c]` with
`df[df.day >= c]`, `df[m]` with `df[~m]`, and which part trains."""
from __future__ import annotations

import ast

from wicked_data.checks.analysis import vocab
from wicked_data.checks.analysis.flowtypes import shape_key
from wicked_data.checks.analysis.walk import children

_CONTAINER_ADDS = {"append", "extend", "add", "update", "appendleft"}
_HEAD_OPS = (ast.Lt, ast.LtE)
_TAIL_OPS = (ast.Gt, ast.GtE)


def row_part_roles(scope: ast.AST) -> dict[int, str]:
    """Subscripts of one scope (a function's body, or the module outside its functions) that cut
    complementary parts of the same rows, by node id, with their role.

    Parts are the values of assignments and returns, grouped by what is cut: a head and a tail of
    the same array (`X[:n]`, `X[n:]`; a middle `X[n:m]` between them is validation; a head and the
    block right after it, `X[:n]`, `X[n:n + k]`, are a fold of a walk-forward backtest), the two sides
    of one cut on one column (`df[df.day < c]`, `df[df.day >= c]`: the earlier rows train), a mask
    and its negation (`df[m]`, `df[~m]`; the first written trains). The part the scope fits a model
    on trains, whatever its position. A part alone is a filter, not a split."""
    groups: dict[tuple, list[tuple[ast.Subscript, str]]] = {}
    targets: dict[int, str] = {}  # part node id -> the name it is bound to
    fitted: set[str] = set()  # the names given as the data (X, y) of a `fit` call
    aliases: dict[str, str] = {}  # `start_test = end_train`: one bound under two names
    stack = children(scope)
    while stack:
        child = stack.pop()
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue  # another scope
        if isinstance(child, ast.Assign) and len(child.targets) == 1 and isinstance(child.targets[0], ast.Name) \
                and isinstance(child.value, ast.Name):
            aliases[child.targets[0].id] = child.value.id
        if isinstance(child, (ast.Assign, ast.Return)) and child.value is not None:
            value = child.value
            items = [_rows_kept(v) for v in (value.elts if isinstance(value, ast.Tuple) else [value])]
            for item in items:
                _add_row_part(groups, item)
            if isinstance(child, ast.Assign):
                _note_targets(targets, child.targets[0], items)
        elif isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute) and child.func.attr in vocab.FIT_METHODS:
            fitted.update(a.id for a in child.args[:2] if isinstance(a, ast.Name))
        stack += children(child)
    roles: dict[int, str] = {}
    for parts in groups.values():
        kinds = {kind for _, kind in parts}
        chain = _windows(parts, aliases) if kinds == {"middle"} else []
        if chain:  # `X.loc[start:cut]`, `X.loc[cut:end]`: the earlier window trains, the last one tests
            for n, node in enumerate(chain):
                roles[id(node)] = "train" if n == 0 else "test" if n == len(chain) - 1 else "validation"
            continue
        if not ({"head", "tail"} <= kinds or {"pos", "neg"} <= kinds or _adjacent(parts)):
            continue
        # the part a model is fitted on trains, whatever its position; else the earlier rows train
        trained = {kind for node, kind in parts if targets.get(id(node)) in fitted}
        if len(trained) == 1:
            train_kind = trained.pop()
        elif {"head", "tail"} <= kinds:
            train_kind = "head"
        else:
            train_kind = min(parts, key=lambda p: (p[0].lineno, p[0].col_offset))[1]
        for node, kind in parts:
            roles[id(node)] = "train" if kind == train_kind else "validation" if kind == "middle" else "test"
    return roles


def _windows(parts: list[tuple[ast.Subscript, str]], aliases: dict[str, str]) -> list[ast.Subscript]:
    """Windows of the rows that follow each other, each starting where the one before stops
    (`X.loc[start:cut]`, then `X.loc[cut:end]`, the bound perhaps renamed): the parts in time
    order, or [] when they do not chain."""
    def bound(node: ast.expr | None) -> str | None:
        if node is None:
            return None
        if not isinstance(node, ast.Name):
            return ast.dump(node)
        name, seen = node.id, set()
        while name in aliases and name not in seen:
            seen.add(name)
            name = aliases[name]
        return name

    windows = [(node, bound(key.lower), bound(key.upper)) for node, _ in parts
               if isinstance(key := _key(node), ast.Slice)]
    if len(windows) < 2 or len(windows) != len(parts):
        return []
    starts = {low: node for node, low, _ in windows}
    first = [w for w in windows if w[1] not in {up for _, _, up in windows}]
    if len(first) != 1:
        return []
    chain, cur = [first[0][0]], first[0]
    while cur[2] in starts and len(chain) < len(windows):
        node = starts[cur[2]]
        chain.append(node)
        cur = next(w for w in windows if w[0] is node)
    return chain if len(chain) == len(windows) else []


def _adjacent(parts: list[tuple[ast.Subscript, str]]) -> bool:
    """A head and a middle that starts where the head stops (`X[:end]`, `X[end:end + size]`): the
    rows before a cut and the block after it, a fold of a walk-forward backtest."""
    stops = {ast.dump(key.upper) for node, kind in parts if kind == "head" and isinstance(key := _key(node), ast.Slice)}
    return any(kind == "middle" and isinstance(key := _key(node), ast.Slice) and ast.dump(key.lower) in stops
               for node, kind in parts)


def _key(node: ast.Subscript) -> ast.Slice:
    return node.slice.elts[0] if isinstance(node.slice, ast.Tuple) and node.slice.elts else node.slice


def _note_targets(targets: dict[int, str], target: ast.expr, items: list[ast.expr]) -> None:
    if isinstance(target, ast.Name) and len(items) == 1:
        targets[id(items[0])] = target.id
    elif isinstance(target, ast.Tuple) and len(target.elts) == len(items):
        for name, item in zip(target.elts, items):
            if isinstance(name, ast.Name):
                targets[id(item)] = name.id


ROW_KEEPING = {"copy", "reset_index", "sort_index", "astype", "infer_objects"}


def _rows_kept(node: ast.expr) -> ast.expr:
    """`df[mask].copy()`, `X[:n].reset_index(drop=True)`: the rows cut, through methods that keep them."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ROW_KEEPING:
        node = node.func.value
    return node


def _add_row_part(groups: dict, node: ast.expr) -> None:
    if not isinstance(node, ast.Subscript):
        return
    base = node.value
    if isinstance(base, ast.Attribute) and base.attr in ("iloc", "loc"):
        base = base.value
    key = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) and node.slice.elts else node.slice
    part = _row_part(key)
    if part is not None:
        groups.setdefault((shape_key(base), part[1]), []).append((node, part[0]))


def _row_part(key: ast.expr) -> tuple[str, tuple] | None:
    """(which part, what it is a part of) for a row selector, else None."""
    if isinstance(key, ast.Slice):
        if key.step is not None:
            return None
        if key.lower is None and key.upper is not None:
            return "head", ("slice",)
        if key.lower is not None and key.upper is None:
            return "tail", ("slice",)
        return ("middle", ("slice",)) if key.lower is not None else None
    if isinstance(key, ast.Compare) and len(key.ops) == 1:
        op, left, right = key.ops[0], key.left, key.comparators[0]
        if isinstance(left, ast.Constant):  # `cutoff > df.day` reads `df.day < cutoff`
            left, op = right, {ast.Lt: ast.Gt(), ast.LtE: ast.GtE(), ast.Gt: ast.Lt(), ast.GtE: ast.LtE()}.get(type(op), op)
        if isinstance(op, _HEAD_OPS):
            return "head", ("cut", shape_key(left))
        if isinstance(op, _TAIL_OPS):
            return "tail", ("cut", shape_key(left))
        if isinstance(op, (ast.Eq, ast.NotEq)):
            return ("pos" if isinstance(op, ast.Eq) else "neg"), ("eq", shape_key(key.left), shape_key(right))
        return None
    if isinstance(key, ast.UnaryOp) and isinstance(key.op, (ast.Invert, ast.Not)):
        return "neg", ("mask", shape_key(key.operand))
    if isinstance(key, (ast.Name, ast.Attribute, ast.Call, ast.BoolOp)):
        return "pos", ("mask", shape_key(key))
    return None


