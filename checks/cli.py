"""`wicked-data`: the command line, a thin adapter over `review()`.

Exit codes follow ruff: 0 no findings, 1 findings, 2 usage, configuration or internal error.
"""
from __future__ import annotations

import argparse
import inspect
import json
import sys
from pathlib import Path

from wicked_data.checks import __version__
from wicked_data.checks.config import ConfigError, load_project_config, normal_severity
from wicked_data.checks.engine import BaselineError, review, review_project
from wicked_data.checks.formats import FORMATS, render
from wicked_data.checks.formats.describe import analysed_nothing
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import registry, rule_ids

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# the formats that show a finding's remediation; the others refuse --remediation rather than drop it
REMEDIATION_FORMATS = ("json", "markdown", "text")


class UsageError(Exception):
    """A command line that cannot be carried out as asked: one line on stderr, exit 2."""


def _codes(values: list[str] | None, option: str) -> list[str] | None:
    if values is None:
        return None
    codes = [c.strip() for v in values for c in v.split(",") if c.strip()]
    if not codes:
        raise UsageError(f"{option} is empty; give rule ids or prefixes (ML1, ML201)")
    return codes


def _writable(path: Path | None) -> None:
    """Refuse, before any work, an output file that cannot be written: its folder is missing, or
    it is a folder itself."""
    if path is None:
        return
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a directory")
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(f"cannot write {path}: no such directory: {folder}")


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wicked-data", description="Review machine-learning code for leakage, "
                                     "evaluation, train/serve skew, production and serving problems.")
    parser.add_argument("--version", action="version", version=f"wicked-data {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    rev = sub.add_parser("review", help="review files or folders")
    rev.add_argument("paths", nargs="+", metavar="PATH")
    rev.add_argument("--format", choices=FORMATS, default="text")
    rev.add_argument("--select", action="append", metavar="CODES", help="rule ids or prefixes, comma-separated (ML1, ML201)")
    rev.add_argument("--ignore", action="append", metavar="CODES", help="rule ids or prefixes to skip")
    rev.add_argument("--min-severity", type=normal_severity, choices=[s.value for s in Severity],
                     help="report only this severity or worse (P1, P2, P3)")
    rev.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report to FILE instead of stdout")
    rev.add_argument("--baseline", type=Path, metavar="FILE", help="a previous JSON review whose findings are ignored")
    rev.add_argument("--no-cache", action="store_true", help="analyse every file again")
    rev.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: by file count and cores)")
    rev.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    rev.add_argument("--expand", action="store_true", help="text and markdown: give every finding its own block "
                     "(by default the findings on one line are shown as one, the most severe leading)")
    rev.add_argument("--report", choices=("standard", "audit"), default="standard",
                     help="audit: write the markdown as a serving audit (summary, data flow, shapes, risks)")
    rev.add_argument("--remediation", action="store_true", help="add a remediation (explanation, code, diff) to "
                     "each finding of the JSON output")
    rev.add_argument("--llm", action="store_true", help="write the remediations with the model "
                     "(needs ANTHROPIC_API_KEY; implies --remediation)")

    fix = sub.add_parser("fix", help="apply a rule's mechanical fix (a unified diff; --apply writes it)")
    fix.add_argument("paths", nargs="+", metavar="PATH")
    fix.add_argument("--rule", required=True, metavar="RULE", help="the rule to fix: ML101, ML206, ML207 or ML405")
    fix.add_argument("--apply", action="store_true", help="write the fixed files instead of printing the diff")

    card = sub.add_parser("model-card", help="write a model card (Hugging Face layout) for the model under PATH")
    card.add_argument("paths", nargs="+", metavar="PATH")
    card.add_argument("--llm", action="store_true", help="write the prose with the model (needs ANTHROPIC_API_KEY)")
    card.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the card to FILE instead of stdout")

    ev = sub.add_parser("eval", help="run the scenarios and print a scorecard (exit 1 on any regression)")
    ev.add_argument("scenarios", nargs="*", metavar="SCENARIO", help="scenario names or folders (default: all)")
    ev.add_argument("--mode", choices=("offline", "replay", "live"), default="offline",
                    help="offline: no model; replay: recorded model answers; live: the API (ANTHROPIC_API_KEY)")
    ev.add_argument("--record", action="store_true", help="with --mode live, save the model's answers for replay")
    ev.add_argument("--scenarios-dir", type=Path, metavar="DIR", help="where scenarios live (default: scenarios/)")
    ev.add_argument("--output", "-o", type=Path, default=Path("wicked-data-eval.json"), metavar="FILE",
                    help="the scorecard as JSON (default: wicked-data-eval.json)")

    skew = sub.add_parser("skew-diff", help="compare the training and serving pipelines feature by feature")
    skew.add_argument("paths", nargs="+", metavar="PATH")
    skew.add_argument("--training", metavar="FILE", help="the training file (relative to PATH); default: paired by artifact")
    skew.add_argument("--serving", metavar="FILE", help="the serving file (relative to PATH)")
    skew.add_argument("--format", choices=("text", "json"), default="text")

    rules = sub.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json"), default="text")

    explain = sub.add_parser("explain", help="explain a rule")
    explain.add_argument("rule", metavar="RULE", help="a rule id (ML101) or name (wall-clock-feature)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "review":
            return _review(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "fix":
            return _fix(args)
        if args.command == "model-card":
            return _model_card(args)
        if args.command == "eval":
            return _eval(args)
        if args.command == "skew-diff":
            return _skew_diff(args)
        return _explain(args)
    except (ConfigError, BaselineError, UsageError) as exc:
        print(f"wicked-data: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_CLEAN


def _review(args) -> int:
    paths = [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing and len(missing) == len(paths):
        print(f"wicked-data: error: no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return EXIT_ERROR
    first = paths[0] if paths[0].is_dir() else paths[0].parent
    config = load_project_config(first.resolve()).merged(
        select=_codes(args.select, "--select"), ignore=_codes(args.ignore, "--ignore"),
        min_severity=args.min_severity, cache=False if args.no_cache else None, jobs=args.jobs,
    )
    unknown = config.unknown_codes(rule_ids())
    if unknown:
        raise UsageError(f"{', '.join(unknown)} matches no rule; `wicked-data rules` lists them")
    if args.report == "audit" and args.format != "markdown":
        raise UsageError("--report audit needs --format markdown")
    if (args.remediation or args.llm) and args.format not in REMEDIATION_FORMATS:
        raise UsageError(f"--remediation is shown by --format {' or '.join(REMEDIATION_FORMATS)}, "
                         f"not {args.format}")
    _writable(args.output)
    progress = _ProgressBar() if sys.stderr.isatty() else None
    if args.report == "audit":  # the audit also draws the project model
        result, project = review_project(paths, config, baseline=args.baseline, progress=progress)
    else:
        result = review(paths, config, baseline=args.baseline, progress=progress)
    if progress:
        progress.finish()
    if args.remediation or args.llm:
        from wicked_data.checks.remediate import with_remediations  # loads libcst; only when asked for

        result, notices = with_remediations(result, _client() if args.llm else None)
        for notice in notices:
            print(f"wicked-data: {notice}", file=sys.stderr)
    color = args.format == "text" and args.output is None and sys.stdout.isatty()
    if args.report == "audit":
        from wicked_data.checks.formats import audit
        from wicked_data.checks.remediate.facts import model_facts

        text = audit.render(result, project, model_facts(paths, config))
    else:
        text = render(result, args.format, color=color, expand=args.expand)
    if args.output:
        _write(args.output, text + ("" if text.endswith("\n") else "\n"))
    else:
        sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))
    nothing = analysed_nothing(result)
    if nothing:
        print(f"wicked-data: error: {nothing}", file=sys.stderr)
        return EXIT_ERROR
    if result.findings and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _client():
    """The model client from the environment, or None (with a note) when no key is set."""
    from wicked_data.checks.llm import client_from_env

    client = client_from_env()
    if client is None:
        print("wicked-data: ANTHROPIC_API_KEY is not set; using the deterministic templates", file=sys.stderr)
    return client


def _fix(args) -> int:
    from wicked_data.checks.remediate import FIXABLE, fix_paths

    rule = args.rule.strip().upper()
    if rule not in FIXABLE:
        print(f"wicked-data: error: no mechanical fix for {rule}; fixable: {', '.join(FIXABLE)}", file=sys.stderr)
        return EXIT_ERROR
    paths = [Path(p) for p in args.paths]
    first = paths[0] if paths[0].is_dir() else paths[0].parent
    results = fix_paths(paths, rule, apply=args.apply, config=load_project_config(first.resolve()))
    pending = False
    for result in results:
        if result.changed and not args.apply:
            sys.stdout.write(result.diff)
            pending = True
        elif result.changed:
            print(f"fixed {result.file}: {rule} at line {', '.join(map(str, sorted(set(result.changed_lines))))}",
                  file=sys.stderr)
        for skip in result.skipped:
            print(f"{result.file}:{skip.line}: {rule} not fixed: {skip.reason}", file=sys.stderr)
            pending = True
    return EXIT_FINDINGS if pending else EXIT_CLEAN


def _existing_paths(names: list[str]):
    """The paths and the project configuration of the first one's folder; (None, None) with a
    message when a path does not exist."""
    paths = [Path(p) for p in names]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"wicked-data: error: no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return None, None
    first = paths[0] if paths[0].is_dir() else paths[0].parent
    return paths, load_project_config(first.resolve())


def _model_card(args) -> int:
    from wicked_data.checks.remediate import model_card
    from wicked_data.checks.remediate.facts import model_facts

    _writable(args.output)
    paths, config = _existing_paths(args.paths)
    if paths is None:
        return EXIT_ERROR
    result = model_card(paths, review(paths, config), _client() if args.llm else None, model_facts(paths, config))
    if result.notice:
        print(f"wicked-data: {result.notice}", file=sys.stderr)
    if args.output:
        _write(args.output, result.text)
    else:
        sys.stdout.write(result.text)
    return EXIT_CLEAN


def _skew_diff(args) -> int:
    """Every training/serving pair with each feature's status; exit 1 when a feature differs, is
    missing or is extra, 0 when every compared feature is the same."""
    from wicked_data.checks.skew import skew_diff

    paths, config = _existing_paths(args.paths)
    if paths is None:
        return EXIT_ERROR
    try:
        reports = skew_diff(paths, args.training, args.serving, config)
    except ValueError as exc:
        print(f"wicked-data: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.format == "json":
        print(json.dumps([r.model_dump() for r in reports], indent=2))
    else:
        if not reports:
            print("No training and serving files paired: nothing compared (a training file fits and saves a model, "
                  "a serving file loads one and predicts).")
        for report in reports:
            print(f"{report.training_file} -> {report.serving_file}")
            if not report.features:
                print("  no features compared: the serving side's frame could not be followed")
            for f in report.features:
                where = f"{f.serving_file or report.serving_file}:{f.serving_line}" if f.status != "missing" else \
                    f"{f.training_file or report.training_file}:{f.training_line}"
                print(f"  {f.status:<9} {f.feature}  ({where})")
                for category, words in zip(f.categories, f.differences):
                    print(f"            [{category}] {words}")
    changed = any(f.status in ("different", "missing", "extra") for r in reports for f in r.features)
    return EXIT_FINDINGS if changed else EXIT_CLEAN


def _eval(args) -> int:
    from wicked_data.checks import scenario_eval

    if args.record and args.mode != "live":
        print("wicked-data: error: --record needs --mode live", file=sys.stderr)
        return EXIT_ERROR
    _writable(args.output)
    try:
        card = scenario_eval.run(args.scenarios, args.mode, args.record, args.scenarios_dir)
    except scenario_eval.ScenarioError as exc:
        print(f"wicked-data: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    print(scenario_eval.render_scorecard(card))
    _write(args.output, scenario_eval.scorecard_json(card) + "\n")
    return EXIT_FINDINGS if card.regressions else EXIT_CLEAN


def _rules(args) -> int:
    rules = registry().values()
    if args.format == "json":
        print(json.dumps([{"id": r.id, "name": r.name, "severity": r.severity.value, "summary": r.summary()}
                          for r in rules], indent=2))
        return EXIT_CLEAN
    for r in rules:
        print(f"{r.id}  {r.severity.value}  {r.name:36s} {r.summary()}")
    return EXIT_CLEAN


def _explain(args) -> int:
    wanted = args.rule.strip()
    for rule in registry().values():
        if wanted.upper() == rule.id or wanted == rule.name:
            print(f"# {rule.id} {rule.name} ({rule.severity.value})\n")
            print(inspect.getdoc(rule))
            return EXIT_CLEAN
    print(f"wicked-data: error: unknown rule {wanted!r}; `wicked-data rules` lists them", file=sys.stderr)
    return EXIT_ERROR


class _ProgressBar:
    """A one-line progress bar on stderr, shown only for long runs at a terminal."""

    MIN_FILES = 50

    def __init__(self) -> None:
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if total < self.MIN_FILES:
            return
        if done != total and done % max(1, total // 100):
            return
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files")
        sys.stderr.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            sys.stderr.write("\n")


if __name__ == "__main__":
    sys.exit(main())
