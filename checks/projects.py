"""The projects inside a reviewed folder.

A folder often holds more than one ML project: a repository of examples or course assignments, a
`scenarios/` folder, a monorepo with a training package and a serving app. Configs, train/serve
pairs and "satisfied elsewhere" checks only mean something inside one project, so the review is
partitioned before the project rules run.

The partition is decided from evidence on disk and from each file's role, never from folder names:

- A folder is **self-contained** when it carries a project marker at its top (`pyproject.toml`,
  `setup.py`, `setup.cfg`, `requirements*.txt`, `environment.yml`, `Pipfile`, a README), or when it
  holds training code (a file that fits a model or runs an optimiser, or a notebook).
- A folder that declares a project (`pyproject.toml`, `setup.py`, `setup.cfg`, `requirements*.txt`,
  `environment.yml`, `Pipfile`) is a project of its own wherever it is; one that does is not split
  further except for sub-folders declaring their own.
- Otherwise a folder with two or more self-contained sub-folders is a folder of projects (unless it
  is a Python package: its sub-folders are subpackages of one library): each
  sub-folder becomes a project (looked into again, for folders of projects nested inside it) and
  the loose files at that level one more. One self-contained sub-folder alone is part of its
  parent's project.
- Projects tied by code become one again: one imports a module only the other defines, or reads a
  data file only the other writes (the stages of one pipeline in two folders). A project
  without training code (a serving app with its own `requirements.txt`) joins the training project
  whose artifact it loads (by file name), failing that the only project training in a script.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

# Files that declare a project (its dependencies, its packaging): a folder holding one is one project.
STRONG_MARKERS = frozenset({"pyproject.toml", "setup.py", "setup.cfg", "environment.yml", "environment.yaml", "Pipfile"})
MARKER_NAMES = STRONG_MARKERS | {"README.md", "README.rst", "README.txt", "README", "readme.md"}
TRAINING_ROLES = frozenset({"training", "notebook"})
SERVING_ROLES = frozenset({"serving", "inference"})
PROJECT_CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".toml")


def is_marker(name: str) -> bool:
    return name in MARKER_NAMES or _requirements(name)


def _requirements(name: str) -> bool:
    return name.startswith("requirements") and name.endswith((".txt", ".in"))


def _declares(folder: str, markers: dict[str, list[str]]) -> bool:
    """The folder declares a project of its own (dependencies or packaging, not only a README)."""
    return any(n in STRONG_MARKERS or _requirements(n) for n in markers.get(folder, ()))


@dataclass
class Unit:
    """A project: its root folder (relative to the reviewed root, `.` for the root itself) and its
    files (paths relative to the reviewed root)."""
    root: str
    files: list[str] = field(default_factory=list)


def markers_on_disk(root: Path, rels: list[str]) -> dict[str, list[str]]:
    """Folder (relative, '' for the root) -> the marker files at its top, for every folder holding a
    reviewed file, up to the reviewed root. One directory listing per folder."""
    folders: set[str] = set()
    for rel in rels:
        parent = PurePosixPath(rel).parent
        while True:
            text = "" if str(parent) == "." else str(parent)
            if text in folders:
                break
            folders.add(text)
            if not text:
                break
            parent = parent.parent
    out: dict[str, list[str]] = {}
    for folder in folders:
        try:
            names = os.listdir(root / folder) if folder else os.listdir(root)
        except OSError:
            continue
        found = sorted(n for n in names if is_marker(n))
        if found:
            out[folder] = found
    return out


def partition(roles: dict[str, str], markers: dict[str, list[str]],
              links: dict[str, dict[str, set[str]]] | None = None) -> list[Unit]:
    """The projects found among `roles` (reviewed path -> role); `markers` from `markers_on_disk`;
    `links` per file: {"loads": artifact paths it loads, "writes": artifact paths it writes,
    "imports": top-level module names it imports from the project, "mentions": configuration file
    names its code names, "data_writes"/"data_reads": names of the data files it writes and reads}. Sorted by root."""
    tree = _Folder("")
    for rel in roles:
        tree.add(PurePosixPath(rel).parts, rel)
    projects, rest = _collect(tree, roles, markers)
    if rest:  # rooted where its files are (the reviewed root when they spread over it)
        common = os.path.commonpath([str(PurePosixPath(f).parent) for f in rest])
        projects.append(Unit(common if common not in ("", ".") and len(projects) else ".", sorted(rest)))
    projects = _join_trainless(projects, roles, links or {})
    for unit in projects:
        unit.files.sort()
    return sorted(projects, key=lambda u: (u.root != ".", u.root))


class _Folder:
    def __init__(self, path: str) -> None:
        self.path = path
        self.files: list[str] = []
        self.children: dict[str, _Folder] = {}

    def add(self, parts: tuple[str, ...], rel: str) -> None:
        if len(parts) == 1:
            self.files.append(rel)
            return
        name = parts[0]
        child = self.children.get(name)
        if child is None:
            child = self.children[name] = _Folder(f"{self.path}/{name}" if self.path else name)
        child.add(parts[1:], rel)

    def all_files(self) -> list[str]:
        out = list(self.files)
        for child in self.children.values():
            out += child.all_files()
        return out


def _self_contained(folder: _Folder, roles: dict[str, str], markers: dict[str, list[str]]) -> bool:
    return folder.path in markers or any(roles[f] in TRAINING_ROLES for f in folder.all_files())


def _collect(folder: _Folder, roles: dict[str, str], markers: dict[str, list[str]]) -> tuple[list[Unit], list[str]]:
    """(projects found below `folder`, the files left to `folder`'s own project). In a folder of
    projects every sub-folder is a project of its own (joined again later when code ties them)."""
    projects: list[Unit] = []
    rest = list(folder.files)
    declared = _declares(folder.path, markers)
    package = any(PurePosixPath(f).name == "__init__.py" for f in folder.files)  # its sub-folders are subpackages
    split = not declared and not package and sum(_self_contained(c, roles, markers) for c in folder.children.values()) >= 2
    for child in folder.children.values():
        inner, own = _collect(child, roles, markers)
        projects += inner
        if split or _declares(child.path, markers):
            if own:
                projects.append(Unit(child.path, own))
        else:
            rest += own
    return projects, rest


def _join_trainless(projects: list[Unit], roles: dict[str, str], links: dict[str, dict[str, set[str]]]) -> list[Unit]:
    """Projects tied by an import of the other's modules become one; then a project without
    training code joins the training project whose artifact it loads (or, failing that, the only
    project that trains a model in a script)."""
    if len(projects) < 2:
        return projects
    names = [module_names(u) for u in projects]
    providers: dict[str, list[int]] = {}
    for i, found in enumerate(names):
        for name in found:
            providers.setdefault(name, []).append(i)
    group = list(range(len(projects)))

    def find(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    for i, unit in enumerate(projects):
        imported = {m for f in unit.files for m in links.get(f, {}).get("imports", ())} - names[i]
        for name in imported:
            if len(providers.get(name, ())) == 1:
                group[find(i)] = find(providers[name][0])
    # a data file one project writes and another reads (`features.npz`): stages of one pipeline
    writers: dict[str, set[int]] = {}
    for i, unit in enumerate(projects):
        for f in unit.files:
            for name in links.get(f, {}).get("data_writes", ()):
                writers.setdefault(name, set()).add(i)
    for i, unit in enumerate(projects):
        for name in {n for f in unit.files for n in links.get(f, {}).get("data_reads", ())}:
            makers = writers.get(name, set()) - {i}
            if len(makers) == 1 and len(writers[name]) == 1:
                group[find(i)] = find(next(iter(makers)))
    # A joined project keeps the root of its training code (the folder a user would name it by).
    members: dict[int, list[Unit]] = {}
    for i, unit in enumerate(projects):
        members.setdefault(find(i), []).append(unit)
    units = []
    for group_units in members.values():
        # (the folder holding the others, when one does: a Kedro project's root over its pipelines)
        lead = next((u for u in group_units if u.root != "." and all(
            PurePosixPath(o.root) == PurePosixPath(u.root) or PurePosixPath(u.root) in PurePosixPath(o.root).parents
            for o in group_units)), None) or next(
            (u for u in group_units if any(roles[f] in TRAINING_ROLES for f in u.files)), group_units[0])
        units.append(Unit(lead.root, [f for u in group_units for f in u.files]))
    training = [u for u in units if any(roles[f] in TRAINING_ROLES for f in u.files)]
    scripts = [u for u in training if any(roles[f] == "training" for f in u.files)]
    keep = list(training)
    for unit in units:
        if unit in training:
            continue
        target = _linked(unit, training, links)
        if target is None and len(scripts) == 1:
            target = scripts[0]
        if target is None:
            keep.append(unit)
        else:
            target.files += unit.files
    return keep


def _linked(unit: Unit, training: list[Unit], links: dict[str, dict[str, set[str]]]) -> Unit | None:
    """The one training project whose written artifact (by file name) this project loads, or whose
    code names one of this project's configuration files."""
    loads = {PurePosixPath(p).name for f in unit.files for p in links.get(f, {}).get("loads", ())}
    configs = {PurePosixPath(f).name for f in unit.files if f.endswith(PROJECT_CONFIG_SUFFIXES)}

    def tied(target: Unit) -> bool:
        writes = {PurePosixPath(p).name for f in target.files for p in links.get(f, {}).get("writes", ())}
        mentions = {PurePosixPath(m).name for f in target.files for m in links.get(f, {}).get("mentions", ())}
        return bool(loads & writes or configs & mentions)

    found = [t for t in training if tied(t)]
    return found[0] if len(found) == 1 else None


def module_names(unit: Unit) -> set[str]:
    """The names the project's own files can be imported under: every folder and module name on the
    path from the project's folder, that folder included (`workspace/app/main.py` -> workspace, app,
    main)."""
    names: set[str] = set()
    base = () if unit.root == "." else PurePosixPath(unit.root).parts[:-1]
    for rel in unit.files:
        parts = PurePosixPath(rel).with_suffix("").parts[len(base):]
        names.update(p for p in parts if p.isidentifier())
    return names
