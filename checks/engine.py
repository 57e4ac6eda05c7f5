"""`review(paths, config) -> Review`: the one library call every surface uses.

Per file: read (bad input becomes an error entry), parse once, build one `ModuleAnalysis`, run every
rule on it in one pass (an exception in one rule becomes an error entry and costs no other finding).
Per project: rules that report an absence are silenced when any file satisfies them; then
suppression comments, configuration and the baseline filter what remains. Files are analysed in
parallel when there are many, and each file's result is cached by content hash.
"""
from __future__ import annotations

import ast
import fnmatch
import gc
import io
import json
import os
import re
import signal
import sys
import time
import tokenize
import warnings
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from wicked_data.checks import __version__
from wicked_data.checks.analysis.source import SourceError, SourceFile, decode, file_limit, load, neutralise_script, read_bytes
from wicked_data.checks.cache import Cache
from wicked_data.checks.config import DEFAULT_EXCLUDE, Config
from wicked_data.checks.projects import Unit, markers_on_disk, partition
from wicked_data.checks.models import (BlindSpot, Coverage, ErrorEntry, FileEntry, Finding, ProjectEntry, Related, Review,
                           Severity, ToolInfo, by_place, family_of)
from wicked_data.checks.results_schema import valid_result
from wicked_data.checks.rules.base import Hit, ProjectRule, Rule, registry

# The analysis (and the rules, through `registry()`) is imported where a file is analysed or the
# project rules run, not here: a review the cache answers whole never loads it.
if TYPE_CHECKING:
    from wicked_data.checks.analysis.module import ModuleAnalysis
    from wicked_data.checks.analysis.project import Project

SOURCE_SUFFIXES = {".py", ".ipynb"}
SQL_SUFFIXES = {".sql"}
CONFIG_SUFFIXES = {".yaml", ".yml", ".json", ".toml"}
REVIEWED_SUFFIXES = SOURCE_SUFFIXES | CONFIG_SUFFIXES | SQL_SUFFIXES
PARALLEL_THRESHOLD = 24
MAX_DEPTH = 200  # folder levels walked below a reviewed root
SUPPRESS = re.compile(r"(?:#|--)\s*wicked-data:\s*ignore(?:\[(?P<codes>[A-Z0-9,\s]+)\])?")

Progress = Callable[[int, int], None]


def analyse_project(paths: Sequence[str | Path], config: Config | None = None, *, progress: Progress | None = None,
                    cache_dir: Path | None = None, confine: Sequence[Path] | None = None) -> tuple[Project, list[ErrorEntry]]:
    """The project model of the files under `paths` (each file analysed once, cached)."""
    config = config or Config()
    roots = [Path(p) for p in paths] or [Path(".")]
    root = _common_root(roots)
    files, errors = discover(roots, root, config, confine)
    cache = Cache.open(root, cache_dir) if config.cache else None
    results = _analyse_all(files, config, progress, cache, _stamps(files) if cache else {})
    return _project(results, markers_on_disk(root, [rel for _, rel in files])), errors


def _project(results: list[tuple[str, dict]], markers: dict[str, list[str]]) -> Project:
    """The project model: every file's facts, partitioned into the projects the folder holds."""
    from wicked_data.checks.analysis.project import Project

    facts = {rel: r["facts"] for rel, r in results if r.get("facts")}
    roles = {rel: r.get("role", "other") for rel, r in results}
    return Project(facts, roles, parts=partition(roles, markers, {rel: _links(f) for rel, f in facts.items()}))


def _links(facts: dict) -> dict[str, set[str]]:
    """What ties a file to another project: artifacts it loads and writes, project modules it imports."""
    artifacts = facts.get("artifacts") or {}
    return {"loads": {a["path"] for a in artifacts.get("loaded", ()) if a.get("path")},
            "writes": {a["path"] for a in artifacts.get("written", ()) if a.get("path")},
            # (each part of a project module's dotted name: `from pkg.pipelines import _03_split` ties
            # the folder `_03_split` to the file even where `pipelines` is a namespace package)
            "imports": set(facts.get("local_imports") or ()) | {
                part for name in facts.get("imported") or () for part in name.lstrip(".").split(".")[:-1] if part},
            "mentions": set((facts.get("config") or {}).get("mentions") or ()),
            "data_writes": set(((facts.get("lineage") or {}).get("files") or {}).get("written") or ()),
            "data_reads": set(((facts.get("lineage") or {}).get("files") or {}).get("read") or ())}


def review(paths: Sequence[str | Path], config: Config | None = None, *, baseline: Path | None = None,
           progress: Progress | None = None, cache_dir: Path | None = None,
           confine: Sequence[Path] | None = None) -> Review:
    """Review the files under `paths`. With `confine` (real directories), a file or folder whose real
    path lies outside all of them (a symlink leading out) is skipped with an error entry."""
    return _review(paths, config, baseline, progress, cache_dir, confine, with_project=False)[0]


def review_project(paths: Sequence[str | Path], config: Config | None = None, *, baseline: Path | None = None,
                   progress: Progress | None = None, cache_dir: Path | None = None,
                   confine: Sequence[Path] | None = None) -> tuple[Review, Project]:
    """The review and the project model it was built from (for reports that need both, such as the
    serving audit), from one analysis of the files."""
    result, project = _review(paths, config, baseline, progress, cache_dir, confine, with_project=True)
    assert project is not None
    return result, project


def _review(paths: Sequence[str | Path], config: Config | None, baseline: Path | None, progress: Progress | None,
            cache_dir: Path | None, confine: Sequence[Path] | None, with_project: bool) -> tuple[Review, Project | None]:
    config = config or Config()
    roots = [Path(p) for p in paths] or [Path(".")]
    root = _common_root(roots)
    files, errors = discover(roots, root, config, confine)
    cache = Cache.open(root, cache_dir) if config.cache else None
    markers = markers_on_disk(root, [rel for _, rel in files])
    stamps = _stamps(files) if cache else {}
    # The partition into projects depends on the marker files too: a snapshot vouches for them.
    marker_stamps = {f"{folder}/{name}".lstrip("/"): _stamp(root / folder / name)
                     for folder, names in markers.items() for name in names} if cache else {}
    settings = f"max_file_size={config.max_file_size}" + (f" stated={_salt(config)}" if config.stated() else "")
    # Every file unchanged since the last review of this root: its outcome before the filters
    # (configuration, baseline) is served whole, without analysing, loading facts or running the
    # project rules. The project model, when asked for, needs the facts: that goes the long way.
    snapshot_stamps = {**stamps, **{f"\0marker:{k}": v for k, v in marker_stamps.items()}}
    snapshot = cache.snapshot(snapshot_stamps, settings) if cache and not with_project else None
    project = None
    served = _from_snapshot(snapshot) if snapshot is not None else None
    catalogue = _catalogue(snapshot) if served is not None else None
    if served is not None:
        results, project_findings, project_errors, parts, withdrawn, adjusted = served
        if progress:
            progress(len(files), len(files))
    else:
        results = _analyse_all(files, config, progress, cache, stamps)
        project = _project(results, markers)
        parts = project.parts
        project_findings, project_errors, withdrawn = [], [], []
        adjusted: dict[str, list[str]] = {}
        skew_spots: dict[str, list] = {}
        for part in project.split():  # configs, pairs and project rules stay within one project
            found, failed = _project_findings(part, root, files)
            project_findings += found
            project_errors += failed
            gone, changed = _settled_elsewhere(part, results, project_errors)
            withdrawn += gone
            adjusted.update(changed)
            try:
                for rel, line, note in part.skew_blind_spots():
                    skew_spots.setdefault(rel, []).append([line, note])
            except Exception as exc:  # a report on the analysis: losing it must not lose the review
                project_errors.append(ErrorEntry(file=".", message=f"internal error in the skew coverage "
                                                                   f"({type(exc).__name__}: {exc}); please report this"))
        # (the project's blind spots join the files' own, so a snapshot serves them too)
        results = [(rel, {**r, "blind_spots": [*(r.get("blind_spots") or ()), *skew_spots[rel]]}) if rel in skew_spots
                   else (rel, r) for rel, r in results]
        if cache:
            cache.save_snapshot(snapshot_stamps, settings, [(rel, _without_facts(r)) for rel, r in results],
                                [f.model_dump(mode="json") for f in project_findings],
                                [e.model_dump(mode="json") for e in project_errors],
                                [[rule_id, project_rule] for rule_id, project_rule in _catalogue(None)],
                                [[u.root, u.files] for u in parts], withdrawn, adjusted)
    findings: list[Finding] = []
    entries: list[FileEntry] = []
    # A rule satisfied by one file (a metric other than accuracy, a baseline) silences its findings
    # in the other files of the same project only.
    part_of = {rel: i for i, unit in enumerate(parts) for rel in unit.files}
    satisfied: set[tuple[int, str]] = set()
    for rel, result in results:
        entries.append(FileEntry(path=rel, role=result.get("role", "other")))
        if result.get("error"):
            errors.append(ErrorEntry(file=rel, message=result["error"]))
            continue
        errors.extend(ErrorEntry(file=rel, message=m) for m in result.get("rule_errors", []))
        satisfied.update((part_of.get(rel, -1), rule_id) for rule_id in result.get("satisfied", []))
        findings.extend(_adjusted(Finding.model_validate(f), adjusted) for f in result.get("findings", []))
    gone = set(withdrawn)  # made moot by another file of the project (`Rule.settled_elsewhere`)
    findings = [f for f in findings if (part_of.get(f.file, -1), f.rule) not in satisfied and f.id not in gone]
    findings += project_findings
    errors += project_errors
    cover = _coverage(results, findings, errors, config, catalogue or _catalogue(None), parts)
    findings = _filter(findings, config, _baseline_ids(baseline) if baseline else set())
    findings.sort(key=lambda f: (f.file, f.line, f.rule))
    entries.sort(key=lambda e: e.path)
    errors.sort(key=lambda e: e.file)
    return Review(tool=ToolInfo(version=__version__), root=_display(root), files=entries,
                  findings=_same_place(_unique_ids(findings)), errors=errors, coverage=cover), project


FAMILIES = ("ML1", "ML2", "ML3", "ML4", "ML5")
# Production rules about answering requests (input validation, error handling on the predict path,
# monitoring, the version in responses): they apply where a file serves or runs inference, not to
# every training script of the ML4 family.
SERVED_RULES = ("ML404", "ML406", "ML408", "ML409")


def _project_rule_applies(rule_id: str, roles: set[str]) -> bool:
    """For the project rules, from the roles of the reviewed files: skew needs a training side (a
    training script, notebook or feature module) and a serving side, configuration drift a
    configuration file beside code, the serving rules a serving or inference file."""
    serving = bool(roles & {"serving", "inference"})
    if rule_id in ("ML301", "ML302"):
        return serving and bool(roles & {"training", "notebook", "feature"})
    if rule_id == "ML304":
        return "config" in roles and len(roles) > 1
    return serving


def _catalogue(snapshot: dict | None) -> list[tuple[str, bool]]:
    """(rule id, is a project rule) for every rule: from a snapshot when it holds a well-formed
    list (a served review imports no rules), else from the registry."""
    stored = snapshot.get("catalogue") if isinstance(snapshot, dict) else None
    if isinstance(stored, list) and stored and all(
            isinstance(e, list) and len(e) == 2 and isinstance(e[0], str) and isinstance(e[1], bool) for e in stored):
        return [(e[0], e[1]) for e in stored]
    return [(rule_id, issubclass(cls, ProjectRule)) for rule_id, cls in registry().items()]


def _coverage(results: list[tuple[str, dict]], findings: list[Finding], errors: list[ErrorEntry],
              config: Config, catalogue: list[tuple[str, bool]], parts: list[Unit]) -> Coverage:
    """Per rule: `found` (findings before the severity, baseline and per-file filters: a finding
    hidden by a filter is not a pass), `passed` (it ran where it applies and found nothing),
    `not-applicable`, `not-run` (deselected); and the blind spots of every file, with the files
    that could not be read or parsed and the rules that failed on a file."""
    found = {f.rule for f in findings}
    applies: set[str] = set()
    roles: set[str] = set()
    spots: list[BlindSpot] = []
    for rel, result in results:
        roles.add(str(result.get("role", "other")))
        if result.get("error"):
            continue
        raw = result.get("applies")  # a configuration file holds nothing a module rule checks
        if isinstance(raw, list):
            applies.update(a for a in raw if isinstance(a, str))
        for spot in result.get("blind_spots") or ():
            if isinstance(spot, (list, tuple)) and len(spot) == 2:
                spots.append(BlindSpot(file=rel, line=int(spot[0]), note=str(spot[1])))
    spots += [BlindSpot(file=e.file, line=1, note=e.message) for e in errors]
    statuses: dict[str, str] = {}
    for rule_id, project_rule in catalogue:
        if not config.wants(rule_id):
            statuses[rule_id] = "not-run"
        elif rule_id in found:
            statuses[rule_id] = "found"
        elif project_rule:
            statuses[rule_id] = "passed" if _project_rule_applies(rule_id, roles) else "not-applicable"
        else:
            family = "served" if rule_id in SERVED_RULES else rule_id[:3]
            statuses[rule_id] = "passed" if family in applies else "not-applicable"
    return Coverage(rules=statuses, blind_spots=sorted(spots, key=lambda s: (s.file, s.line, s.note)),
                    projects=[ProjectEntry(root=u.root, files=sorted(u.files)) for u in parts if u.files])


def _valid(result: dict | None) -> dict | None:
    """A cached result when it has the shape a result has (`facts_schema`), else None: an entry of
    another shape (damaged, hand-edited, an older layout) is analysed again, not trusted."""
    if result is None:
        return None
    return result if valid_result(result) else None


def _from_snapshot(snapshot: dict) -> tuple[list[tuple[str, dict]], list[Finding], list[ErrorEntry], list[Unit],
                                            list[str], dict[str, list[str]]] | None:
    """The per-file results, the project rules' findings and errors and the projects of a snapshot;
    None when it does not read as one (the review then goes the long way)."""
    try:
        results = [(rel, result) for rel, result in snapshot["results"]]
        if not all(isinstance(rel, str) and valid_result(result, with_facts=False) for rel, result in results):
            return None
        parts = [Unit(root, list(files)) for root, files in snapshot["projects"]]
        names = {rel for rel, _ in results}
        if not all(isinstance(u.root, str) and all(isinstance(f, str) for f in u.files) for u in parts) \
                or sorted(f for u in parts for f in u.files) != sorted(names):
            return None
        withdrawn = snapshot.get("withdrawn", [])
        if not isinstance(withdrawn, list) or not all(isinstance(i, str) for i in withdrawn):
            return None
        adjusted = snapshot.get("adjusted", {})
        if not isinstance(adjusted, dict) or not all(
                isinstance(v, list) and len(v) == 2 and v[0] in _SEVERITIES and isinstance(v[1], str)
                for v in adjusted.values()):
            return None
        findings = [Finding.model_validate(f) for f in snapshot["findings"]]
        if len({f.id for f in findings}) != len(findings):
            return None  # ids are unique in every review this engine stores
        return (results, findings, [ErrorEntry.model_validate(e) for e in snapshot["errors"]], parts, withdrawn,
                adjusted)
    except (KeyError, TypeError, ValueError):  # pydantic's ValidationError is a ValueError
        return None


def _without_facts(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "facts"}


# ---------------------------------------------------------------------- discovery
def _common_root(roots: list[Path]) -> Path:
    resolved = [(p if p.is_dir() else p.parent) for p in roots]
    if len(resolved) == 1:
        return resolved[0]
    common = os.path.commonpath([str(p.absolute()) for p in resolved])
    return Path(common)


def _display(root: Path) -> str:
    text = str(root)
    return text.replace(os.sep, "/")


def discover(roots: list[Path], root: Path, config: Config, confine: Sequence[Path] | None = None,
             ) -> tuple[list[tuple[Path, str]], list[ErrorEntry]]:
    """The files to review under `roots` as (path, path relative to `root`), and unreadable paths."""
    found: dict[str, Path] = {}
    errors: list[ErrorEntry] = []
    inside = _confinement(confine)
    patterns = DEFAULT_EXCLUDE + config.exclude
    for start in roots:
        if not start.exists() and not start.is_symlink():
            errors.append(ErrorEntry(file=str(start), message="path does not exist"))
            continue
        if not start.is_dir():  # a file, a dangling link, or something else (a FIFO): the read says which
            if inside(start, root, errors):
                _add(found, errors, start, root)
            continue
        seen_dirs: set[tuple[int, int]] = set()
        for dirpath, dirnames, filenames in _walk(start, root, errors):
            try:
                st = os.stat(dirpath)
            except OSError as exc:
                errors.append(ErrorEntry(file=_rel(Path(dirpath), root), message=f"cannot read directory: {exc.strerror}"))
                dirnames[:] = []
                continue
            if (st.st_dev, st.st_ino) in seen_dirs:
                errors.append(ErrorEntry(file=_rel(Path(dirpath), root), message="symlink loop: directory already visited; skipped"))
                dirnames[:] = []
                continue
            seen_dirs.add((st.st_dev, st.st_ino))
            if not inside(Path(dirpath), root, errors):
                dirnames[:] = []
                continue
            dirnames[:] = sorted(d for d in dirnames if not _excluded(d, patterns))
            for name in sorted(filenames):
                # The suffix test on the bare name first: most files of a tree are not reviewed.
                if os.path.splitext(name)[1] not in REVIEWED_SUFFIXES or _excluded(name, patterns):
                    continue
                path = Path(dirpath) / name
                if not _excluded(_rel(path, root), patterns) and inside(path, root, errors):
                    _add(found, errors, path, root)
    return sorted(((p, rel) for rel, p in found.items()), key=lambda t: t[1]), errors


def _walk(start: Path, root: Path, errors: list[ErrorEntry]) -> Iterable[tuple[str, list[str], list[str]]]:
    """`os.walk(start, followlinks=True)` top-down, without recursion (a tree a thousand folders deep
    is walked like any other; Python 3.11's `os.walk` recurses once per level). The caller prunes
    `dirnames` in place, as with `os.walk`. Folders deeper than `MAX_DEPTH` are reported, not walked."""
    stack: list[tuple[str, int]] = [(os.fspath(start), 0)]
    while stack:
        top, depth = stack.pop()
        dirnames: list[str] = []
        filenames: list[str] = []
        try:
            with os.scandir(top) as entries:
                for entry in entries:
                    try:
                        is_dir = entry.is_dir()  # follows links, as followlinks=True does
                    except OSError:
                        is_dir = False
                    (dirnames if is_dir else filenames).append(entry.name)
        except OSError as exc:
            errors.append(ErrorEntry(file=_rel(Path(top), root), message=f"cannot list directory: {exc.strerror}"))
            continue
        yield top, dirnames, filenames
        if dirnames and depth >= MAX_DEPTH:
            errors.append(ErrorEntry(file=_rel(Path(top), root),
                                     message=f"folders nested more than {MAX_DEPTH} deep; the deeper ones are skipped"))
            continue
        stack.extend((os.path.join(top, name), depth + 1) for name in reversed(dirnames))


def _confinement(confine: Sequence[Path] | None) -> Callable[[Path, Path, list[ErrorEntry]], bool]:
    """A check that a path's real location lies inside one of the `confine` folders (always true
    without confinement); a path leading out is recorded as an error entry."""
    if confine is None:
        return lambda path, root, errors: True
    folders = [Path(os.path.realpath(c)) for c in confine]

    def inside(path: Path, root: Path, errors: list[ErrorEntry]) -> bool:
        real = Path(os.path.realpath(path))
        if any(real == f or real.is_relative_to(f) for f in folders):
            return True
        errors.append(ErrorEntry(file=_rel(path, root), message="symlink leads outside the project; skipped"))
        return False

    return inside


def _add(found: dict[str, Path], errors: list[ErrorEntry], path: Path, root: Path) -> None:
    rel = _rel(path, root)
    if path.is_symlink():
        try:
            path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            reason = "symlink loop" if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == 40 else "dangling symlink"
            errors.append(ErrorEntry(file=rel, message=f"{reason}; skipped"))
            return
    found.setdefault(rel, path)


def _rel(path: Path, root: Path) -> str:
    try:
        rel = path.absolute().relative_to(root.absolute())
        text = str(rel)
    except ValueError:
        text = str(path)
    text = _printable(text)
    return "." if text == "" else text.replace(os.sep, "/")


def _printable(name: str) -> str:
    """A file name as text every output can carry: bytes that are not UTF-8 (kept by the file system
    as lone surrogates) are written as `\\xe9` escapes. The file is still read by its real path."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    return name


def _excluded(rel: str, patterns: list[str]) -> bool:
    """`rel` or its last part matches one of the glob patterns (one compiled regex for all)."""
    matcher = _exclusion(tuple(patterns))
    return bool(matcher.match(rel) or matcher.match(rel.rsplit("/", 1)[-1]))


@lru_cache(maxsize=16)
def _exclusion(patterns: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns) or r"(?!)")


# ---------------------------------------------------------------------- analysis
def _analyse_all(files: list[tuple[Path, str]], config: Config, progress: Progress | None, cache: Cache | None,
                 stamps: dict[str, list[int] | None]) -> list[tuple[str, dict]]:
    results: dict[str, dict] = {}
    salt = _salt(config)
    # (path, rel, content or None, its hash or None, whether the worker should hash what it reads)
    todo: list[tuple[Path, str, bytes | None, str | None, bool]] = []
    for path, rel in files:
        if cache is None:
            todo.append((path, rel, None, None, False))
            continue
        if not cache.knows(rel):  # nothing to compare: the worker reads and hashes the file
            todo.append((path, rel, None, None, True))
            continue
        # An unchanged size and modification time vouch for the content hash: no read needed.
        stamp = stamps.get(rel)
        hit = _valid(cache.get_stamped(rel, stamp, salt)) if stamp else None
        if hit is None:
            data, digest = _read_for_cache(path, config.max_file_size)
            hit = _valid(cache.get(rel, digest, stamp, salt)) if digest else None
            if hit is None:
                todo.append((path, rel, data, digest, False))
                continue
        results[rel] = hit
    done = len(results)
    total = len(files)
    if progress:
        progress(done, total)
    for rel, digest, result in _run(todo, config):
        results[rel] = result
        if cache and digest and not result.get("rule_errors"):
            cache.put(rel, digest, result, stamps.get(rel), salt)
        done += 1
        if progress:
            progress(done, total)
    if cache:
        cache.save()
    return [(rel, results[rel]) for _, rel in files]


def _salt(config: Config) -> str:
    """The stated facts as part of a cache key: a result depends on them."""
    stated = config.stated()
    return json.dumps(stated, sort_keys=True) if stated else ""


def _stamps(files: list[tuple[Path, str]]) -> dict[str, list[int] | None]:
    return {rel: _stamp(path) for path, rel in files}


def _stamp(path: Path) -> list[int] | None:
    """Size and modification time, or None when the time is too recent to vouch for the content (a
    write within the clock's resolution could leave it unchanged)."""
    try:
        st = path.stat()
    except OSError:
        return None
    if time.time_ns() - st.st_mtime_ns < 2_000_000_000:
        return None
    return [st.st_size, st.st_mtime_ns]


def _read_for_cache(path: Path, max_bytes: int) -> tuple[bytes | None, str | None]:
    try:
        data = read_bytes(path, file_limit(path, max_bytes))
    except SourceError:  # the analysis reads it again and reports why it cannot
        return None, None
    return data, Cache.digest(data)


def _run(todo, config: Config) -> Iterable[tuple[str, str | None, dict]]:
    jobs = config.jobs or (os.cpu_count() or 1)
    if len(todo) >= PARALLEL_THRESHOLD and jobs > 1:
        # Largest files first, in small chunks: the workers finish together instead of one of them
        # ending the run alone on a big file.
        todo = sorted(todo, key=_size, reverse=True)
        chunk = max(1, min(4, len(todo) // (jobs * 8)))
        from concurrent.futures import ProcessPoolExecutor  # multiprocessing: only when there is work for it

        registry()  # the rules and the analysis, imported once here and inherited by forked workers
        with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), initializer=_worker_start,
                                 initargs=(os.getpid(),)) as pool:
            args = [(str(p), rel, data, digest, hash_it, config.max_file_size, config.stated())
                    for p, rel, data, digest, hash_it in todo]
            for (_, rel, *_), (digest, result) in zip(todo, pool.map(_analyse_args, args, chunksize=chunk)):
                yield rel, digest, result
        return
    for path, rel, data, digest, hash_it in todo:
        yield (rel, *_analyse_args((path, rel, data, digest, hash_it, config.max_file_size, config.stated())))


def _size(item: tuple) -> int:
    path, _, data, *_ = item
    if data is not None:
        return len(data)
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _worker_start(parent: int | None = None) -> None:
    """A worker dies with the review that started it (killed, it would otherwise leave its workers
    idle for ever): on Linux the kernel sends it SIGKILL when the parent goes (PR_SET_PDEATHSIG), and
    a parent gone before that was set ends the worker at once. A worker's inherited heap (the
    interpreter, the rules) lives as long as the worker: keep the cyclic collector from scanning it
    again after every file."""
    if parent is not None:
        _die_with_parent(parent)
    registry()  # every rule and the analysis imported before the freeze (a forked worker inherits them)
    gc.freeze()


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # no libc to ask: the parent check below still holds
            pass
    if os.getppid() != parent:
        os._exit(1)


def _analyse_args(args: tuple) -> tuple[str | None, dict]:
    """(content hash, result) of one file; the hash of what was read, when asked for (the workers
    read and hash in parallel what the cache has never seen)."""
    path, rel, data, digest, hash_it, max_bytes, stated = args
    path = Path(path)
    if hash_it and data is None:
        data, digest = _read_for_cache(path, max_bytes)
    return digest, analyse_file(path, rel, data, max_bytes, stated)


def analyse_file(path: Path, rel: str, data: bytes | None = None, max_bytes: int = 2_000_000,
                 stated: dict | None = None) -> dict:
    """The result for one file: its role, its raw findings (before project-level filters), the rules
    it satisfies, and errors. Plain data, so it can be cached and sent between processes."""
    # The analysis allocates many small objects and keeps them all until the file is done, so the
    # cyclic collector's repeated scans during it only cost time (half of it, measured on the
    # scikit-learn sources). The analysis breaks its own reference cycles when the file is done
    # (`ModuleAnalysis.release`), so most of its objects are freed as they go; what is left is
    # collected at once, in one scan of the youngest generation. Left to the collector's thresholds,
    # it piled up across files (750 MB for scikit-learn with --jobs 1) before one long scan.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _analyse_file(path, rel, data, max_bytes, stated or {})
    finally:
        if enabled:
            gc.collect(0)
            gc.enable()


def _analyse_file(path: Path, rel: str, data: bytes | None, max_bytes: int, stated: dict | None = None) -> dict:
    from wicked_data.checks.analysis.module import ModuleAnalysis
    from wicked_data.checks.analysis.project import config_facts, module_facts

    if path.suffix in CONFIG_SUFFIXES:
        try:
            text = decode(read_bytes(path, max_bytes) if data is None else data)
        except SourceError as exc:
            return {"role": "config", "error": str(exc)}
        facts = config_facts(rel, text)
        result = {"role": "config", "findings": [], "facts": facts}
        if facts.get("error"):
            result["rule_errors"] = [facts["error"]]
        return result
    if path.suffix in SQL_SUFFIXES:
        try:
            text = decode(read_bytes(path, max_bytes) if data is None else data)
        except SourceError as exc:
            return {"role": "other", "error": str(exc)}
        return _analyse_sql(rel, text)
    try:
        source = load(path, rel, max_bytes, data)
    except SourceError as exc:
        return {"role": "notebook" if path.suffix == ".ipynb" else "other", "error": str(exc)}
    try:
        tree = parse(source)
    except SourceError as exc:
        return {"role": "notebook" if source.is_notebook else "other", "error": str(exc)}
    try:
        module = ModuleAnalysis(source, tree, stated or {})
    except RecursionError:
        return {"role": "other", "error": "too deeply nested to analyse; skipped"}
    except Exception as exc:  # a bug in the shared analysis: report it, keep reviewing other files
        return {"role": "other", "error": f"internal error in the analysis ({type(exc).__name__}: {exc}); "
                                          "please report this"}
    findings: list[dict] = []
    satisfied: list[str] = []
    rule_errors: list[str] = []
    suppressions = {source.shown_line(line): codes for line, codes in _suppressions(source.text).items()}
    # A test of the project exercises the code, deliberately on odd data; it is not the ML pipeline.
    for rule_cls in () if module.is_test else registry().values():
        if issubclass(rule_cls, ProjectRule):
            continue
        rule = rule_cls()
        try:
            if rule.satisfied(module):
                satisfied.append(rule.id)
            for hit in rule.check(module):
                finding = to_finding(rule, hit, module)
                if not _suppressed(finding, suppressions):
                    findings.append(finding.model_dump(mode="json"))
        except Exception as exc:  # one rule's bug must not cost the other findings
            rule_errors.append(f"internal error in rule {rule.id} ({type(exc).__name__}: {exc}); "
                               "its findings for this file are missing, please report this")
    try:
        role = module.role
        facts = module_facts(module)
    except Exception as exc:  # the project-level rules lose this file; the file's own findings stay
        role, facts = "other", None
        rule_errors.append(f"internal error in the project facts ({type(exc).__name__}: {exc}); please report this")
    try:
        from wicked_data.checks.analysis import coverage
        applies = [family for family in (*FAMILIES, "served") if coverage.applies(family, module)]
        blind = [[line, note] for line, note in coverage.blind_spots(module)]
    except Exception as exc:  # coverage is a report on the analysis: losing it must not lose findings
        applies, blind = list(FAMILIES), [[1, f"what the analysis could not see is unknown here "
                                             f"(internal error: {type(exc).__name__}: {exc})"]]
    try:
        module.release()  # its objects freed now, without the cyclic collector's scan (half its cost)
    except Exception:  # noqa: BLE001 - what is not released is still collected
        pass
    return {"role": role, "findings": findings, "satisfied": satisfied, "rule_errors": rule_errors, "facts": facts,
            "applies": applies, "blind_spots": blind}


def _analyse_sql(rel: str, text: str) -> dict:
    """A `.sql` file: the rules that read queries (`Rule.check_sql`), over its whole text."""
    lines = text.split("\n")
    suppressions = _suppressions(text, python=False)
    findings, rule_errors = [], []
    for rule_cls in registry().values():
        if issubclass(rule_cls, ProjectRule) or rule_cls.check_sql is Rule.check_sql:
            continue
        rule = rule_cls()
        try:
            for hit in rule.check_sql(text):
                line = max(1, hit.lineno)
                evidence = lines[line - 1].rstrip() if line <= len(lines) else ""
                column, end_column = _line_span(evidence)
                finding = Finding(rule=rule.id, name=rule.name, family=family_of(rule.id),
                                  severity=hit.severity or rule.severity, confidence=hit.confidence,
                                  message=hit.message, file=rel, line=line, end_line=line, column=column,
                                  end_column=end_column, evidence=evidence, fix=hit.fix).with_id()
                if not _suppressed(finding, suppressions):
                    findings.append(finding.model_dump(mode="json"))
        except Exception as exc:  # one rule's bug must not cost the other findings
            rule_errors.append(f"internal error in rule {rule.id} ({type(exc).__name__}: {exc}); "
                               "its findings for this file are missing, please report this")
    return {"role": "other", "findings": findings, "satisfied": [], "rule_errors": rule_errors,
            "applies": ["ML1"], "blind_spots": []}


def _settled_elsewhere(project: Project, results: list[tuple[str, dict]],
                       errors: list[ErrorEntry]) -> tuple[list[str], dict[str, list[str]]]:
    """Ids of this project's per-file findings that another of its files makes moot, and the new
    severity (with its reason) of those whose weight the other files decide (`Rule.calibrate`)."""
    rules = {rule_id: cls() for rule_id, cls in registry().items()
             if cls.online_only or cls.settled_elsewhere is not Rule.settled_elsewhere
             or cls.calibrate is not Rule.calibrate}
    if not rules:
        return [], {}
    out, adjusted = [], {}
    for rel, result in results:
        if rel not in project.roles:
            continue
        for raw in result.get("findings", ()):
            rule = rules.get(raw.get("rule"))
            if rule is None:
                continue
            finding = Finding.model_validate(raw)
            try:
                off = rule.online_only and (project.offline_only(finding.file, finding.line)
                                            or project.off_service(finding.file, finding.line))
                if off or rule.settled_elsewhere(finding, project):
                    out.append(finding.id)
                    continue
                changed = rule.calibrate(finding, project)
                if changed is not None and changed[0] != finding.severity:
                    adjusted[finding.id] = [changed[0].value, changed[1]]
            except Exception as exc:  # the finding stays: a wrong silence is worse than a kept finding
                errors.append(ErrorEntry(file=rel, message=f"internal error in rule {finding.rule} across files "
                                                           f"({type(exc).__name__}: {exc}); please report this"))
    return out, adjusted


_SEVERITIES = {s.value for s in Severity}


def _adjusted(finding: Finding, adjusted: dict[str, list[str]]) -> Finding:
    """The finding at the severity the rest of the project gives it, the reason added to its message."""
    change = adjusted.get(finding.id)
    if change is None:
        return finding
    return finding.model_copy(update={"severity": Severity(change[0]), "message": f"{finding.message} ({change[1]})"})


def _project_findings(project: Project, root: Path, files: list[tuple[Path, str]]) -> tuple[list[Finding], list[ErrorEntry]]:
    """Run the project-level rules over every file's facts; evidence is read back from the files."""
    paths = {rel: path for path, rel in files}
    lines: dict[str, list[str]] = {}
    findings, errors = [], []
    sources: dict[str, SourceFile | None] = {}
    suppressions: dict[str, dict[int, set[str] | None]] = {}
    for rule_cls in registry().values():
        if rule_cls.check_project is Rule.check_project:
            continue  # a rule of one file at a time
        rule = rule_cls()
        try:
            for hit in rule.check_project(project):
                if hit.file not in lines:
                    lines[hit.file], sources[hit.file] = _read_lines(paths.get(hit.file))
                text, source = lines[hit.file], sources[hit.file]
                at = source.from_shown(hit.line) if source is not None else hit.line
                evidence = text[at - 1].rstrip() if 0 < at <= len(text) else ""
                column, end_column = _line_span(evidence)
                if hit.file not in suppressions:
                    suppressions[hit.file] = _suppressions("\n".join(text), python=hit.file.endswith((".py", ".ipynb")))
                if _suppressed_at(suppressions[hit.file], at, rule.id):
                    continue
                finding = Finding(
                    rule=rule.id, name=rule.name, family=family_of(rule.id), severity=hit.severity or rule.severity,
                    confidence=hit.confidence, message=hit.message, file=hit.file, line=hit.line, end_line=hit.line,
                    column=column, end_column=end_column, evidence=evidence, fix=hit.fix, related=[Related(file=f or hit.file, line=ln, note=n) for f, ln, n in hit.related],
                )
                if source is not None and (cell := source.cell_of(at)) is not None:
                    finding.cell, finding.cell_line = cell
                findings.append(finding.with_id())
        except Exception as exc:
            errors.append(ErrorEntry(file=".", message=f"internal error in rule {rule.id} ({type(exc).__name__}: {exc}); "
                                                        "its findings are missing, please report this"))
    return findings, errors


def _read_lines(path: Path | None) -> tuple[list[str], SourceFile | None]:
    """The lines of a file as the analysis read it (a notebook: its code cells joined) and, for a
    notebook, its source (for cells)."""
    if path is None:
        return [], None
    if path.suffix == ".ipynb":
        try:
            source = load(path, path.name)
        except SourceError:
            return [], None
        return source.text.splitlines(), source
    try:
        text = decode(read_bytes(path))
    except SourceError:
        return [], None
    return text.splitlines(), None


def _suppressed_at(suppressions: dict[int, set[str] | None], line: int, rule_id: str) -> bool:
    if line not in suppressions:
        return False
    codes = suppressions[line]
    return codes is None or any(rule_id.startswith(c) for c in codes)


def parse(source: SourceFile) -> ast.Module:
    if not source.text.strip():
        return ast.Module(body=[], type_ignores=[])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            return ast.parse(source.text, filename=source.rel)
    except SyntaxError as exc:
        neutral = None if source.is_notebook else neutralise_script(source.text)
        if neutral is not None:  # an exported notebook's `!pip install` lines: comment them out and go on
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", SyntaxWarning)
                    tree = ast.parse(neutral, filename=source.rel)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                pass
            else:
                source.text = neutral
                return tree
        line = exc.lineno or 0
        where = f"line {line}"
        if source.is_notebook:
            cell = source.cell_of(line)
            if cell:
                where = f"cell {cell[0]}, line {cell[1]}"
        hint = ""
        text = (exc.text or "").strip()
        if re.match(r"print\s+[^(=]", text) or re.match(r"exec\s+\"", text) or "Missing parentheses" in (exc.msg or ""):
            hint = " (this looks like Python 2 code; wicked-data reviews Python 3)"
        raise SourceError(f"syntax error at {where}: {exc.msg}{hint}") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise SourceError(f"cannot parse: {type(exc).__name__}: {exc}") from None


def to_finding(rule: Rule, hit: Hit, module: ModuleAnalysis) -> Finding:
    line = max(1, hit.lineno)
    end = max(line, hit.end_lineno)
    column, end_column = _span(module.line_text(line), module.line_text(end), hit)
    finding = Finding(
        rule=rule.id, name=rule.name, family=family_of(rule.id), severity=hit.severity or rule.severity,
        confidence=hit.confidence, message=hit.message, file=module.source.rel, line=line, column=column,
        end_line=end, end_column=end_column, evidence=_evidence(module, line, end), fix=hit.fix,
        related=[Related(file=f or module.source.rel, line=ln, note=note) for f, ln, note in hit.related],
    )
    source = module.source
    if source.is_notebook:  # cells and lines within them, as the user's editor shows them
        if (cell := source.cell_of(line)) is not None:
            finding.cell, finding.cell_line = cell
        finding.line, finding.end_line = source.shown_line(line), source.shown_line(line) + end - line
        finding.message = _notebook_lines(finding.message, source)
        for place in finding.related:
            if place.file == source.rel and (cell := source.cell_of(place.line)) is not None:
                place.cell, place.cell_line = cell
                place.note = _notebook_lines(place.note, source)
                place.line = source.shown_line(place.line)
    return finding.with_id()


_LINE_REF = re.compile(r"(?<![\w-])line (\d+)(?! of )")


def _notebook_lines(text: str, source: SourceFile) -> str:
    """`line 46` of the joined cells -> `cell 10, line 1`."""
    return _LINE_REF.sub(lambda m: source.where(int(m.group(1))), text)


def _evidence(module: ModuleAnalysis, line: int, end: int) -> str:
    """The flagged lines as the file has them (at most six), indentation kept so that `column`
    and `end_column` point into them; a report dedents them for display."""
    lines = [module.line_text(n).rstrip() for n in range(line, min(end, line + 5) + 1)]
    return "\n".join(lines).strip("\n")


def _span(first: str, last: str, hit: Hit) -> tuple[int, int | None]:
    """The finding's start and end columns in characters (`ast` counts UTF-8 bytes). A hit on a
    line (no node) spans the line's code."""
    if hit.node is None or hit.line is not None:
        return _line_span(first)
    end = hit.end_col
    return _chars(first, hit.col), (_chars(last, end) if end is not None else None)


def _line_span(text: str) -> tuple[int, int | None]:
    """A whole line's code: from its first character to its last."""
    return len(text) - len(text.lstrip()), len(text.rstrip()) or None


def _chars(text: str, offset: int) -> int:
    """A UTF-8 byte offset into `text` as a character offset."""
    if text.isascii():
        return min(offset, len(text))
    return len(text.encode("utf-8")[:offset].decode("utf-8", errors="ignore"))


# ---------------------------------------------------------------------- filters
def _suppressions(text: str, python: bool = True) -> dict[int, set[str] | None]:
    """line -> suppressed codes (None: all) for `# wicked-data: ignore[ML101, ML2]` comments. Only a
    real comment suppresses: the same words inside a string literal (a message, a prompt, data) do not."""
    out: dict[int, set[str] | None] = {}
    if "wicked-data" not in text:
        return out
    for number, comment in _comments(text, python):
        match = SUPPRESS.search(comment)
        if match:
            codes = match.group("codes")
            out[number] = {c.strip() for c in codes.split(",") if c.strip()} if codes else None
    return out


def _comments(text: str, python: bool) -> Iterable[tuple[int, str]]:
    """(line, comment text) of every comment: Python's from its tokenizer; in SQL, YAML and TOML (and
    Python the tokenizer rejects) a `#` or `--` outside quotes on its line."""
    if python:
        try:
            tokens = [(tok.start[0], tok.string) for tok in tokenize.generate_tokens(io.StringIO(text).readline)
                      if tok.type == tokenize.COMMENT]
        except (tokenize.TokenError, SyntaxError, ValueError):
            pass
        else:
            yield from tokens
            return
    for number, line in enumerate(text.splitlines(), start=1):
        if "wicked-data" not in line:
            continue
        quote = ""
        for at, char in enumerate(line):
            if quote:
                quote = "" if char == quote else quote
            elif char in "\"'":
                quote = char
            elif char == "#" or line.startswith("--", at):
                yield number, line[at:]
                break


def _suppressed(finding: Finding, suppressions: dict[int, set[str] | None]) -> bool:
    return any(_suppressed_at(suppressions, line, finding.rule) for line in range(finding.line, finding.end_line + 1))


def _filter(findings: list[Finding], config: Config, baseline: set[str]) -> list[Finding]:
    out = []
    for f in findings:
        if not config.wants(f.rule) or not f.severity.at_least(config.min_severity):
            continue
        if any(fnmatch.fnmatch(f.file, pattern) and any(f.rule.startswith(c) for c in codes)
               for pattern, codes in config.per_file_ignores.items()):
            continue
        if f.id in baseline:
            continue
        out.append(f)
    return out


def _baseline_ids(path: Path) -> set[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc}") from None
    findings = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(findings, list):
        raise BaselineError(f"baseline {path} is not a wicked-data JSON review (no 'findings' list)")
    return {f["id"] for f in findings if isinstance(f, dict) and "id" in f}


class BaselineError(Exception):
    pass


def _same_place(findings: list[Finding]) -> list[Finding]:
    """Each finding with the ids of the others reported on its line (after the filters: a finding
    ignored by configuration or the baseline is not listed)."""
    others = {f.id: [o.id for o in group if o.id != f.id] for group in by_place(findings) if len(group) > 1
              for f in group}
    return [f.model_copy(update={"also": others[f.id]}) if f.id in others else f for f in findings]


def _unique_ids(findings: list[Finding]) -> list[Finding]:
    """Two findings with the same rule, file and evidence get `-2`, `-3` suffixes, in line order."""
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        n = seen.get(f.id, 0) + 1
        seen[f.id] = n
        out.append(f if n == 1 else f.model_copy(update={"id": f"{f.id}-{n}"}))
    return out


def severity_counts(findings: list[Finding]) -> dict[Severity, int]:
    return {s: sum(1 for f in findings if f.severity == s) for s in Severity}
