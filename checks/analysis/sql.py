"""A small SQL reader for queries embedded in Python strings: which clause (SELECT list, FROM,
WHERE, ...) a position of the query belongs to.

Parentheses open either a sub-query (`(SELECT ...)`, which has clauses of its own) or an
expression (`COALESCE(...)`, `EXTRACT(EPOCH FROM ...)`, `CAST(x AS ...)`), whose keywords are part
of the expression and do not start a clause: the expression belongs to the clause it appears in.
String literals, quoted identifiers and comments are skipped. This is not a parser; it needs no
dialect and accepts any text.
"""
from __future__ import annotations

import re

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
