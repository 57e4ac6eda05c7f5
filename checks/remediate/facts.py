"""What the code shows about the model, each fact with the file and line it comes from.

The model card and the prompts are written from these facts and the findings, never from the raw
repository: the model type and its hyperparameters, the features, where the data comes from, how
it is split, which metrics are computed and where the model is saved. What the code does not show
(training date, author, metric values, data size) has no field here, so nothing downstream can
state it as known.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Sequence

from pydantic import BaseModel, Field

from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.names import last
from wicked_data.checks.analysis.source import SourceError, load
from wicked_data.checks.config import Config
from wicked_data.checks.engine import _common_root, discover, parse


class Fact(BaseModel):
    """One thing the code shows, and where."""

    value: str
    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


class ModelFacts(BaseModel):
    model_types: list[Fact] = Field(default_factory=list)  # "RandomForestClassifier"
    hyperparameters: list[Fact] = Field(default_factory=list)  # "n_estimators=100"
    features: list[Fact] = Field(default_factory=list)
    derivations: list[Fact] = Field(default_factory=list)  # "tenure_months = (now - signup_date).days / 30"
    preprocessing: list[Fact] = Field(default_factory=list)  # "fillna(0)" over the whole frame
    target: list[Fact] = Field(default_factory=list)
    data_sources: list[Fact] = Field(default_factory=list)  # "customer_data.csv (read_csv)"
    splits: list[Fact] = Field(default_factory=list)  # "train_test_split(test_size=0.2)"
    metrics: list[Fact] = Field(default_factory=list)  # "accuracy_score"
    artifacts: list[Fact] = Field(default_factory=list)  # "churn_model.pkl"
    libraries: list[str] = Field(default_factory=list)  # "sklearn", "pandas"
    task: str | None = None  # "classification" | "regression"

    def evidence_text(self) -> str:
        """Every value, for the validators: a number the card states must come from here."""
        groups = (self.model_types, self.hyperparameters, self.features, self.derivations, self.preprocessing,
                  self.target, self.data_sources, self.splits, self.metrics, self.artifacts)
        return "\n".join(f.value for group in groups for f in group)


def project_name(review) -> str:
    """What to call the reviewed project: its folder's name (`workspace` folders take their parent's).
    Prompts use it instead of the root, so they do not depend on where the checkout lives."""
    path = Path(review.root).resolve()
    return (path.parent.name if path.name == "workspace" else path.name) or "model"


def model_facts(paths: Sequence[str | Path], config: Config | None = None,
                confine: Sequence[Path] | None = None) -> ModelFacts:
    """Parse the Python files under `paths` (never import them) and collect the model facts. With
    `confine`, files whose real location lies outside those folders (a link leading out) are not read."""
    config = config or Config()
    roots = [Path(p) for p in paths] or [Path(".")]
    files, _ = discover(roots, _common_root(roots), config, confine)
    facts = ModelFacts()
    for path, rel in files:
        if path.suffix not in (".py", ".ipynb"):
            continue
        try:
            source = load(path, rel, config.max_file_size)
            module = ModuleAnalysis(source, parse(source))
        except (SourceError, RecursionError):
            continue
        _collect(module, rel, facts)
    return facts


def _collect(module: ModuleAnalysis, rel: str, facts: ModelFacts) -> None:
    for fit in module.model_fits:
        est = fit.estimator
        ctor = last(fit.ctor) if fit.ctor else None
        if not ctor:
            continue
        ctor_call = est.call if est is not None and est.call is not None else None
        line = ctor_call.line if ctor_call is not None else fit.line
        _add(facts.model_types, ctor, rel, line)
        if ctor_call is not None:
            for kw in ctor_call.node.keywords:
                if kw.arg:
                    _add(facts.hyperparameters, f"{kw.arg}={module.text(kw.value)}", rel, kw.value.lineno)
        classifier = module.is_classifier_fit(fit)
        if classifier is not None and facts.task is None:
            facts.task = "classification" if classifier else "regression"
    if module.model_fits:
        _training_facts(module, rel, facts)
    for call in module.calls:
        name = last(call.method or call.name or "")
        if name.startswith("read_") and call.node.args:
            _add(facts.data_sources, f"{name}({module.text(call.node.args[0])})", rel, call.line)
    for module_name in sorted(module.imports.modules):
        root = (module_name or "").split(".")[0]
        if root in _LIBRARIES and root not in facts.libraries:
            facts.libraries.append(root)


def _training_facts(module: ModuleAnalysis, rel: str, facts: ModelFacts) -> None:
    from wicked_data.checks.analysis.project import module_facts

    file_facts = module_facts(module)
    training = file_facts.get("training") or {}
    for name in training.get("features", []):
        _add(facts.features, name, rel, training.get("features_line", 0))
    for column, derivation in training.get("derivations", {}).items():
        if column in training.get("features", []):
            _add(facts.derivations, f"{column} = {derivation['expr']}", rel, derivation["line"])
    for step in training.get("frame_steps", []):
        _add(facts.preprocessing, step["op"], rel, step["line"])
    for column in sorted(module.target_columns):
        _add(facts.target, column, rel, _first_line(module, column))
    for split in module.splits:
        if split.call is None:
            continue
        args = ", ".join(f"{kw.arg}={module.text(kw.value)}" for kw in split.call.node.keywords if kw.arg)
        _add(facts.splits, f"{last(split.call.name or 'split')}({args})", rel, split.line)
    for call in module.metric_calls:
        _add(facts.metrics, last(call.method or call.name or "score"), rel, call.line)
    for call in module.cv_calls:
        _add(facts.metrics, last(call.name or "cross_val_score"), rel, call.line)
    for written in (file_facts.get("artifacts") or {}).get("written", []):
        if written.get("path"):
            _add(facts.artifacts, written["path"], rel, written["line"])


def _first_line(module: ModuleAnalysis, column: str) -> int:
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Constant) and node.value == column:
            return node.lineno
    return 1


def _add(group: list[Fact], value: str, rel: str, line: int) -> None:
    if not any(f.value == value and f.file == rel for f in group):
        group.append(Fact(value=value, file=rel, line=line))


_LIBRARIES = {"sklearn", "xgboost", "lightgbm", "catboost", "torch", "tensorflow", "keras", "statsmodels", "pandas",
              "numpy", "imblearn"}

