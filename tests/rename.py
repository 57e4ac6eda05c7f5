"""Rename every identifier a project binds to a neutral one, keeping every line where it was.

The rename test reviews a project twice, as written and renamed; a finding that changes was decided
by a name. What is renamed, with one mapping for the whole project (so imports between its files
still link): variables, functions, classes, parameters (and the keywords that pass them to the
project's own functions), `import ... as` aliases and names imported from other modules (as
aliases: `from m import f` becomes `from m import f as q3`; `pipeline.f` after `import pipeline`
becomes `pipeline.q3`, as the function is renamed where it is defined). What is kept, because it is an interface
rather than a choice of the author: attributes and methods, class-body fields (pydantic, dataclass),
`self`/`cls`, dunders, builtins the project shadows, string keys and column names, file names.

Offsets come from the syntax tree; the result is checked by parsing it and comparing its tree with
the original's under the mapping, so a rename that would change what the code means raises
`RenameError` instead of producing a different program.
"""
from __future__ import annotations

import ast
import builtins
import io
import json
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from wicked_data.checks.analysis.source import _neutralise_magics, load, neutralise_script

KEEP = frozenset(dir(builtins)) | {"self", "cls", "_"}


class RenameError(Exception):
    """The file cannot be renamed without changing its meaning (or it does not parse)."""


@dataclass
class _Module:
    tree: ast.Module
    text: str
    function_params: dict[str, set[str]] = field(default_factory=dict)  # callable name -> its parameters


def _class_body_names(cls: ast.ClassDef) -> set[str]:
    names = set()
    for stmt in cls.body:
        for node in ast.walk(stmt) if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else ():
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(stmt.name)
    return names


def _bindings(tree: ast.Module) -> tuple[set[str], set[str], dict[str, set[str]]]:
    """(names bound outside class bodies, names the file refuses to rename, callable -> params)."""
    bound: set[str] = set()
    frozen: set[str] = set()
    params: dict[str, set[str]] = {}
    class_level: set[int] = set()  # ids of nodes that are class-body statements' own bindings
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for stmt in node.body:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    class_level.add(id(stmt))
                else:
                    for sub in ast.walk(stmt):
                        if isinstance(sub, ast.Name):
                            class_level.add(id(sub))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and id(node) not in class_level:
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if id(node) not in class_level:
                bound.add(node.name)
            args = node.args
            names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
            names |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
            bound |= names
            params.setdefault(node.name, set()).update(names)
        elif isinstance(node, ast.Lambda):
            args = node.args
            bound |= {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
            bound |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
        elif isinstance(node, ast.ClassDef):
            if id(node) not in class_level:
                bound.add(node.name)
            for stmt in node.body:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == "__init__":
                    a = stmt.args
                    params.setdefault(node.name, set()).update(x.arg for x in a.args + a.kwonlyargs)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*" or isinstance(node, ast.ImportFrom) and node.module == "__future__":
                    continue
                if alias.asname or isinstance(node, ast.ImportFrom):
                    bound.add(alias.asname or alias.name)
                else:
                    frozen.add(alias.name.split(".")[0])  # `import a.b` binds `a`; an alias would bind a.b
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            frozen.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            frozen.add(node.rest)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return bound, frozen, params


def project_mapping(modules: list[ast.Module]) -> dict[str, str]:
    bound: set[str] = set()
    frozen: set[str] = set()
    for tree in modules:
        b, f, _ = _bindings(tree)
        bound |= b
        frozen |= f
    names = sorted(n for n in bound - frozen - KEEP if not (n.startswith("__") and n.endswith("__")))
    return {name: f"q{i}" for i, name in enumerate(names, start=1)}


class _Renamer(ast.NodeVisitor):
    """Collects (line, column, old, new) edits, and renames a copy of the tree the same way."""

    def __init__(self, mapping: dict[str, str], params: dict[str, set[str]], tokens: list[tokenize.TokenInfo],
                 defined: set[str]):
        self.mapping = mapping
        self.defined = defined  # names the project's own modules define at their top level
        self.params = params
        self.edits: list[tuple[int, int, str, str]] = []
        self.tokens = tokens
        self.class_names: list[set[str]] = []  # class bodies being visited (innermost last)
        self.module_aliases: set[str] = set()  # names bound to the project's own modules (`import pipeline`)

    def _rename(self, name: str) -> str | None:
        return self.mapping.get(name)

    def _edit(self, line: int, col: int, old: str, new: str) -> None:
        self.edits.append((line, col, old, new))

    def _name_token_after(self, line: int, col: int, keyword: str, name: str) -> tuple[int, int]:
        seen_keyword = False
        for tok in self.tokens:
            if tok.start < (line, col):
                continue
            if tok.type == tokenize.NAME and tok.string == keyword:
                seen_keyword = True
            elif seen_keyword and tok.type == tokenize.NAME and tok.string == name:
                return tok.start
        raise RenameError(f"no '{keyword} {name}' at line {line}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        """`pipeline.score(...)` after `import pipeline`: the project's own function, renamed where it
        is defined, is renamed where another module reaches it through the module."""
        base = node.value
        if isinstance(base, ast.Name) and base.id in self.module_aliases and node.attr in self.defined:
            new = self._rename(node.attr)
            if new and node.end_lineno == base.lineno:
                self._edit(node.end_lineno, node.end_col_offset - len(node.attr), node.attr, new)
                node.attr = new
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if self.class_names and node.id in self.class_names[-1]:
            return
        new = self._rename(node.id)
        if new:
            self._edit(node.lineno, node.col_offset, node.id, new)
            node.id = new

    def visit_arg(self, node: ast.arg) -> None:
        new = self._rename(node.arg)
        if new:
            self._edit(node.lineno, node.col_offset, node.arg, new)
            node.arg = new
        if node.annotation:
            self.visit(node.annotation)

    def _def(self, node, keyword: str) -> None:
        for dec in node.decorator_list:
            self.visit(dec)
        in_class = bool(self.class_names) and node.name in self.class_names[-1]
        new = None if in_class else self._rename(node.name)
        if new:
            line, col = self._name_token_after(node.lineno, node.col_offset, keyword, node.name)
            self._edit(line, col, node.name, new)
            node.name = new
        fields = [f for f in node._fields if f not in ("decorator_list", "name", "body")]
        for f in fields:
            value = getattr(node, f)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, ast.AST):
                    self.visit(item)
        self.class_names.append(_class_body_names(node) if isinstance(node, ast.ClassDef) else set())
        for stmt in node.body:
            self.visit(stmt)
        self.class_names.pop()

    def visit_FunctionDef(self, node):
        self._def(node, "def")

    def visit_AsyncFunctionDef(self, node):
        self._def(node, "def")

    def visit_ClassDef(self, node):
        self._def(node, "class")

    def visit_Lambda(self, node):
        self.class_names.append(set())
        self.generic_visit(node)
        self.class_names.pop()

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        callee = func.id if isinstance(func, ast.Name) else (
            func.attr if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
            and func.value.id in ("self", "cls") else None)
        spelled = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if spelled == "partial" and node.args and isinstance(node.args[0], ast.Name):
            callee = node.args[0].id  # `partial(loss, check_x=...)` passes its keywords on to `loss`
        params = self.params.get(callee, set())
        self.visit(node.func)
        for a in node.args:
            self.visit(a)
        for kw in node.keywords:
            if kw.arg and kw.arg in params and self._rename(kw.arg):
                new = self._rename(kw.arg)
                self._edit(kw.lineno, kw.col_offset, kw.arg, new)
                kw.arg = new
            self.visit(kw.value)

    def visit_Global(self, node):
        self._names_stmt(node, "global")

    def visit_Nonlocal(self, node):
        self._names_stmt(node, "nonlocal")

    def _names_stmt(self, node, keyword):
        renamed = []
        for name in node.names:
            new = self._rename(name)
            if new:
                line, col = self._name_token_after(node.lineno, node.col_offset, keyword, name)
                self._edit(line, col, name, new)
            renamed.append(new or name)
        node.names = renamed

    def visit_ExceptHandler(self, node):
        if node.name and self._rename(node.name):
            new = self._rename(node.name)
            line, col = self._name_token_after(node.lineno, node.col_offset, "as", node.name)
            self._edit(line, col, node.name, new)
            node.name = new
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module == "__future__":
            return
        for alias in node.names:
            if alias.name in self.defined and self._rename(alias.name):  # imported from the project itself
                new = self._rename(alias.name)
                self._edit(alias.lineno, alias.col_offset, alias.name, new)
                alias.name = new
                if alias.asname:
                    self.visit_alias(alias)
            else:
                self.visit_alias(alias)

    def visit_alias(self, node: ast.alias) -> None:
        new = self._rename(node.asname or node.name)
        if not new:
            return
        if node.asname:
            line, col = self._name_token_after(node.lineno, node.col_offset, "as", node.asname)
            self._edit(line, col, node.asname, new)
        else:  # `from m import f` -> `from m import f as q3`
            self._edit(node.lineno, node.col_offset, node.name, f"{node.name} as {new}")
        node.asname = new


def _apply(text: str, edits: list[tuple[int, int, str, str]]) -> str:
    lines = text.splitlines(keepends=True)
    by_line: dict[int, list[tuple[int, str, str]]] = {}
    for line, col, old, new in edits:
        by_line.setdefault(line, []).append((col, old, new))
    for line, items in by_line.items():
        raw = lines[line - 1].encode("utf-8")
        for col, old, new in sorted(set(items), reverse=True):
            if raw[col:col + len(old.encode())] != old.encode():
                raise RenameError(f"line {line}: expected '{old}' at column {col}")
            raw = raw[:col] + new.encode() + raw[col + len(old.encode()):]
        lines[line - 1] = raw.decode("utf-8")
    return "".join(lines)


def _top_level(tree: ast.Module) -> set[str]:
    out = set()
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(stmt.name)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for target in stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]:
                out |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return out


def rename_text(text: str, mapping: dict[str, str], params: dict[str, set[str]], defined: set[str] = frozenset(),
                modules: set[str] = frozenset()) -> str:
    try:
        tree = ast.parse(text)
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (SyntaxError, tokenize.TokenError, ValueError) as exc:
        raise RenameError(f"does not parse: {exc}") from None
    renamer = _Renamer(mapping, params, tokens, set(defined))
    renamer.module_aliases = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                              for alias in node.names if alias.name in modules and (alias.asname or "." not in alias.name)}
    renamer.visit(tree)
    out = _apply(text, renamer.edits)
    if ast.dump(ast.parse(out)) != ast.dump(tree):
        raise RenameError("the renamed text is not the renamed program")
    if len(out.splitlines()) != len(text.splitlines()):
        raise RenameError("lines moved")
    return out


def _python_text(path: Path) -> str:
    return load(path, path.name).text


def rename_project(files: dict[str, str]) -> dict[str, str]:
    """{relative path: text} -> the same files renamed with one mapping. Notebooks are JSON text;
    other files (configs, SQL, data) are returned unchanged."""
    trees, params = {}, {}
    files = dict(files)
    for name, text in files.items():
        if name.endswith(".py") and (neutral := neutralise_script(text)) is not None:
            files[name] = neutral  # a script exported from a notebook: its `!pip` lines, commented out as the review does
    for name, text in files.items():
        code = _notebook_code(text) if name.endswith(".ipynb") else text if name.endswith(".py") else None
        if code is None:
            continue
        try:
            trees[name] = ast.parse(code)
        except SyntaxError as exc:
            raise RenameError(f"{name} does not parse: {exc}") from None
    for tree in trees.values():
        for callee, names in _bindings(tree)[2].items():
            params.setdefault(callee, set()).update(names)
    mapping = project_mapping(list(trees.values()))
    defined = set().union(*(_top_level(t) for t in trees.values())) if trees else set()
    modules = {".".join(parts[start:]) for name in trees if name.endswith(".py")
               for parts in [[p for p in name[:-3].split("/") if p != "__init__"]] for start in range(len(parts))}
    out = dict(files)
    for name in trees:
        if name.endswith(".ipynb"):
            out[name] = _rename_notebook(files[name], mapping, params, defined, modules)
        else:
            out[name] = rename_text(files[name], mapping, params, defined, modules)
    return out


def _code_cells(doc: dict) -> list[dict]:
    return [c for c in doc.get("cells", []) if c.get("cell_type") == "code"]


def _cell_lines(cell: dict) -> list[str]:
    source = cell.get("source", "")
    return ("".join(source) if isinstance(source, list) else source).split("\n")


def _notebook_code(text: str) -> str:
    doc = json.loads(text)
    return "\n".join("\n".join(_neutralise_magics(_cell_lines(c))) for c in _code_cells(doc))


def _rename_notebook(text: str, mapping: dict[str, str], params: dict[str, set[str]], defined: set[str],
                     modules: set[str] = frozenset()) -> str:
    doc = json.loads(text)
    renamed = rename_text(_notebook_code(text), mapping, params, defined, modules).split("\n")
    pos = 0
    for cell in _code_cells(doc):
        original = _cell_lines(cell)
        neutral = _neutralise_magics(original)
        new_lines = []
        for orig, neut in zip(original, neutral):
            new_lines.append(renamed[pos] if orig == neut else orig)
            pos += 1
        joined = "\n".join(new_lines)
        cell["source"] = joined.splitlines(keepends=True) if isinstance(cell.get("source"), list) else joined
    return json.dumps(doc, indent=1)


def rename_tree(src: Path, dst: Path) -> None:
    """Copy the folder `src` to `dst` with its Python files and notebooks renamed."""
    files = {}
    for path in sorted(src.rglob("*")):
        if path.is_file():
            rel = path.relative_to(src).as_posix()
            try:
                files[rel] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                files[rel] = None
    texts = {k: v for k, v in files.items() if v is not None}
    renamed = rename_project(texts)
    for rel, text in files.items():
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            target.write_bytes((src / rel).read_bytes())
        else:
            target.write_text(renamed[rel], encoding="utf-8")
