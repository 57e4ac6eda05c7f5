"""What a file keeps of what it fits: the objects its saves hold (the model, a bundle, a transform
saved on its own) and those it hands to the project's own code (which may save them).

ML307 asks whether a fitted transform the saved model depends on is kept; the lineage facts ask the
same of a transform whose output is written to a data file another script trains on.
"""
from __future__ import annotations

import ast
import builtins
from functools import cached_property

from wicked_data.checks.analysis import vocab
from wicked_data.checks.analysis.flowtypes import Val
from wicked_data.checks.analysis.module import Fit, ModuleAnalysis
from wicked_data.checks.analysis.names import last

BUILTINS = frozenset(dir(builtins))
# Top-level packages that are libraries, not the project's own code (they save nothing handed to them).
LIBRARIES = frozenset({
    "__future__", "abc", "argparse", "asyncio", "catboost", "cloudpickle", "collections", "contextlib",
    "dataclasses", "datetime", "dill", "enum", "fastapi", "flask", "functools", "gradio", "hashlib", "imblearn",
    "itertools", "joblib", "json", "keras", "lightgbm", "logging", "math", "matplotlib", "mlflow", "numpy",
    "onnxruntime", "optuna", "os", "pandas", "pathlib", "pickle", "plotly", "polars", "pydantic", "pyspark",
    "random", "re", "requests", "scipy", "seaborn", "shap", "shutil", "sklearn", "skops", "sqlalchemy",
    "starlette", "statsmodels", "streamlit", "sys", "tensorflow", "threading", "time", "tomllib", "torch", "tqdm",
    "typing", "typing_extensions", "uuid", "uvicorn", "wandb", "warnings", "xgboost", "yaml"})


class Kept:
    def __init__(self, module: ModuleAnalysis) -> None:
        self.module = module

    @cached_property
    def saves(self) -> list:
        return [c for c in self.module.calls if c.is_(*vocab.MODEL_SAVE_CALLS) or c.method in vocab.MODEL_SAVE_METHODS]

    @cached_property
    def saved(self) -> list[Val]:
        return [a for c in self.saves for a in [*c.args, *c.kwargs.values(), c.receiver] if a is not None]

    @cached_property
    def handed(self) -> list[Val]:
        """Values handed to the project's own functions (a helper that may save them)."""
        return [a for c in self.module.calls if _project_call(c) for a in [*c.args, *c.kwargs.values()] if a is not None]

    @cached_property
    def _saved_holds(self) -> set[int]:
        return held_by(self.saved)

    @cached_property
    def _kept_holds(self) -> set[int]:
        return self._saved_holds | held_by(self.handed)

    def is_saved(self, fit: Fit) -> bool:
        return not _targets(fit).isdisjoint(self._saved_holds)

    def final_paths(self, fit: Fit) -> list[str | None] | None:
        """The files that hold the fitted object when the module has run: the paths of the saves
        holding it, less those a later save writes again with something else (a notebook refits and
        saves under the same name); None when no save holds it. A path the review cannot name is None."""
        from wicked_data.checks.analysis.lineage import path_of

        targets = _targets(fit)
        mine, others = [], []
        for call in self.saves:
            values = [a for a in [*call.args, *call.kwargs.values(), call.receiver] if a is not None]
            path = path_of(self.module, call, 1 if call.method is None else 0)
            (mine if not targets.isdisjoint(held_by(values)) else others).append((call.line, path))
        if not mine:
            return None
        return [path for at, path in mine if path is None or not any(p == path and line > at for line, p in others)]

    def is_kept(self, fit: Fit) -> bool:
        """Saved, or handed to the project's own code."""
        return not _targets(fit).isdisjoint(self._kept_holds)


def kept(module: ModuleAnalysis) -> Kept:
    return module.shared(Kept)


def holds(module: ModuleAnalysis, value: Val, fit: Fit) -> bool:
    """`value` is the fitted object, or a container or pipeline built from it; not another model
    trained on its output (that one holds the rows it transformed, not the transform)."""
    return not _targets(fit).isdisjoint(held_by([value]))


def _targets(fit: Fit) -> set[int]:
    return {id(fit.estimator)} | ({id(fit.call.val)} if fit.call.method == "fit" and fit.call.val else set())


def held_by(values: list[Val]) -> set[int]:
    """Ids of everything the `values` hold: themselves and what they were built from, stopping at
    another estimator's fit (what it was trained on is not what it holds). One walk for all."""
    seen = {id(v) for v in values}
    stack = list(values)
    while stack:
        cur = stack.pop()
        if cur.call is not None and cur.call.method in vocab.FIT_METHODS:
            continue
        for parent in [*cur.parents, *cur.kw]:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return seen


def outputs(module: ModuleAnalysis, fit: Fit) -> list[Val]:
    """What a fitted transform produced: `fit_transform`'s result and each `.transform(...)` of it."""
    outs = [fit.call.val] if fit.call.val is not None and fit.call.method != "fit" else []
    objects = {id(fit.estimator)} | ({id(fit.call.val)} if fit.call.method == "fit" and fit.call.val else set())
    for call in module.method_calls("transform"):
        if call.receiver is not None and id(call.receiver) in objects and call.val is not None:
            outs.append(call.val)
    return outs


def _project_call(call) -> bool:
    """A call of the project's own code (a function of this module, an import from the project, a
    name a star import or a notebook defined): it may save what it is given."""
    if call.callee is not None:
        return True
    if call.method is not None:
        return False
    if call.qualname is not None:
        return call.qualname.lstrip(".").split(".")[0] not in LIBRARIES
    return isinstance(call.node.func, ast.Name) and call.node.func.id not in BUILTINS


def learns_transform(fit: Fit) -> bool:
    """A transform fitted outside the model that learned from the rows (a scaler, an imputer, PCA;
    not an encoder of categories or labels)."""
    return fit.kind == "transformer" and fit.estimator is not None \
        and last(fit.ctor) not in vocab.CATEGORY_ENCODERS | vocab.LABEL_ENCODERS


def feeding_saved_models(module: ModuleAnalysis) -> list[tuple[Fit, Fit]]:
    """(transform, model) for each transform that learns from the rows whose output a saved model is
    trained on (one pair per fitted object, the first such model)."""
    keeps = kept(module)
    if not keeps.saves:
        return []
    saved_models = [f for f in module.model_fits if keeps.is_saved(f)]
    out, seen = [], set()
    for fit in module.fits:
        if not learns_transform(fit) or id(fit.estimator) in seen:
            continue
        produced = outputs(module, fit)
        model = next((m for m in saved_models if m.X is not None
                      and any(module.flow.derives_from(m.X, o) for o in produced)), None)
        if model is not None:
            seen.add(id(fit.estimator))
            out.append((fit, model))
    return out
