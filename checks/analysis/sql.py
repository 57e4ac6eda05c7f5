"""A small SQL reader for queries embedded in Python strings: which clause (SELECT list, FROM,
WHERE, ...) a position of the query belongs to.

Parentheses open either a sub-query (`(SELECT ...)`, which has clauses of its own) or an
expression (`COALESCE(...)`, `EXTRACT(EPOCH FROM ...)`, `CAST(x AS ...)`), whose keywords are part
of the expression and do not start a clause: the expression belongs to the clause it appears in.
String literals, quoted identifiers and comments are skipped. This is not a parser; it needs no
dialect and accepts any text.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

# Keywords that start a clause of a query (multi-word ones by their first word).
CLAUSES = {"SELECT", "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "JOIN", "ON", "QUALIFY",
           "WINDOW", "UNION", "EXCEPT", "INTERSECT", "VALUES", "SET", "RETURNING", "USING", "WITH", "INSERT",
           "UPDATE", "DELETE", "INTO", "FETCH"}
_TOKEN = re.compile(r"""
      (?P<comment>--[^\n]*|/\*.*?\*/)
    | (?P<string>'(?:[^']|'')*'|"(?:[^"]|"")*"|`[^`]*`)
    | (?P<open>\()
    | (?P<close>\))
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    """, re.S | re.X)


def clause_at(sql: str, pos: int) -> str | None:
    """The clause of the innermost query holding `pos` (upper case: 'SELECT', 'WHERE', ...);
    None before the first clause keyword and inside a comment or a string literal."""
    # Each frame: (is a sub-query, its current clause). The outermost text is a query.
    frames: list[list] = [[True, None]]
    tokens = list(_TOKEN.finditer(sql))
    for i, token in enumerate(tokens):
        if token.start() >= pos:
            break
        kind = token.lastgroup
        if kind in ("comment", "string") and token.end() > pos:
            return None
        if kind == "open":
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            subquery = following is not None and following.lastgroup == "word" \
                and following.group().upper() in ("SELECT", "WITH")
            frames.append([subquery, None if subquery else frames[-1][1]])
        elif kind == "close" and len(frames) > 1:
            frames.pop()
        elif kind == "word" and frames[-1][0]:
            word = token.group().upper()
            if word in CLAUSES:
                frames[-1][1] = word
            elif word in ("LEFT", "RIGHT", "INNER", "OUTER", "FULL", "CROSS", "NATURAL", "LATERAL"):
                frames[-1][1] = "JOIN"
    return frames[-1][1]


def tables(sql: str) -> list[str]:
    """Table names after FROM and JOIN (sub-queries and functions skipped), in order."""
    out: list[str] = []
    tokens = [t for t in _TOKEN.finditer(sql) if t.lastgroup not in ("comment",)]
    for i, token in enumerate(tokens[:-1]):
        if token.lastgroup == "word" and token.group().upper() in ("FROM", "JOIN"):
            following = tokens[i + 1]
            after = tokens[i + 2] if i + 2 < len(tokens) else None
            if following.lastgroup == "word" and clause_at(sql, token.end()) in ("FROM", "JOIN") \
                    and not (after is not None and after.lastgroup == "open"):
                name = following.group()
                if name not in out:
                    out.append(name)
    return out


# ---------------------------------------------------------------------- queries assembled in Python
UNKNOWN = "?"  # what a piece known only at run time (a parameter, a config value) reads as


@dataclass
class Query:
    """The text of a query as the code assembles it, with the source line of every position.
    `pieces`: (offset in `text`, source line at that offset, whether the piece is literal text)."""
    text: str
    pieces: list[tuple[int, int, bool]]

    def line_at(self, pos: int) -> int:
        start, line, literal = self.pieces[0]
        for piece in self.pieces:
            if piece[0] > pos:
                break
            start, line, literal = piece
        return line + (self.text.count("\n", start, pos) if literal else 0)


def queries(tree: ast.Module) -> list[Query]:
    """Every SQL query the module writes or assembles: string literals, f-strings, `+`
    concatenations, `str.format`/`%` formatting, `"...".join([...])`, and a name built up with `+=`
    in one scope. Names bound once to a string (a table name, a column list) are read through;
    anything else (a parameter, a config value) is `?`. Only texts that read as a query (a SELECT)
    are returned; a literal that is part of a larger assembled query is not returned again alone."""
    reader = _Assembler(tree)
    found: list[Query] = []
    for scope in _scopes_with_select(tree):
        for node in reader.roots(scope):
            if not _mentions_select(node):
                continue
            query = reader.assemble(node, scope)
            if query is not None and _is_query(query.text):
                found.append(query)
        for name, parts in reader.built_up(scope).items():
            if not any(_mentions_select(p) for p in parts):
                continue
            query = _join([reader.assemble(p, scope) for p in parts])
            if query is not None and _is_query(query.text):
                found.append(query)
    return _outermost(found)


_SELECT = re.compile(r"\bselect\b", re.I)


def _scopes_with_select(tree: ast.Module) -> list[ast.AST]:
    """The module and the functions whose own code holds a string saying SELECT (docstrings aside),
    in one walk."""
    out: list[ast.AST] = []
    stack: list[tuple[ast.AST, ast.AST]] = [(tree, tree)]
    seen: set[int] = set()
    while stack:
        node, scope = stack.pop()
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(scope) not in seen \
                and _SELECT.search(node.value):
            seen.add(id(scope))
            out.append(scope)
        inner = node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else scope
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))
    return out


def _mentions_select(node: ast.AST) -> bool:
    """A literal piece of the expression says SELECT (a query whose SELECT comes only from a name
    bound elsewhere is assembled through that name's own literal)."""
    return any(isinstance(n, ast.Constant) and isinstance(n.value, str) and _SELECT.search(n.value)
               for n in ast.walk(node))


def _is_query(text: str) -> bool:
    return bool(_SELECT.search(text)) and len(text) > 12


def _outermost(found: list[Query]) -> list[Query]:
    """Drop a query whose text lies whole inside another found query (the literal piece of an
    assembled query, the first part of a name built up with `+=`)."""
    out = []
    for q in found:
        if not any(o is not q and len(o.text) > len(q.text) and q.text in o.text and
                   {p[1] for p in q.pieces} <= {p[1] for p in o.pieces} | {o.line_at(len(o.text) - 1)} for o in found):
            out.append(q)
    seen, unique = set(), []
    for q in out:
        key = (q.text, q.pieces[0][1])
        if key not in seen:
            seen.add(key)
            unique.append(q)
    return unique


def _join(parts: list[Query | None]) -> Query | None:
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    text, pieces = "", []
    for part in parts:
        pieces += [(start + len(text), line, literal) for start, line, literal in part.pieces]
        text += part.text
    return Query(text, pieces)


class _Assembler:
    def __init__(self, tree: ast.Module) -> None:
        self._bound: dict[int, dict[str, list[ast.expr]]] = {}
        self.module = tree

    def _body_nodes(self, scope: ast.AST):
        """The nodes of a scope, not those of the functions nested in it."""
        todo = list(ast.iter_child_nodes(scope))
        while todo:
            node = todo.pop()
            yield node
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                todo.extend(ast.iter_child_nodes(node))

    def bound(self, scope: ast.AST) -> dict[str, list[ast.expr]]:
        key = id(scope)
        if key not in self._bound:
            out: dict[str, list[ast.expr]] = {}
            for node in self._body_nodes(scope):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            out.setdefault(target.id, []).append(node.value)
                elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
                    out.setdefault(node.target.id, []).append(node.value)
                elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                    out.setdefault(node.target.id, []).append(node)  # type: ignore[arg-type]
            for values in out.values():  # in source order
                values.sort(key=lambda v: (v.lineno, v.col_offset))
            self._bound[key] = out
        return self._bound[key]

    def roots(self, scope: ast.AST) -> list[ast.expr]:
        """String expressions not part of a larger string expression."""
        out, parts = [], set()
        for node in self._body_nodes(scope):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                parts.add(id(node.value))  # a docstring or a bare string: no query is run
            elif self._stringish(node):
                out.append(node)
                for child in ast.walk(node):
                    if child is not node:
                        parts.add(id(child))
        return [n for n in out if id(n) not in parts]

    def built_up(self, scope: ast.AST) -> dict[str, list[ast.expr]]:
        """A name assigned a string once and extended with `+=`: its pieces in order."""
        out = {}
        for name, values in self.bound(scope).items():
            if len(values) > 1 and not isinstance(values[0], ast.AugAssign) \
                    and all(isinstance(v, ast.AugAssign) and isinstance(v.op, ast.Add) for v in values[1:]):
                out[name] = [values[0], *(v.value for v in values[1:])]  # type: ignore[attr-defined]
        return out

    @staticmethod
    def _stringish(node: ast.AST) -> bool:
        if isinstance(node, ast.Constant):
            return isinstance(node.value, str)
        if isinstance(node, ast.JoinedStr):
            return True
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
            return _Assembler._stringish(node.left) or (isinstance(node.op, ast.Add) and _Assembler._stringish(node.right))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join"):
            return isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str)
        return False

    def assemble(self, node: ast.AST | None, scope: ast.AST, depth: int = 0) -> Query | None:
        if node is None or depth > 8:
            return None
        line = getattr(node, "lineno", 1)
        if isinstance(node, ast.Constant):
            return Query(node.value, [(0, line, True)]) if isinstance(node.value, str) else _unknown(line)
        if isinstance(node, ast.JoinedStr):  # literal parts on the f-string's own lines
            parts, newlines = [], 0
            for value in node.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    parts.append(Query(value.value, [(0, line + newlines, True)]))
                    newlines += value.value.count("\n")
                elif isinstance(value, ast.FormattedValue):
                    parts.append(self.assemble(value.value, scope, depth + 1) or _unknown(line + newlines))
            return _join(parts) or Query("", [(0, line, True)])
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return _join([self.assemble(node.left, scope, depth + 1) or _unknown(line),
                          self.assemble(node.right, scope, depth + 1) or _unknown(line)])
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            left = self.assemble(node.left, scope, depth + 1)
            return Query(re.sub(r"%(\([^)]*\))?[-#0 +]*\d*(\.\d+)?[sdifr]", UNKNOWN, left.text), left.pieces) if left else None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Constant) \
                and isinstance(node.func.value.value, str):
            template = self.assemble(node.func.value, scope, depth + 1)
            if node.func.attr == "format" and template is not None:
                return Query(re.sub(r"\{[^{}]*\}", UNKNOWN, template.text), template.pieces)
            if node.func.attr == "join" and node.args and isinstance(node.args[0], (ast.List, ast.Tuple)):
                sep = node.func.value.value
                parts: list[Query | None] = []
                for i, element in enumerate(node.args[0].elts):
                    if i:
                        parts.append(Query(sep, [(0, getattr(element, "lineno", line), True)]))
                    parts.append(self.assemble(element, scope, depth + 1) or _unknown(getattr(element, "lineno", line)))
                return _join(parts)
            return _unknown(line)
        if isinstance(node, ast.Name):
            for where in (scope, self.module):
                values = self.bound(where).get(node.id, [])
                if len(values) == 1 and not isinstance(values[0], ast.AugAssign):
                    return self.assemble(values[0], where, depth + 1)
            return _unknown(line)
        return _unknown(line)


def _unknown(line: int) -> Query:
    return Query(UNKNOWN, [(0, line, False)])
