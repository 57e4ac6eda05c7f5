"""How fast wicked-data reviews, against the parse floor and other linters, on the same files.

    scripts/bench                  # creates bench/.venv with the pinned peers, then runs this
    .venv/bin/python bench/run.py --peers-venv bench/.venv [--dslinter-venv bench/.venv-dslinter]
                                  [--skip TOOL]... [--sizes 10,100,1000] [--timeout S] [--work DIR]

Corpora: (a) every .py of scikit-learn as installed in the peers' venv (copied to a scratch folder,
so no tool skips it as `site-packages`), (b) ML projects of 10, 100 and 1,000 files generated from
the scenarios and the labelled corpus. Per corpus and tool: wall time, CPU time (user + sys of the
process and every child it waited for), peak memory (the largest process, from `wait4`, and the whole
process tree, sampled from /proc), files and lines per second, the ratio to the parse floor
(`bench/floor.py`) and how many times faster a cold wicked-data review is than each peer. The figures
also go to bench/results.json. The last line printed is `ratio_to_parse_floor=<cold review time /
floor time>` for corpus (a).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tokenize
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FLOOR = Path(__file__).resolve().parent / "floor.py"
STAGES = Path(__file__).resolve().parent / "stages.py"
TEMPLATE_SOURCES = [REPO / "scenarios" / "churn_predictor" / "workspace",
                    REPO / "scenarios" / "lead_scoring" / "workspace",
                    *sorted(p for p in (REPO / "tests" / "corpus" / "cases").iterdir() if p.is_dir())]
SIZES = (10, 100, 1000)
SAMPLE_EVERY = 0.02  # seconds between samples of the process tree's memory
# The targets of issue 8, checked at the end of a run (corpus (a) unless said otherwise).
COLD_MAX_FLOOR, WARM_MAX_FLOOR, MAX_MEMORY_MB, MIN_FASTER_THAN_FIXIT = 3.0, 0.2, 1024, 5.0


@dataclass
class Corpus:
    name: str
    root: Path
    files: list[Path]
    lines: int

    def listing(self, work: Path) -> Path:
        """A file naming every file of the corpus, one absolute path a line."""
        path = work / f"{self.name}.files"
        path.write_text("\n".join(str(f) for f in self.files) + "\n", encoding="utf-8")
        return path


@dataclass
class Measure:
    tool: str
    wall: float
    cpu: float
    max_process_mb: float
    tree_mb: float
    returncode: int
    timed_out: bool = False
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.timed_out and self.returncode >= 0


# ---------------------------------------------------------------------- measuring a process
def measure(tool: str, cmd: list[str], *, cwd: Path, env: dict[str, str] | None = None,
            stdout: Path | None = None, timeout: float | None = None) -> Measure:
    """Run `cmd` and measure it. CPU time and the largest process's peak come from `wait4`, so they
    cover this one run and every child it waited for (pool workers included); the tree's memory is
    the sum of the RSS of the process and its descendants, sampled while it runs."""
    with open(stdout or os.devnull, "wb") as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True)
        peak = [0]
        done = threading.Event()
        sampler = threading.Thread(target=_sample_tree, args=(proc.pid, peak, done), daemon=True)
        sampler.start()
        timed_out = threading.Event()
        timer = threading.Timer(timeout, _kill_group, args=(proc.pid, timed_out)) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        if timer:
            timer.cancel()
        sampler.join()
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", "replace").strip()
    max_process_mb = usage.ru_maxrss / 1024  # kB on Linux
    note = "" if proc.returncode >= 0 else f"killed by signal {-proc.returncode}"
    if timed_out.is_set():
        note = f"timed out after {timeout:.0f} s"
    return Measure(tool, wall, usage.ru_utime + usage.ru_stime, max_process_mb, max(peak[0] / 2**20, max_process_mb),
                   proc.returncode, timed_out.is_set(), note, {"stderr_tail": tail} if tail else {})


def _kill_group(pid: int, flag: threading.Event) -> None:
    flag.set()
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _sample_tree(pid: int, peak: list[int], done: threading.Event) -> None:
    while not done.is_set():
        peak[0] = max(peak[0], tree_rss(pid))
        done.wait(SAMPLE_EVERY)


def tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants (0 for a process already gone)."""
    page = os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/statm", encoding="ascii") as statm:
                total += int(statm.read().split()[1]) * page
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as children:
                    stack.extend(int(c) for c in children.read().split())
        except (OSError, ValueError, IndexError):
            continue
    return total


# ---------------------------------------------------------------------- corpora
def count_lines(files: list[Path]) -> int:
    total = 0
    for path in files:
        data = path.read_bytes()
        total += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return total


def copy_tree_sources(source: Path, dest: Path, name: str) -> Corpus:
    """Every .py under `source`, copied to `dest/<source's name>/` with the same layout."""
    target = dest / source.name
    files = []
    for path in sorted(source.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        copy = target / path.relative_to(source)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
        files.append(copy)
    return Corpus(name, dest, files, count_lines(files))


def sklearn_source(peers_venv: Path) -> tuple[Path, str]:
    """The installed scikit-learn package folder and its version, from the peers' venv."""
    code = "import importlib.metadata as m, importlib.util as u; " \
           "print(u.find_spec('sklearn').submodule_search_locations[0]); print(m.version('scikit-learn'))"
    out = subprocess.run([str(peers_venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True)
    folder, version = out.stdout.split()
    return Path(folder), version


def template_projects(sources: list[Path] = TEMPLATE_SOURCES) -> list[tuple[str, Path, list[Path]]]:
    """(name, folder, its .py files) for each scenario workspace and corpus case."""
    projects = []
    for folder in sources:
        name = folder.parent.name if folder.name == "workspace" else folder.name
        files = sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)
        if files:
            projects.append((name, folder, files))
    return projects


def generate_projects(count: int, dest: Path, name: str, sources: list[Path] = TEMPLATE_SOURCES) -> Corpus:
    """A corpus of exactly `count` .py files: the template projects' files in turn, copy after copy.
    In copy `i` every module and package of a project is renamed `<name>_c<i>`, in file names and in
    the code (each name token that is a module of the project), so no two files are the same."""
    projects = template_projects(sources)
    files: list[Path] = []
    copy = 0
    while len(files) < count:
        for project, folder, sources_py in projects:
            stems = {part.removesuffix(".py") for p in sources_py for part in p.relative_to(folder).parts} - {"__init__"}
            renames = {stem: f"{stem}_c{copy}" for stem in stems}
            for path in sources_py:
                if len(files) == count:
                    break
                rel = path.relative_to(folder)
                parts = [renames.get(part.removesuffix(".py"), part.removesuffix(".py")) for part in rel.parts]
                target = dest / f"copy{copy:03d}" / f"{project}_c{copy}" / Path(*parts).with_suffix(".py")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(f"# generated copy {copy} of {project}/{rel.as_posix()}\n"
                                  + rename_modules(path.read_text(encoding="utf-8"), renames), encoding="utf-8")
                files.append(target)
        copy += 1
    return Corpus(name, dest, files, count_lines(files))


def rename_modules(text: str, renames: dict[str, str]) -> str:
    """`text` with every name token in `renames` replaced, layout and comments kept (the text as it
    was if it does not tokenize)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text
    return tokenize.untokenize(
        t._replace(string=renames[t.string]) if t.type == tokenize.NAME and t.string in renames else t for t in tokens)


# ---------------------------------------------------------------------- the runs
def run_floor(corpus: Corpus, work: Path, timeout: float | None = None) -> Measure:
    out = work / f"{corpus.name}.floor.json"
    result = measure("parse floor (1 core)", [sys.executable, str(FLOOR), str(corpus.listing(work))],
                     cwd=corpus.root, stdout=out, timeout=timeout)
    if result.ok and result.returncode == 0:
        result.extra.update(json.loads(out.read_text(encoding="utf-8")))
    return result


def snapshot_engine(work: Path) -> Path:
    """A copy of `checks/` for every review of the run to import (put first on PYTHONPATH): the cache
    key includes the reviewer's source, so an edit to the working tree between the cold and the warm
    run would otherwise turn the warm run into a second cold one, and mix versions across corpora."""
    folder = work / "engine"
    # laid out as installed (wicked_data/checks), so the namespace package finds the copy, not the tree
    shutil.copytree(REPO / "wicked_data", folder / "wicked_data", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "checks", folder / "wicked_data" / "checks", ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def run_review(corpus: Corpus, work: Path, cache_dir: Path, label: str, timeout: float | None = None) -> Measure:
    """`wicked-data review` of the corpus as JSON, with its cache in `cache_dir` (empty: cold), using
    the engine snapshot in `work` when there is one."""
    out = work / f"{corpus.name}.{label}.json"
    env = dict(os.environ, WICKED_DATA_CACHE_DIR=str(cache_dir))
    if (work / "engine").is_dir():
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(work / "engine"), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "wicked_data.checks", "review", str(corpus.root), "--format", "json", "--output", str(out)]
    result = measure(f"wicked-data {label}", cmd, cwd=REPO, env=env, timeout=timeout)
    if result.returncode in (0, 1) and out.exists():
        result.extra.update(review_summary(out, corpus, work))
    elif result.ok:
        result.note = result.note or f"exit {result.returncode}"
    return result


def review_summary(report: Path, corpus: Corpus, work: Path) -> dict:
    """Files, findings, and the error entries split into files that are not valid Python 3 (a fair
    error) and failures of wicked-data itself on files that parse."""
    data = json.loads(report.read_text(encoding="utf-8"))
    unparseable = set(invalid_files(corpus))
    root = Path(data["root"]).resolve()
    internal, invalid = [], []
    for error in data.get("errors", []):
        path = (root / error["file"]).resolve()
        (invalid if path in unparseable else internal).append(error)
    return {"files": len(data.get("files", [])), "findings": len(data.get("findings", [])),
            "invalid_python_errors": len(invalid), "internal_errors": internal}


def invalid_files(corpus: Corpus) -> list[Path]:
    """The corpus's files that CPython cannot parse (checked here, not trusted to the reviewer)."""
    import ast
    import warnings
    bad = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        for path in corpus.files:
            try:
                ast.parse(path.read_bytes())
            except (SyntaxError, ValueError):
                bad.append(path.resolve())
    return bad


def peer_commands(corpus: Corpus, peers_venv: Path | None, dslinter_venv: Path | None, work: Path
                  ) -> dict[str, list[str]]:
    """The peers to run on `corpus`, each with its natural parallelism (fixit and ruff use every
    core by default; pylint is given `-j 0`, one process per core)."""
    commands: dict[str, list[str]] = {}
    if peers_venv and (peers_venv / "bin").is_dir():
        bin_ = peers_venv / "bin"
        commands["fixit lint"] = [str(bin_ / "fixit"), "lint", "."]
        commands["ruff check --select ALL"] = [str(bin_ / "ruff"), "check", "--select", "ALL", "--no-cache",
                                                "--exit-zero", "--output-format", "concise", "."]
        commands["pylint"] = [str(bin_ / "pylint"), "-j", "0", "--persistent=n", "--recursive=y", "."]
    checkers = dslinter_checkers(dslinter_venv)
    if checkers:
        # pylint 2.12 (dslinter's pin) has no --recursive: the files are named one by one.
        commands["pylint+dslinter"] = [str(dslinter_venv / "bin" / "pylint"), "-j", "0", "--persistent=n",
                                       "--load-plugins=dslinter", "--disable=all", "--enable=" + ",".join(checkers),
                                       *(str(f.relative_to(corpus.root)) for f in corpus.files)]
    return commands


def dslinter_checkers(venv: Path | None) -> list[str]:
    """The names of the checkers the dslinter plugin registers (empty when it is not installed), so
    the pylint+dslinter run checks what dslinter checks and nothing else."""
    if not venv or not (venv / "bin" / "python").exists():
        return []
    code = ("from dslinter import plugin\n"
            "class Linter:\n    names = set()\n    def register_checker(self, checker): self.names.add(checker.name)\n"
            "linter = Linter(); plugin.register(linter); print(','.join(sorted(linter.names)))")
    out = subprocess.run([str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True)
    return out.stdout.strip().split(",") if out.returncode == 0 and out.stdout.strip() else []


def bench_corpus(corpus: Corpus, work: Path, peers: dict[str, list[str]], timeout: float | None,
                 repeat: int = 1) -> list[Measure]:
    """The floor, a cold and a warm review (each the fastest of `repeat` rounds, every cold one on an
    empty cache), then each peer once, on one corpus."""
    rounds: list[list[Measure]] = []
    for _ in range(max(1, repeat)):
        cache_dir = Path(tempfile.mkdtemp(prefix=f"cache-{corpus.name}-", dir=work))
        rounds.append([run_floor(corpus, work, timeout),
                       run_review(corpus, work, cache_dir, "cold", timeout),
                       run_review(corpus, work, cache_dir, "warm", timeout)])
    runs = [fastest(list(same)) for same in zip(*rounds)]
    for tool, cmd in peers.items():
        print(f"  {corpus.name}: {tool} ...", file=sys.stderr, flush=True)
        out = work / f"{corpus.name}.{tool.split()[0]}.out"
        runs.append(measure(tool, cmd, cwd=corpus.root, stdout=out, timeout=timeout))
    return runs


def fastest(runs: list[Measure]) -> Measure:
    """The run with the least wall time, noting the range over all of them: other work on the
    machine only ever adds time, so the fastest is the closest to the tool's own cost."""
    done = [r for r in runs if r.ok]
    if not done:
        return runs[0]
    best = min(done, key=lambda r: r.wall)
    if len(runs) > 1:
        walls = [r.wall for r in done]
        best.note = "; ".join(filter(None, [best.note, f"fastest of {len(runs)}: {min(walls):.2f}-{max(walls):.2f} s"]))
    return best


def run_stages(corpus: Corpus, work: Path, timeout: float | None = None) -> dict | None:
    """Where the time goes: `bench/stages.py` over the corpus, one core, each stage timed apart."""
    out = work / f"{corpus.name}.stages.json"
    env = dict(os.environ)
    if (work / "engine").is_dir():  # the same engine snapshot the reviews import
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(work / "engine"), env.get("PYTHONPATH")]))
    result = measure("stages", [sys.executable, str(STAGES), str(corpus.listing(work))], cwd=REPO, env=env,
                     stdout=out, timeout=timeout)
    if not (result.ok and result.returncode == 0):
        return None
    return json.loads(out.read_text(encoding="utf-8"))


def stages_table(corpus: Corpus, stages: dict, busiest: int = 8) -> str:
    total = sum(stages["stages"].values())
    lines = [f"where the time goes: {corpus.name} on one core (bench/stages.py), {total:.2f} CPU s in all",
             f"{'stage':<26}{'CPU s':>9}{'share':>9}"]
    lines += [f"{name:<26}{secs:>9.2f}{secs / total:>9.0%}" for name, secs in stages["stages"].items()]
    rules = sorted(stages["rules"].items(), key=lambda kv: -kv[1])[:busiest]
    lines.append("busiest rules (CPU s, with the shared facts each was the first to ask for): "
                 + ", ".join(f"{rule} {secs:.2f}" for rule, secs in rules))
    return "\n".join(lines)


# ---------------------------------------------------------------------- report
def table(corpus: Corpus, runs: list[Measure]) -> str:
    floor = _find(runs, "parse floor (1 core)")
    cold = _find(runs, "wicked-data cold")
    header = (f"{'tool':<26}{'wall s':>9}{'CPU s':>9}{'peak MB':>9}{'tree MB':>9}{'files/s':>10}{'lines/s':>11}"
              f"{'x floor':>9}{'wd cold faster':>16}")
    lines = [f"{corpus.name}: {len(corpus.files):,} files, {corpus.lines:,} lines", header, "-" * len(header)]
    for run in runs:
        if not run.ok:
            lines.append(f"{run.tool:<26}{run.note}")
            continue
        faster = f"{run.wall / cold.wall:.1f}x" if cold and cold.ok and not run.tool.startswith(("wicked", "parse")) else ""
        lines.append(f"{run.tool:<26}{run.wall:>9.2f}{run.cpu:>9.2f}{run.max_process_mb:>9.0f}{run.tree_mb:>9.0f}"
                     f"{len(corpus.files) / run.wall:>10,.0f}{corpus.lines / run.wall:>11,.0f}"
                     f"{run.wall / floor.wall:>9.2f}{faster:>16}" + (f"  ({run.note})" if run.note else ""))
    if cold and "files" in cold.extra:
        internal = cold.extra["internal_errors"]
        lines.append(f"wicked-data: {cold.extra['files']} files, {cold.extra['findings']} findings, "
                     f"{cold.extra['invalid_python_errors']} errors on files that are not valid Python 3, "
                     f"{len(internal)} internal errors")
        lines += [f"  internal error: {e['file']}: {e['message']}" for e in internal[:10]]
    warm = _find(runs, "wicked-data warm")
    if cold and warm and cold.extra.get("findings") != warm.extra.get("findings"):
        lines.append(f"the warm review found {warm.extra.get('findings')} findings, the cold one {cold.extra.get('findings')}")
    return "\n".join(lines)


def growth(results: dict[str, tuple[Corpus, list[Measure]]], sizes: list[int]) -> tuple[str, float | None]:
    """Per-file cost of the cold and warm reviews at each generated size, and the linearity figure:
    time per file at the largest size over time per file at the one before (1.0 = linear; below 1,
    the fixed start-up cost is being spread; well above 1, cost grows faster than the file count)."""
    lines = [f"{'generated project':<22}{'files':>7}{'lines':>9}{'cold s':>9}{'cold ms/file':>14}{'warm ms/file':>14}"
             f"{'floor ms/file':>15}"]
    per_file: dict[int, float] = {}
    for size in sizes:
        corpus, runs = results[f"generated-{size}"]
        cold, warm, floor = _find(runs, "wicked-data cold"), _find(runs, "wicked-data warm"), _find(runs, "parse floor (1 core)")
        per_file[size] = cold.wall / size
        lines.append(f"{corpus.name:<22}{size:>7,}{corpus.lines:>9,}{cold.wall:>9.2f}{1000 * cold.wall / size:>14.2f}"
                     f"{1000 * warm.wall / size:>14.2f}{1000 * floor.wall / size:>15.2f}")
    # The cost of each added file, step by step: growing from step to step means superlinear cost that
    # the per-file figure hides behind start-up. The warm run shows the project-wide stage best, as
    # it skips the per-file analysis.
    for small, big in zip(sizes, sizes[1:]):
        small_runs, big_runs = results[f"generated-{small}"][1], results[f"generated-{big}"][1]
        added = {label: 1000 * (_find(big_runs, f"wicked-data {label}").wall - _find(small_runs, f"wicked-data {label}").wall)
                 / (big - small) for label in ("cold", "warm")}
        lines.append(f"from {small:,} to {big:,} files: each added file costs {added['cold']:.2f} ms cold, "
                     f"{added['warm']:.2f} ms warm")
    linearity = None
    if len(sizes) >= 2:
        big, small = sizes[-1], sizes[-2]
        linearity = per_file[big] / per_file[small]
        lines.append(f"linearity: cold time per file at {big:,} / at {small:,} = {linearity:.2f}")
    return "\n".join(lines), linearity


def targets(runs: list[Measure], linearity: float | None) -> list[tuple[str, bool, str]]:
    """Issue 8's targets on corpus (a): (what, met, the figure)."""
    floor, cold, warm = (_find(runs, t) for t in ("parse floor (1 core)", "wicked-data cold", "wicked-data warm"))
    fixit = _find(runs, "fixit lint")
    checks = [
        (f"cold review <= {COLD_MAX_FLOOR}x floor", cold.wall <= COLD_MAX_FLOOR * floor.wall, f"{cold.wall / floor.wall:.2f}x"),
        (f"warm review <= {WARM_MAX_FLOOR}x floor", warm.wall <= WARM_MAX_FLOOR * floor.wall, f"{warm.wall / floor.wall:.2f}x"),
        ("no internal error", not cold.extra.get("internal_errors"), f"{len(cold.extra.get('internal_errors', []))} internal"),
        (f"memory < {MAX_MEMORY_MB} MB (process tree)", max(cold.tree_mb, warm.tree_mb) < MAX_MEMORY_MB,
         f"{max(cold.tree_mb, warm.tree_mb):.0f} MB"),
    ]
    if fixit and fixit.ok:
        checks.append((f">= {MIN_FASTER_THAN_FIXIT}x faster than fixit", fixit.wall >= MIN_FASTER_THAN_FIXIT * cold.wall,
                       f"{fixit.wall / cold.wall:.1f}x"))
    if linearity is not None:
        checks.append(("cost linear in files (per-file ratio <= 1.2)", linearity <= 1.2, f"{linearity:.2f}"))
    return checks


def _find(runs: list[Measure], tool: str) -> Measure | None:
    return next((r for r in runs if r.tool == tool), None)


# ---------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peers-venv", type=Path, help="venv with scikit-learn, fixit, ruff and pylint (bench/.venv)")
    parser.add_argument("--dslinter-venv", type=Path, help="venv with pylint and dslinter, if it installed")
    parser.add_argument("--skip", action="append", default=[], metavar="TOOL",
                        help="skip a peer (fixit, ruff, pylint, pylint+dslinter); repeatable")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="generated project sizes, in files")
    parser.add_argument("--stress-base", type=int, default=400,
                        help="units in the smaller of each generated stress file (bench/stress.py)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds of the floor and the cold and warm reviews; the fastest of each is kept")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed to one run of one tool")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one, removed)")
    parser.add_argument("--results", type=Path, default=Path(__file__).resolve().parent / "results.json")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    # The peers run inside the corpus folders: their paths must not depend on this one.
    args.peers_venv = args.peers_venv and args.peers_venv.absolute()
    args.dslinter_venv = args.dslinter_venv and args.dslinter_venv.absolute()
    if args.peers_venv is None or not (args.peers_venv / "bin" / "python").exists():
        parser.error("--peers-venv must name the venv with scikit-learn and the peers (scripts/bench makes it)")
    if args.dslinter_venv and not dslinter_checkers(args.dslinter_venv):
        print(f"dslinter is not installed in {args.dslinter_venv} (see its install.log): pylint+dslinter skipped",
              file=sys.stderr)
    work = args.work or Path(tempfile.mkdtemp(prefix="wicked-data-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        return _main(args, sizes, work)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


def _main(args: argparse.Namespace, sizes: list[int], work: Path) -> int:
    snapshot_engine(work)
    load = os.getloadavg()[0]
    folder, version = sklearn_source(args.peers_venv)
    corpora = [copy_tree_sources(folder, work / "corpus-a", f"scikit-learn-{version}")]
    corpora += [generate_projects(size, work / f"corpus-b-{size}", f"generated-{size}") for size in sizes]
    results: dict[str, tuple[Corpus, list[Measure]]] = {}
    for corpus in corpora:
        print(f"benchmarking {corpus.name} ({len(corpus.files)} files) ...", file=sys.stderr, flush=True)
        peers = {tool: cmd for tool, cmd in peer_commands(corpus, args.peers_venv, args.dslinter_venv, work).items()
                 if tool.split()[0] not in args.skip}
        results[corpus.name] = (corpus, bench_corpus(corpus, work, peers, args.timeout, args.repeat))
    print(f"profiling {corpora[0].name} ...", file=sys.stderr, flush=True)
    stages = run_stages(corpora[0], work, args.timeout)
    print("stress files (growth of the analysis per file) ...", file=sys.stderr, flush=True)
    import stress  # bench/stress.py, beside this file

    growth_rows = stress.run(args.stress_base)
    print(f"wicked-data benchmark: {os.cpu_count()} cores, Python {sys.version.split()[0]}, default --jobs, "
          f"floor and reviews the fastest of {args.repeat} rounds, "
          f"load average {load:.2f} at the start" + (" (the machine was busy: times are inflated)" if load > 0.5 else "") + "\n")
    for corpus, runs in results.values():
        print(table(corpus, runs) + "\n")
    if stages:
        print(stages_table(corpora[0], stages) + "\n")
    print(stress.table(growth_rows) + "\n")
    growth_text, linearity = growth(results, sizes) if sizes else ("", None)
    if growth_text:
        print(growth_text + "\n")
    main_corpus, main_runs = results[corpora[0].name]
    checks = targets(main_runs, linearity)
    for what, met, figure in checks:
        print(f"target {'met    ' if met else 'MISSED '} {what}: {figure}")
    ratio = _find(main_runs, "wicked-data cold").wall / _find(main_runs, "parse floor (1 core)").wall
    args.results.write_text(json.dumps({
        "cores": os.cpu_count(), "load_average_at_start": load, "python": sys.version.split()[0], "ratio_to_parse_floor": ratio,
        "linearity": linearity, "stages": stages, "stress": growth_rows, "targets": [{"target": w, "met": m, "figure": f} for w, m, f in checks],
        "corpora": [{"name": c.name, "files": len(c.files), "lines": c.lines, "runs": [asdict(r) for r in runs]}
                    for c, runs in results.values()],
    }, indent=2), encoding="utf-8")
    print(f"ratio_to_parse_floor={ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
