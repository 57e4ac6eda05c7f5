"""Where a review's time goes: every file named in LIST (one path a line) analysed the way a worker
does (`checks.engine._analyse_file`), in this one process, with each stage timed apart.

    python bench/stages.py LIST

Stages: reading and decoding, parsing, the flow analysis (`ModuleAnalysis`), the syntax facts
(parent links and node lists; built for every file, since the path-literal rule reads them), each
rule (its checks, the facts it is the first to ask for, and its findings made into JSON), the
per-file facts the project rules read, and collecting the file's garbage. Prints one JSON line:
{"files", "stages": {stage: CPU seconds}, "rules": {rule id: CPU seconds}}.
"""
from __future__ import annotations

import gc
import json
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wicked_data.checks.analysis.module import ModuleAnalysis  # noqa: E402
from wicked_data.checks.analysis.syntax import syntax  # noqa: E402
from wicked_data.checks.analysis.project import module_facts  # noqa: E402
from wicked_data.checks.analysis.source import SourceError, load  # noqa: E402
from wicked_data.checks.engine import _suppressed, _suppressions, parse, to_finding  # noqa: E402
from wicked_data.checks.rules.base import ProjectRule, registry  # noqa: E402

STAGES = ("read and decode", "parse", "flow analysis", "syntax facts", "rules", "project facts", "garbage collection")


def profile(paths: list[str]) -> dict:
    stages = dict.fromkeys(STAGES, 0.0)
    rules: dict[str, float] = {}
    rule_classes = [r for r in registry().values() if not issubclass(r, ProjectRule)]
    gc.collect()
    gc.freeze()  # the interpreter and the rules, as in a worker
    for path in paths:
        gc.disable()
        module = _analyse(Path(path), rule_classes, stages, rules)
        start = time.process_time()
        if module is not None:
            module.release()  # as `checks.engine.analyse_file` does, then the collector
        del module
        gc.collect(0)
        stages["garbage collection"] += time.process_time() - start
        gc.enable()
    return {"files": len(paths), "stages": stages, "rules": rules}


def _analyse(path: Path, rule_classes: list, stages: dict[str, float], rules: dict[str, float]) -> ModuleAnalysis | None:
    clock = time.process_time
    t0 = clock()
    try:
        source = load(path, path.name)
    except SourceError:
        return None
    t1 = clock()
    stages["read and decode"] += t1 - t0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = parse(source)
    except SourceError:
        return None
    t2 = clock()
    stages["parse"] += t2 - t1
    module = ModuleAnalysis(source, tree)
    t3 = clock()
    stages["flow analysis"] += t3 - t2
    syntax(module)
    t4 = clock()
    stages["syntax facts"] += t4 - t3
    suppressions = _suppressions(source.text)
    for rule_class in rule_classes:
        start = clock()
        rule = rule_class()
        try:
            rule.satisfied(module)
            for hit in rule.check(module):
                finding = to_finding(rule, hit, module)
                if not _suppressed(finding, suppressions):
                    finding.model_dump(mode="json")
        except Exception:  # noqa: BLE001 - the review reports these; here they only cost time
            pass
        rules[rule.id] = rules.get(rule.id, 0.0) + clock() - start
    t5 = clock()
    stages["rules"] += t5 - t4
    try:
        module.role
        module_facts(module)
    except Exception:  # noqa: BLE001
        pass
    stages["project facts"] += clock() - t5
    return module


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as listing:
        print(json.dumps(profile(listing.read().splitlines())))
