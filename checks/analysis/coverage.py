"""What a review could and could not see.

Two questions, answered per module from the shared analysis:

- does a rule *apply* here (there is a fit, a split, an evaluation, serving code...)? A rule that
  ran where it applies and found nothing has `passed`; elsewhere it is `not-applicable`. Silence
  is only reported as a pass where something was checked.
- where are the *blind spots*: code on a path the rules care about that the analysis does not
  follow (a library with no semantics table yet, code built at run time, an analysis limit
  reached). Each becomes an entry of `coverage.blind_spots`, so "no findings" is not mistaken for
  "checked and clean".
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wicked_data.checks.analysis.module import ModuleAnalysis

from wicked_data.checks.analysis.libraries import UNMODELLED, library_of  # noqa: E402

DYNAMIC_CALLS = {"exec", "eval", "__import__"}


def applies(family: str, module: "ModuleAnalysis") -> bool:
    """Does the module hold what a rule of this family checks? Leakage rules need a fit or a split,
    evaluation rules a model, a split or a metric, feature/skew rules a fit, a prediction or
    feature code, production rules model code outside training notebooks' reach, serving rules
    serving code. Tests hold nothing any rule checks."""
    if module.is_test:
        return False
    if family == "served":  # the rules about answering requests: a file that serves or runs inference
        return module.role in ("inference", "serving")
    family = family[:3]
    if family == "ML1":
        return bool(module.fits or module.splits or module.cv_calls)
    if family == "ML2":
        return bool(module.model_fits or module.predictions or module.cv_calls or module.splits
                    or module.evaluation_calls)
    if family == "ML3":
        return bool(module.fits or module.predictions) or module.role in ("feature", "inference", "serving")
    if family == "ML4":
        return module.role in ("training", "inference", "serving", "feature") or bool(module.predictions)
    if family == "ML5":
        from wicked_data.checks.analysis.serving import applies as serving_applies
        return serving_applies(module)
    return True


def blind_spots(module: "ModuleAnalysis") -> list[tuple[int, str]]:
    """(line, note) for each place the analysis could not follow in this module, in line order:
    an unmodelled library imported (once per library), code built at run time, a limit reached."""
    if module.is_test:
        return []
    out: list[tuple[int, str]] = []
    seen: set[str] = set()
    for node in _imports(module.tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        for name in names:
            top = name.split(".")[0]
            if top in seen:
                continue
            table = library_of(top)
            if top in UNMODELLED:
                seen.add(top)
                out.append((node.lineno, f"{UNMODELLED[top]} are not modelled yet: splits, fits, fills and "
                                         "predictions written with them are read as unknown calls, so leakage and "
                                         "evaluation problems there can go unreported"))
            elif table is not None and table.modelled == "partial":
                seen.add(top)
                out.append((node.lineno, f"{table.title} are only partly modelled: {table.unseen}, so leakage "
                                         "and evaluation problems written that way can go unreported"))
    for call in module.calls:
        if call.method is None and call.callee is None and call.short in DYNAMIC_CALLS and call.node.args \
                and not isinstance(call.node.args[0], ast.Constant):
            out.append((call.line, f"code built at run time ({call.short}) is not analysed"))
        elif call.short == "import_module" and (call.name or "").startswith("importlib"):
            out.append((call.line, "a module imported by name at run time (importlib.import_module) is not followed"))
    out += module.limits_reached
    return sorted(set(out))


def _imports(tree: ast.Module):
    """Import statements at module level and one level into `if`/`try` blocks and functions."""
    stack = list(tree.body)
    depth = {id(n): 0 for n in stack}
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
            continue
        if depth[id(node)] >= 2:
            continue
        for field in ("body", "orelse", "finalbody", "handlers"):
            for child in getattr(node, field, ()) or ():
                if isinstance(child, ast.stmt) or isinstance(child, ast.ExceptHandler):
                    depth[id(child)] = depth[id(node)] + 1
                    stack.append(child)
