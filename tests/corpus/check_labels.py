#!/usr/bin/env python3
"""Check the labelled corpus: every case file parses, every label points at a real line of a real file,
and every category is one the shared scorer knows.

usage: python tests/corpus/check_labels.py [--show]   (--show prints the source line under each label)

Notebook lines count the code cells joined in order with newlines, as in shared/spec/output.md.
Config files (YAML, JSON, TOML) must parse as such; a label on one may have scope "file".
"""
from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import sys
import tomllib
from pathlib import Path

import yaml

CORPUS = Path(__file__).resolve().parent
CASES = CORPUS / "cases"
SCORER = CORPUS.parents[2] / "shared" / "tools" / "score_findings.py"
SCORED_PREFIXES = ("leakage.", "eval.", "data.", "skew.", "prod.", "serve.")
CONFIG_SUFFIXES = {".yaml", ".yml", ".json", ".toml"}


def known_categories() -> set[str]:
    """The categories of the scorer's table (and the aliases it scores as one of them, such as
    serve.unvalidated_payload): the only ones this corpus labels."""
    spec = importlib.util.spec_from_file_location("score_findings", SCORER)
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    return {c for c in [*scorer.RULE_CATEGORY.values(), *scorer.SAME] if c.startswith(SCORED_PREFIXES)}


def notebook_code(path: Path) -> list[str]:
    """The lines of a notebook's code cells; raises ValueError if it is not nbformat 4."""
    nb = json.loads(path.read_text())
    if nb.get("nbformat") != 4 or not isinstance(nb.get("cells"), list):
        raise ValueError("not an nbformat 4 notebook")
    kinds = {c.get("cell_type") for c in nb["cells"]}
    if not kinds <= {"code", "markdown", "raw"} or "code" not in kinds or "markdown" not in kinds:
        raise ValueError(f"unexpected cell types {sorted(map(str, kinds))}")
    for cell in nb["cells"]:
        if not isinstance(cell.get("source"), list) or "metadata" not in cell:
            raise ValueError("cell without a source list or metadata")
        if cell["cell_type"] == "code" and ("outputs" not in cell or "execution_count" not in cell):
            raise ValueError("code cell without outputs/execution_count")
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    for n, cell in enumerate(cells):  # (a line magic at the top level, `%run x.py`, is not Python)
        python = "\n".join("#" + line if line.startswith(("%", "!")) else line for line in cell.split("\n"))
        ast.parse(python, filename=f"{path.name}[code cell {n}]")
    return "\n".join(cells).split("\n")


def source_lines(path: Path) -> list[str]:
    if path.suffix == ".ipynb":
        return notebook_code(path)
    text = path.read_text()
    if path.suffix in (".yaml", ".yml"):
        yaml.safe_load(text)
    elif path.suffix == ".json":
        json.loads(text)
    elif path.suffix == ".toml":
        tomllib.loads(text)
    elif path.suffix == ".sql":
        pass  # read as text: any dialect
    else:  # (a script exported from a notebook may start with `!pip install`: not Python, commented out)
        ast.parse("\n".join("#" + line if line.startswith(("%", "!")) else line for line in text.split("\n")),
                  filename=str(path))
    return text.split("\n")


def check(show: bool) -> list[str]:
    problems: list[str] = []
    categories = known_categories()
    files: dict[tuple[str, str], list[str]] = {}
    for path in sorted(p for p in CASES.glob("*/**/*") if p.is_file() and "__pycache__" not in p.parts):
        case = path.relative_to(CASES).parts[0]
        key = (case, path.relative_to(CASES / case).as_posix())
        try:
            files[key] = source_lines(path)
        except (SyntaxError, ValueError, json.JSONDecodeError, yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
            problems.append(f"{path.relative_to(CORPUS)}: {exc}")
            files[key] = []

    entries = json.loads((CORPUS / "labels.json").read_text())
    labelled_files = set()
    for e in entries:
        case, path = e["case"], e["path"]
        where = f"{case}/{path}"
        if (case, path) not in files:
            problems.append(f"{where}: labelled but no such file")
            continue
        if (case, path) in labelled_files:
            problems.append(f"{where}: listed twice")
        labelled_files.add((case, path))
        cats = {lab["category"] for lab in e["labels"]}
        for cat in cats | set(e["negatives"]):
            if cat not in categories:
                problems.append(f"{where}: unknown or out-of-scope category {cat}")
        if cats & set(e["negatives"]):
            problems.append(f"{where}: labelled and negative: {sorted(cats & set(e['negatives']))}")
        for lab in e["labels"]:
            if lab.get("scope") not in ("line", "file"):
                problems.append(f"{where}: label scope must be 'line' or 'file'")
            elif lab["scope"] == "file" and Path(path).suffix not in CONFIG_SUFFIXES:
                problems.append(f"{where}: scope 'file' is for labels on config files")
            places = [(path, lab["line"])] + [(r["path"], r["line"]) for r in lab.get("related", [])]
            for p, line in places:
                lines = files.get((case, p))
                if lines is None:
                    problems.append(f"{where}: {lab['category']} points to missing file {p}")
                elif not (1 <= line <= len(lines)) or not lines[line - 1].strip():
                    problems.append(f"{where}: {lab['category']} line {line} of {p} is out of range or blank")
                elif show:
                    print(f"{case}/{p}:{line} {lab['category']:38s} | {lines[line - 1].strip()[:90]}")
    for key in sorted(set(files) - labelled_files):
        problems.append(f"{key[0]}/{key[1]}: file has no entry in labels.json")
    return problems


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", action="store_true", help="print the source line under every label")
    problems = check(ap.parse_args().show)
    for p in problems:
        print("problem:", p)
    entries = json.loads((CORPUS / "labels.json").read_text())
    cases = {e["case"] for e in entries}
    clean = {c for c in cases if not any(e["labels"] for e in entries if e["case"] == c)}
    print(f"{len(cases)} cases ({len(clean)} clean), {len(entries)} files, "
          f"{sum(len(e['labels']) for e in entries)} labels, {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
