"""What the code shows about the model, each fact with the file and line it comes from.

The model card and the prompts are written from these facts and the findings, never from the raw
repository. The facts come from the analysis' data flow and the library tables, across the files of
the project, never from what things are called:

- **the model** is the estimator the code fits and saves: unwrapped from a `Pipeline` (its last
  step), a search or calibration wrapper (the estimator it wraps), a project function returning it
  (`build_pipeline(cfg)`), or the project's own network class a training loop saves; a
  `DummyClassifier` is a baseline, and models fitted in a loop over a dict of candidates, or in the
  branches of a flag, are alternatives, one of which is kept;
- **hyperparameters** are the model's constructor arguments, with values read from a configuration
  file resolved to the file and line that holds them (`C=cfg["model"]["C"]`, `**cfg["xgboost"]`);
- **the target** is the column the fitted `y` reads, followed through other files' constants,
  functions returning `(X, y)`, configuration values and a torch `Dataset`'s label attribute;
- **the features** are the columns of the matrix the model is fitted on (a literal list, a list
  another file defines, the columns a builder function keeps, names written in a loop over a list);
- the split, the metrics computed (and where their values are written), the artifact with what it
  stores and the version it records.

What the code does not show (training date, author, metric values, data size) has no field here,
so nothing downstream can state it as known.
"""
from __future__ import annotations

import ast
from pathlib import Path, PurePosixPath
from typing import Sequence

from pydantic import BaseModel, Field

from wicked_data.checks.analysis import libraries, vocab
from wicked_data.checks.analysis.flowtypes import NOW, Val, str_list
from wicked_data.checks.analysis.module import Fit, ModuleAnalysis
from wicked_data.checks.analysis.names import dotted, last
from wicked_data.checks.analysis.pipelines import names_list
from wicked_data.checks.analysis.source import SourceError, load
from wicked_data.checks.config import Config
from wicked_data.checks.engine import _common_root, discover, parse
from wicked_data.checks.models import place


class Fact(BaseModel):
    """One thing the code shows, and where."""

    value: str
    file: str
    line: int
    note: str = ""  # how the value was found or what it means ("0.5 in config.yaml:13")
    cell: int | None = None  # in a notebook: the cell (from 1) and the line within it
    cell_line: int | None = None

    @property
    def where(self) -> str:
        return place(self.file, self.line, self.cell, self.cell_line)


class ModelFacts(BaseModel):
    model: Fact | None = None  # the estimator the code trains (and saves): "LogisticRegression"
    alternatives: list[Fact] = Field(default_factory=list)  # other models trained in its place
    chosen_by: str = ""  # how one of the alternatives is kept ("the best accuracy_score", "a command-line flag")
    wrappers: list[Fact] = Field(default_factory=list)  # "Pipeline" (steps ...), "GridSearchCV"
    baselines: list[Fact] = Field(default_factory=list)  # "DummyClassifier"
    unnamed: list[Fact] = Field(default_factory=list)  # fits of a model whose class the code does not show
    hyperparameters: list[Fact] = Field(default_factory=list)  # "n_estimators=100"
    features: list[Fact] = Field(default_factory=list)
    feature_count: int | None = None  # None: the code does not fix the number
    features_note: str = ""  # "and one column per value of merchant_category"
    derivations: list[Fact] = Field(default_factory=list)  # "tenure_months = (now - signup_date).days / 30"
    preprocessing: list[Fact] = Field(default_factory=list)  # "fillna(0)" over the whole frame
    target: list[Fact] = Field(default_factory=list)
    data_sources: list[Fact] = Field(default_factory=list)  # "customer_data.csv (read_csv)"
    splits: list[Fact] = Field(default_factory=list)  # "train_test_split(test_size=0.2)", note: "random hold-out"
    metrics: list[Fact] = Field(default_factory=list)  # "accuracy_score"
    metrics_saved: list[Fact] = Field(default_factory=list)  # where the metric values are written
    artifacts: list[Fact] = Field(default_factory=list)  # "churn_model.pkl"
    artifact_contents: list[Fact] = Field(default_factory=list)  # the keys of a saved bundle
    version: list[Fact] = Field(default_factory=list)  # bundle keys or file names recording a version
    libraries: list[str] = Field(default_factory=list)  # "sklearn", "pandas"
    task: str | None = None  # "classification" | "regression"
    unread: str = ""  # why part of the facts could not be read (the card says so)

    @property
    def model_types(self) -> list[Fact]:
        return ([self.model] if self.model else []) + self.alternatives

    def model_names(self) -> set[str]:
        """Every class the code fits as a model, wraps it in or scores as a baseline."""
        return {f.value for f in [*self.model_types, *self.wrappers, *self.baselines]}

    def evidence_text(self) -> str:
        """Every value, for the validators: a number the card states must come from here."""
        groups = (self.model_types, self.wrappers, self.baselines, self.hyperparameters, self.features,
                  self.derivations, self.preprocessing, self.target, self.data_sources, self.splits, self.metrics,
                  self.metrics_saved, self.artifacts, self.artifact_contents, self.version)
        lines = [f"{f.value} {f.note}".strip() for group in groups for f in group]
        if self.feature_count is not None:
            lines.append(str(self.feature_count))
        return "\n".join(lines)


def project_name(review) -> str:
    """What to call the reviewed project: its folder's name (`workspace` folders take their parent's).
    Prompts use it instead of the root, so they do not depend on where the checkout lives."""
    path = Path(review.root).resolve()
    return (path.parent.name if path.name == "workspace" else path.name) or "model"


# ---------------------------------------------------------------------- the project's files
class _Project:
    """The parsed Python files of the reviewed project and its configuration files' keys."""

    def __init__(self, modules: dict[str, ModuleAnalysis], configs: dict[str, dict]) -> None:
        self.modules = modules
        self.configs = configs

    def module_named(self, dotted_name: str, near: str) -> tuple[str, ModuleAnalysis] | None:
        """The project file a dotted module name imports (`demand.features`, `features`), the one
        nearest the importing file when several match."""
        parts = dotted_name.lstrip(".").split(".")
        found = []
        for rel, module in self.modules.items():
            path = PurePosixPath(rel)
            stem = [*path.parent.parts, path.stem] if path.stem != "__init__" else list(path.parent.parts)
            if stem[-len(parts):] == parts:
                found.append((rel, module))
        if not found:
            return None
        return max(found, key=lambda item: _shared_prefix(item[0], near))

    def definition(self, qualname: str, near: str) -> tuple[str, ModuleAnalysis, str] | None:
        """(file, module, name) of a project name imported as `qualname` (`prepare.build_matrix`)."""
        head, _, name = qualname.lstrip(".").rpartition(".")
        if not head:
            return None
        found = self.module_named(head, near)
        return (found[0], found[1], name) if found else None

    def defined(self, module: ModuleAnalysis, rel: str, name: ast.AST | str, kinds: tuple[type, ...]
                ) -> tuple[str, ModuleAnalysis, ast.stmt] | None:
        """(file, module, statement) of the class or function `name` denotes in `module`: defined in
        the file, or imported from another file of the project (through a package's re-export)."""
        if isinstance(name, ast.Name):
            for stmt in module.tree.body:
                if isinstance(stmt, kinds) and stmt.name == name.id:
                    return rel, module, stmt
        qualname = name if isinstance(name, str) else module.imports.resolve(name)
        for _ in range(4):
            found = self.definition(qualname, rel) if qualname else None
            if found is None:
                return None
            rel, module, short = found
            for stmt in module.tree.body:
                if isinstance(stmt, kinds) and stmt.name == short:
                    return rel, module, stmt
            alias = module.imports.aliases.get(short)
            if not alias or alias == qualname:
                return None
            qualname = alias
        return None

    def setting(self, keys: list[str], near: str) -> tuple[object, str, int] | None:
        """The value a configuration file holds at `keys` (`["model", "C"]`), from the file nearest
        the code reading it."""
        dotted_key = ".".join(keys)
        found = [(rel, data["keys"][dotted_key]) for rel, data in self.configs.items() if dotted_key in data["keys"]]
        if not found:
            return None
        rel, entry = max(found, key=lambda item: _shared_prefix(item[0], near))
        return entry["value"], rel, entry["line"]

    def section(self, keys: list[str], near: str) -> list[tuple[str, object, str, int]]:
        """Every (key, value, file, line) under a configuration section (`**cfg["xgboost"]`)."""
        prefix = ".".join(keys) + "."
        files = [rel for rel, data in self.configs.items() if any(k.startswith(prefix) for k in data["keys"])]
        if not files:
            return []
        rel = max(files, key=lambda r: _shared_prefix(r, near))
        return [(k[len(prefix):], e["value"], rel, e["line"]) for k, e in self.configs[rel]["keys"].items()
                if k.startswith(prefix) and "." not in k[len(prefix):]]


def _shared_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(PurePosixPath(a).parent.parts, PurePosixPath(b).parent.parts):
        if x != y:
            break
        n += 1
    return n


def model_facts(paths: Sequence[str | Path], config: Config | None = None,
                confine: Sequence[Path] | None = None) -> ModelFacts:
    """Parse the files under `paths` (never import them) and collect the model facts. With
    `confine`, files whose real location lies outside those folders (a link leading out) are not read."""
    from wicked_data.checks.analysis.project import config_facts

    config = config or Config()
    roots = [Path(p) for p in paths] or [Path(".")]
    files, _ = discover(roots, _common_root(roots), config, confine)
    modules: dict[str, ModuleAnalysis] = {}
    configs: dict[str, dict] = {}
    for path, rel in files:
        try:
            if path.suffix in (".py", ".ipynb"):
                source = load(path, rel, config.max_file_size)
                modules[rel] = ModuleAnalysis(source, parse(source))
            elif path.suffix in (".yaml", ".yml", ".json", ".toml"):
                configs[rel] = config_facts(rel, load(path, rel, config.max_file_size).text)
        except (SourceError, RecursionError, SyntaxError, ValueError):
            continue
    project = _Project(modules, configs)
    facts = ModelFacts()
    for rel, module in modules.items():
        _general_facts(module, rel, facts)
    try:
        _model_of(project, facts)
    except (RecursionError, MemoryError, ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
        # code written in a way the collector did not expect: what it found so far stays, the rest is
        # Unknown in the card, and the reason is kept
        facts.unread = f"part of the model's facts could not be read ({type(exc).__name__}: {exc})"
    _notebook_places(facts, modules)
    return facts


def _model_of(project: _Project, facts: ModelFacts) -> None:
    trained = _training_module(project)
    if trained is not None:
        _Collector(project, *trained, facts).collect()
        if facts.model is not None:
            for rel, module in _tied(project, trained):
                other = ModelFacts()
                _Collector(project, rel, module, other).collect()
                if other.model is not None and other.model.value not in {m.value for m in facts.model_types}:
                    facts.alternatives.append(other.model)
                    facts.chosen_by = ("nothing in the code: each is trained and saved by its own file and no "
                                       "file loads one of them")


def _notebook_places(facts: ModelFacts, modules: dict[str, ModuleAnalysis]) -> None:
    """Facts in a notebook name the cell and the line in it, as the user's editor shows them."""
    for name in ModelFacts.model_fields:
        value = getattr(facts, name)
        for fact in value if isinstance(value, list) else [value]:
            module = modules.get(fact.file) if isinstance(fact, Fact) else None
            if module is not None and module.source.is_notebook:
                cell = module.source.cell_of(fact.line)
                if cell is not None:
                    fact.cell, fact.cell_line = cell
                    fact.line = module.source.shown_line(fact.line)


def _general_facts(module: ModuleAnalysis, rel: str, facts: ModelFacts) -> None:
    for call in module.calls:
        name = last(call.method or call.name or "")
        if name.startswith("read_") and call.node.args and (call.method is None or call.qualname):
            _add(facts.data_sources, f"{name}({module.text(call.node.args[0])})", rel, call.line)
    for module_name in sorted(module.imports.modules):
        root = (module_name or "").split(".")[0]
        if root in _LIBRARIES and root not in facts.libraries:
            facts.libraries.append(root)


# ---------------------------------------------------------------------- which model
def _training_module(project: _Project) -> tuple[str, ModuleAnalysis] | None:
    """The file that trains the model: one that fits (or trains a network) and saves what it
    trained; else the last file that fits a model."""
    from wicked_data.checks.analysis.kept import kept

    fitting, saving = [], []
    for rel, module in project.modules.items():
        if module.is_test:
            continue
        fits = _model_fits(module)
        if fits or _saved_network(project, rel, module):
            fitting.append((rel, module))
            if _saved_network(project, rel, module) or any(kept(module).is_saved(f) for f in fits):
                saving.append((rel, module))
    if len(saving) > 1:
        saving = _served_first(project, saving)
    chosen = saving or fitting
    return chosen[0] if chosen else None


def _tied(project: _Project, first: tuple[str, ModuleAnalysis]) -> list[tuple[str, ModuleAnalysis]]:
    """Other files that save a model of their own and that nothing tells apart from `first` (no
    other file loads either's artifact, both scripts or both notebooks): the project trains several
    models and the code does not say which is served."""
    from wicked_data.checks.analysis.kept import kept

    saving = [(rel, m) for rel, m in project.modules.items() if not m.is_test
              and (_saved_network(project, rel, m) or any(kept(m).is_saved(f) for f in _model_fits(m)))]
    if len(saving) < 2 or len(saving) > 6:
        return []
    ranked = _served_first(project, saving, ranks=True)
    top = next(r for (rel, _), r in ranked if rel == first[0])
    return [(rel, m) for (rel, m), r in ranked if r == top and rel != first[0]]


def _served_first(project: _Project, saving: list[tuple[str, ModuleAnalysis]], ranks: bool = False) -> list:
    """Files saving a model, the one whose artifact another file loads first (the served model), then
    scripts before notebooks (a notebook that saves a model is more often the exploration that led to
    the script)."""
    from wicked_data.checks.analysis.project import artifacts

    files = {rel: artifacts(module) for rel, module in project.modules.items() if not module.is_test}
    loaded = {PurePosixPath(str(load["path"])).name for found in files.values() for load in found["loaded"]
              if load.get("path")}

    def rank(item: tuple[str, ModuleAnalysis]) -> tuple[int, int]:
        written = {PurePosixPath(str(w["path"])).name for w in files.get(item[0], {}).get("written", ()) if w.get("path")}
        return (0 if written & loaded else 1, 1 if item[1].source.is_notebook else 0)

    ordered = sorted(saving, key=rank)
    return [(item, rank(item)) for item in ordered] if ranks else ordered


def _model_fits(module: ModuleAnalysis) -> list[Fit]:
    return [f for f in module.model_fits if f.kind in ("model", "pipeline")]


def _baseline(name: str | None) -> bool:
    return bool(name) and name in libraries.names("baseline")


def _saved_network(project: _Project, rel: str, module: ModuleAnalysis) -> tuple[ast.Call, str, ast.ClassDef] | None:
    """(constructor call, file, class) of the project's own network class whose instance the file
    saves (`torch.save(model, ...)`, `torch.save(model.state_dict(), ...)`, `model.save(...)`)."""
    from wicked_data.checks.analysis.kept import kept

    for save in kept(module).saves:
        for value in [*save.args[:1], save.receiver]:
            for anc in module.flow.ancestors(value):
                if anc.call is None or anc.call.method is not None or not isinstance(anc.node, ast.Call):
                    continue
                found = _project_class(project, rel, module, anc.node.func)
                if found is not None and _network_class(found[1], found[2]):
                    return anc.node, found[0], found[2]
    return None


def _project_class(project: _Project, rel: str, module: ModuleAnalysis, func: ast.AST
                   ) -> tuple[str, ModuleAnalysis, ast.ClassDef] | None:
    return project.defined(module, rel, func, (ast.ClassDef,))


def _network_class(module: ModuleAnalysis, cls: ast.ClassDef) -> bool:
    bases = libraries.names("network_base")
    return any((module.imports.resolve(b) or "") in bases for b in cls.bases)


class _Collector:
    def __init__(self, project: _Project, rel: str, module: ModuleAnalysis, facts: ModelFacts) -> None:
        self.project, self.rel, self.module, self.facts = project, rel, module, facts
        self.computed: set[int] = set()  # ids of the values computed from the metric calls

    def collect(self) -> None:
        from wicked_data.checks.analysis.kept import kept

        module, rel, facts = self.module, self.rel, self.facts
        fits = _model_fits(module)
        keeps = kept(module)
        models = [f for f in fits if not _baseline(f.ctor)]
        for fit in fits:
            if _baseline(fit.ctor) and fit.estimator is not None and fit.estimator.call is not None:
                _add(facts.baselines, last(fit.ctor), rel, fit.estimator.call.line)
        saved = [f for f in models if keeps.is_saved(f)]
        chosen = saved or models[-1:]
        finals: list[tuple[ast.Call, str]] = []
        for fit in chosen:
            final = self.final_estimator(fit)
            if final is not None and _class(module, final[0]) not in {_class(module, f[0]) for f in finals}:
                finals.append(final)
        factory = None
        for fit in chosen:
            for call, name in self.factory_models(fit):
                if _class(module, call) not in {_class(module, f[0]) for f in finals}:
                    finals.append((call, self.rel))
                    factory = name
        if finals:
            call, where = finals[0]
            facts.model = Fact(value=_class(module, call), file=where, line=call.lineno)
            self.hyperparameters(call, where)
            for call, where in finals[1:]:
                _add(facts.alternatives, _class(module, call), where, call.lineno)
            if len(finals) > 1:
                facts.chosen_by = (f"the settings `{factory}()` is called with (it returns one of them)" if factory else
                                   "a branch of the training script (each alternative is fitted and saved in its own branch)")
        elif models:
            self.loop_candidates(models[-1])
        network = _saved_network(self.project, rel, module) if not finals and facts.model is None else None
        if network is not None:
            call, class_rel, cls = network
            facts.model = Fact(value=cls.name, file=class_rel, line=cls.lineno,
                               note="the project's own network class")
            self.network_hyperparameters(call, cls)
        if facts.model is None:
            for fit in models:
                _add(facts.unnamed, module.text(fit.call.node.func), rel, fit.line)
        classifier = next((module.is_classifier_fit(f) for f in chosen if module.is_classifier_fit(f) is not None), None)
        if classifier is None and facts.model is not None:
            classifier = _task_of(facts.model.value)
        if classifier is not None:
            facts.task = "classification" if classifier else "regression"
        fitted = next((f for f in chosen if f.y is not None), None)
        y = fitted.y if fitted is not None else None
        target = self.column(_y_node(fitted), module, rel) if fitted is not None else None
        if target is None and y is not None:
            column = module.column_of(y)
            if column is not None:
                target = Fact(value=column, file=rel, line=_first_line(module, column))
        if target is None and network is not None:
            target = self.dataset_label()
        if target is not None:
            facts.target.append(target)
        self.features(chosen)
        self.splits()
        self.metrics()
        self.artifacts(chosen)

    # ---------------------------------------------------------------- the estimator
    def final_estimator(self, fit: Fit) -> tuple[ast.Call, str] | None:
        """The constructor call of the model a fit trains, unwrapped from pipelines and wrappers."""
        call = _constructor(self.module, fit.estimator, fit.ctor)
        for _ in range(6):
            if call is None:
                return None
            name = self.module.imports.resolve(call.func) or dotted(call.func) or ""
            inner = None
            if name in _COPIES and call.args:  # `clone(est)`: a fresh copy of the estimator handed over
                call = self.call_of(call.args[0])
                continue
            if name in libraries.names("pipeline"):
                inner = _last_step(call)
                kind = "Pipeline"
                self.transformed_columns(call)
            elif name in libraries.names("wrapper"):
                inner = _wrapped(call)
                kind = last(name)
            else:
                return (call, self.rel) if _class(self.module, call)[:1].isupper() else None
            _add(self.facts.wrappers, last(name), self.rel, call.lineno,
                 note=_steps_note(self.module, call) if kind == "Pipeline" else "")
            call = self.call_of(inner)
        return None

    def factory_models(self, fit: Fit) -> list[tuple[ast.Call, str]]:
        """`model = make_model(name)`, a function of this file returning one of several estimators:
        each class it can return."""
        node = fit.estimator.node if fit.estimator is not None else None
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            return []
        fn = self.module.flow.functions.get(node.func.id)
        if fn is None or len(fn.returns) < 2:
            return []
        out = []
        for returned in fn.returns:
            call = _constructor(self.module, returned, returned.ctor) if returned.ctor else None
            if call is not None and (self.module.imports.resolve(call.func) or "") not in libraries.names("pipeline"):
                out.append((call, node.func.id))
        return out if len({_class(self.module, c) for c, _ in out}) > 1 else []

    def transformed_columns(self, pipeline: ast.Call) -> None:
        """The columns a pipeline's first step, a `ColumnTransformer` that drops the rest (its default),
        hands on: exactly the model's inputs."""
        from wicked_data.checks.analysis.pipelines import lists

        steps = pipeline.args[0] if pipeline.args else None
        first = steps.elts[0] if isinstance(steps, (ast.List, ast.Tuple)) and steps.elts else \
            (pipeline.args[0] if pipeline.args else None)
        step = first.elts[1] if isinstance(first, ast.Tuple) and len(first.elts) >= 2 else first
        ct = self.call_of(step)
        if ct is None or (self.module.imports.resolve(ct.func) or "") not in libraries.names("column_selector"):
            return
        remainder = next((kw.value for kw in ct.keywords if kw.arg == "remainder"), None)
        if remainder is not None and not (isinstance(remainder, ast.Constant) and remainder.value == "drop"):
            return
        parts = ct.args[0] if ct.args else next((kw.value for kw in ct.keywords if kw.arg == "transformers"), None)
        if not isinstance(parts, (ast.List, ast.Tuple)):
            return
        names: list[str] = []
        for part in parts.elts:
            if not (isinstance(part, ast.Tuple) and len(part.elts) >= 3):
                return
            found = names_list(part.elts[2], lists(self.module)) or _local_list(self.module, part.elts[2]) \
                or self._imported_list(part.elts[2])
            if not found:
                return
            names += found
        if names and not self.facts.features:
            self._set_features(names, self.rel, ct.lineno)

    def _imported_list(self, node: ast.AST) -> list[str] | None:
        qualname = self.module.imports.resolve(node) if isinstance(node, ast.Name) else None
        found = self._list(qualname) if qualname else None
        return found[0] if found else None

    def call_of(self, node: ast.AST | None) -> ast.Call | None:
        if isinstance(node, ast.Call):
            return node
        if isinstance(node, ast.Name):
            val = self.module.flow.val_at(node)
            return val.node if val is not None and isinstance(val.node, ast.Call) else None
        return None

    def loop_candidates(self, fit: Fit) -> bool:
        """A model fitted in a loop over a dict or list of constructed models: each is an
        alternative; the kept one is chosen when the code runs."""
        receiver = fit.call.node.func.value if isinstance(fit.call.node.func, ast.Attribute) else None
        if not isinstance(receiver, ast.Name):
            return False
        loop = _binding_loop(self.module.tree, receiver.id, fit.call.node)
        if loop is None:
            return False
        calls = [c for c in self._container_calls(loop.iter) if isinstance(c, ast.Call)]
        if not calls:
            return False
        for call in calls:
            target = self.facts.alternatives if self.facts.model is not None else None
            fact = Fact(value=_class(self.module, call), file=self.rel, line=call.lineno,
                        note=", ".join(f"{kw.arg}={self.module.text(kw.value)}" for kw in call.keywords if kw.arg))
            if target is None:
                self.facts.model = fact
            else:
                target.append(fact)
        scores = {last(c.name or c.method or "") for c in self.module.metric_calls}
        self.facts.chosen_by = ("whichever has the best " + " / ".join(sorted(s for s in scores if s)) + " when the code runs"
                                if scores else "the code when it runs")
        return True

    def _container_calls(self, node: ast.AST) -> list[ast.AST]:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("items", "values"):
            node = node.func.value
        if isinstance(node, ast.Name):
            val = self.module.flow.val_at(node)
            node = val.node if val is not None else node
            if isinstance(node, ast.Name):
                for stmt in ast.walk(self.module.tree):
                    if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == node.id for t in stmt.targets):
                        node = stmt.value
        if isinstance(node, ast.Dict):
            return list(node.values)
        if isinstance(node, (ast.List, ast.Tuple)):
            return [e.elts[-1] if isinstance(e, ast.Tuple) and e.elts else e for e in node.elts]
        return []

    # ---------------------------------------------------------------- hyperparameters
    def hyperparameters(self, call: ast.Call, where: str) -> None:
        module = self._module_at(where)
        for kw in call.keywords:
            if kw.arg:
                self._setting_fact(f"{kw.arg}={module.text(kw.value)}", kw.value, module, where)
            else:  # `**cfg["xgboost"]`, `**params` with params = dict(cfg["xgboost"])
                keys = _setting_keys(module, kw.value)
                for key, value, rel, line in (self.project.section(keys, where) if keys else []):
                    _add(self.facts.hyperparameters, f"{key}={value!r}" if isinstance(value, str) else f"{key}={value}",
                         rel, line, note=f"from **{module.text(kw.value)}")

    def network_hyperparameters(self, call: ast.Call, cls: ast.ClassDef) -> None:
        init = next((s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None)
        params = [a.arg for a in init.args.args[1:]] if init is not None else []
        for position, arg in enumerate(call.args):
            name = params[position] if position < len(params) else f"arg{position}"
            self._setting_fact(f"{name}={self.module.text(arg)}", arg, self.module, self.rel)
        for kw in call.keywords:
            if kw.arg:
                self._setting_fact(f"{kw.arg}={self.module.text(kw.value)}", kw.value, self.module, self.rel)
        for opt in self.module.calls:  # the optimiser's settings are the training's hyperparameters
            if (opt.qualname or "").startswith(("torch.optim.", "keras.optimizers.", "tensorflow.keras.optimizers.")) \
                    and ".lr_scheduler." not in (opt.qualname or "") and opt.method is None and opt.short and opt.short[0].isupper():
                for kw in opt.node.keywords:
                    if kw.arg:
                        self._setting_fact(f"{kw.arg}={self.module.text(kw.value)}", kw.value, self.module, self.rel,
                                           prefix=f"{opt.short}: ")

    def _setting_fact(self, text: str, value: ast.AST, module: ModuleAnalysis, where: str, prefix: str = "") -> None:
        keys = _setting_keys(module, value)
        found = self.project.setting(keys, where) if keys else None
        note = f"{found[0]!r} in {found[1]}:{found[2]}" if found else ""
        _add(self.facts.hyperparameters, prefix + text, where, getattr(value, "lineno", 0), note=note)

    def _module_at(self, rel: str) -> ModuleAnalysis:
        return self.project.modules.get(rel, self.module)

    # ---------------------------------------------------------------- target and features
    def column(self, node: ast.AST | None, module: ModuleAnalysis, rel: str, depth: int = 0) -> Fact | None:
        """The column an expression reads (the label), followed through names, constants of this and
        other files, configuration values and project functions returning it."""
        if node is None or depth > 8:
            return None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _SAME_VALUES:
            return self.column(node.func.value, module, rel, depth + 1)
        if isinstance(node, ast.Attribute) and node.attr in ("values", "array", "str", "cat", "T"):
            return self.column(node.value, module, rel, depth + 1)
        if isinstance(node, ast.Call) and (module.imports.resolve(node.func) or "") in _PASSTHROUGH and node.args:
            return self.column(node.args[0], module, rel, depth + 1)
        if isinstance(node, ast.Subscript):
            base = node.value
            if isinstance(base, ast.Attribute) and base.attr in ("iloc", "loc"):
                if isinstance(node.slice, ast.Tuple) and len(node.slice.elts) == 2:
                    return self.name_value(node.slice.elts[1], module, rel, depth) \
                        or self.column(base.value, module, rel, depth + 1)
                return self.column(base.value, module, rel, depth + 1)
            if isinstance(node.slice, (ast.Slice, ast.Compare)):
                return self.column(base, module, rel, depth + 1)
            return self.name_value(node.slice, module, rel, depth)
        if isinstance(node, ast.Name):
            found = self.split_input(node, module, rel, depth)
            if found is not None:
                return found
            origin = self._origin(node, module)
            if origin is not None and origin is not node and not isinstance(origin, ast.Name):
                return self.column(origin, module, rel, depth + 1)
            return self.unpacked(node, module, rel, depth) or self.parameter(node, module, rel, depth)
        return None

    def split_input(self, node: ast.Name, module: ModuleAnalysis, rel: str, depth: int) -> Fact | None:
        """`X_train, X_test, y_train, y_test = train_test_split(X, y)`: a part is rows of the input in
        its place; `X_res, y_res = sampler.fit_resample(X, y)`: the labels of the input's rows."""
        val = module.flow.val_at(node)
        if val is None:
            return None
        for split in module.splits:
            if split.call is None or split.kind != "function":
                continue
            outputs = [id(v) for v, _ in split.outputs]
            args = split.call.node.args
            if id(val) in outputs and len(outputs) == 2 * len(args):
                return self.column(args[outputs.index(id(val)) // 2], module, rel, depth + 1)
        resampled = None
        for stmt in ast.walk(module.tree):
            value = stmt.value if isinstance(stmt, ast.Assign) else None
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and stmt.lineno <= node.lineno \
                    and value.func.attr in ("fit_resample", "fit_sample") and len(value.args) == 2 \
                    and isinstance(stmt.targets[0], ast.Tuple) and len(stmt.targets[0].elts) == 2:
                names = [e.id if isinstance(e, ast.Name) else None for e in stmt.targets[0].elts]
                if node.id in names and (resampled is None or stmt.lineno > resampled[0]):
                    resampled = (stmt.lineno, value.args[names.index(node.id)])
        return self.column(resampled[1], module, rel, depth + 1) if resampled else None

    def parameter(self, node: ast.Name, module: ModuleAnalysis, rel: str, depth: int) -> Fact | None:
        """A function's parameter: what every call of the function in this file passes there."""
        val = module.flow.val_at(node)
        found = None
        for arg in _passed(module, val.node if val is not None else None) or ():
            column = self.column(arg, module, rel, depth + 1)
            if column is None or found is not None and column.value != found.value:
                return None
            found = column
        return found

    def _origin(self, node: ast.Name, module: ModuleAnalysis) -> ast.AST | None:
        val = module.flow.val_at(node)
        if val is None or not isinstance(val.node, ast.expr) or isinstance(val.node, ast.Call) \
                and (module.imports.resolve(val.node.func) or "").split(".")[0] not in ("numpy", "torch", "pandas") \
                and not (isinstance(val.node.func, ast.Attribute) and val.node.func.attr in _SAME_VALUES):
            return None
        return val.node

    def name_value(self, node: ast.AST, module: ModuleAnalysis, rel: str, depth: int) -> Fact | None:
        """The string a column key holds: a literal, a constant of this or another file, a setting."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return Fact(value=node.value, file=rel, line=node.lineno)
        if isinstance(node, ast.Name):
            for stmt in module.tree.body:
                if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == node.id for t in stmt.targets) \
                        and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
                    return Fact(value=stmt.value.value, file=rel, line=stmt.lineno)
            qualname = module.imports.resolve(node)
            found = self.project.definition(qualname, rel) if qualname else None
            if found is not None:
                other_rel, other, name = found
                return self.name_value(ast.Name(id=name, lineno=node.lineno), other, other_rel, depth + 1) \
                    if name else None
        keys = _setting_keys(module, node)
        setting = self.project.setting(keys, rel) if keys else None
        if setting is not None and isinstance(setting[0], str):
            read = module.flow.val_at(node) if isinstance(node, ast.Name) else None
            shown = read.node if read is not None and isinstance(read.node, ast.Subscript) else node
            return Fact(value=setting[0], file=setting[1], line=setting[2],
                        note=f"read as {module.text(shown)} at {rel}:{getattr(shown, 'lineno', 0)}")
        if isinstance(node, ast.Name):
            val = module.flow.val_at(node)
            if val is not None and isinstance(val.node, ast.expr) and val.node is not node and depth < 8:
                return self.name_value(val.node, module, rel, depth + 1)
        return None

    def unpacked(self, node: ast.Name, module: ModuleAnalysis, rel: str, depth: int) -> Fact | None:
        """`X, y = build_matrix(df)`: the element of a project function's returned tuple."""
        for stmt in ast.walk(module.tree):
            if not isinstance(stmt, ast.Assign) or not isinstance(stmt.value, ast.Call):
                continue
            for target in stmt.targets:
                if isinstance(target, ast.Tuple):
                    names = [e.id if isinstance(e, ast.Name) else None for e in target.elts]
                    if node.id in names:
                        fn = self._function(stmt.value.func, module, rel)
                        if fn is None:
                            continue
                        fn_rel, fn_module, fn_node = fn
                        for ret in ast.walk(fn_node):
                            if isinstance(ret, ast.Return) and isinstance(ret.value, ast.Tuple) \
                                    and len(ret.value.elts) == len(names):
                                found = self.column(ret.value.elts[names.index(node.id)], fn_module, fn_rel, depth + 1)
                                if found is not None:
                                    return found
        return None

    def _function(self, func: ast.AST, module: ModuleAnalysis, rel: str):
        return self.project.defined(module, rel, func, (ast.FunctionDef,))

    def dataset_label(self) -> Fact | None:
        """A torch `Dataset` of the project, built in the training file: the column its item's
        label (the second value `__getitem__` returns) is read from."""
        for call in self.module.calls:
            if call.method is not None or not isinstance(call.node, ast.Call):
                continue
            found = _project_class(self.project, self.rel, self.module, call.node.func)
            if found is None:
                continue
            cls_rel, cls_module, cls = found
            if not any((cls_module.imports.resolve(b) or "").startswith("torch.utils.data") for b in cls.bases):
                continue
            label = _item_label(cls)
            if label is None:
                continue
            for stmt in ast.walk(cls):
                if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr == label for t in stmt.targets):
                    for sub in ast.walk(stmt.value):
                        if isinstance(sub, ast.Subscript):
                            fact = self.name_value(sub.slice, cls_module, cls_rel, 0)
                            if fact is not None:
                                self._dataset_features(cls, cls_module, cls_rel, label)
                                return fact
        return None

    def _dataset_features(self, cls: ast.ClassDef, module: ModuleAnalysis, rel: str, label: str) -> None:
        if self.facts.features:
            return
        from wicked_data.checks.analysis.pipelines import lists
        for stmt in ast.walk(cls):
            if isinstance(stmt, ast.Assign) and not any(isinstance(t, ast.Attribute) and t.attr == label for t in stmt.targets):
                for sub in ast.walk(stmt.value):
                    if isinstance(sub, ast.Subscript) and isinstance(sub.slice, ast.Name):
                        names = lists(module).get(sub.slice.id)
                        if names:
                            self._set_features(names, rel, sub.lineno)
                            return

    def features(self, chosen: list[Fit]) -> None:
        from wicked_data.checks.analysis.project import module_facts
        module, rel = self.module, self.rel
        training = module_facts(module).get("training") or {}
        if training.get("features"):
            self._set_features(training["features"], rel, training.get("features_line", 0))
        elif training.get("features_ref"):
            resolved = self._list(training["features_ref"])
            if resolved is not None:
                self._set_features(resolved[0], resolved[1], resolved[2])
        elif training.get("built_by"):
            built = training["built_by"]
            for call in [built, *(built.get("others") or ())]:
                found = self._builder_columns(call["target"])
                if found is not None:
                    self._set_features(*found)
                    break
        if not self.facts.features:
            self._concatenated(chosen)
        named = {f.value for f in self.facts.features}
        for column, derivation in training.get("derivations", {}).items():
            if column in named:
                _add(self.facts.derivations, f"{column} = {derivation['expr']}", rel, derivation["line"])
        for step in training.get("frame_steps", []):
            _add(self.facts.preprocessing, step["op"], rel, step["line"])

    def _set_features(self, names: list[str], rel: str, line: int) -> None:
        """The model's feature list, once (the first source that names it wins)."""
        if self.facts.features:
            return
        for name in dict.fromkeys(names):
            _add(self.facts.features, name, rel, line)
        self.facts.feature_count = len(self.facts.features)

    def _list(self, qualname: str) -> tuple[list[str], str, int] | None:
        from wicked_data.checks.analysis.pipelines import lists
        found = self.project.definition(qualname, self.rel)
        if found is None:
            return None
        other_rel, other, name = found
        names = lists(other).get(name)
        if not names:
            # a package's `__init__` re-exporting the list
            alias = other.imports.aliases.get(name)
            return self._list(alias) if alias and alias != qualname else None
        line = next((s.lineno for s in other.tree.body if isinstance(s, ast.Assign)
                     and any(isinstance(t, ast.Name) and t.id == name for t in s.targets)), 1)
        return names, other_rel, line

    def _builder_columns(self, qualname: str) -> tuple[list[str], str, int] | None:
        """The columns a project function returns: a selection it returns (`df[FEATURES]`,
        `df[NUMERIC + [...]]`), with the columns it adds in loops over a known list."""
        from wicked_data.checks.analysis.pipelines import lists
        fn = self._function_by_name(qualname)
        if fn is None:
            return None
        rel, module, node = fn
        known = lists(module)
        for ret in ast.walk(node):
            if not isinstance(ret, ast.Return) or ret.value is None:
                continue
            value = ret.value.elts[0] if isinstance(ret.value, ast.Tuple) and ret.value.elts else ret.value
            if isinstance(value, ast.Subscript):
                names = names_list(value.slice, known)
                if names:
                    return names, rel, value.lineno
            if isinstance(value, ast.Name):
                for stmt in ast.walk(node):
                    if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == value.id for t in stmt.targets):
                        selected = stmt.value
                        while isinstance(selected, ast.Call) and isinstance(selected.func, ast.Attribute) \
                                and selected.func.attr in _SAME_VALUES:
                            selected = selected.func.value
                        if isinstance(selected, ast.Subscript):
                            names = names_list(selected.slice, known)
                            if names:
                                return names + _loop_columns(node, value.id, known), rel, selected.lineno
        return None

    def _function_by_name(self, qualname: str):
        return self.project.defined(self.module, self.rel, qualname, (ast.FunctionDef,))

    def _concatenated(self, chosen: list[Fit]) -> None:
        """`X = pd.concat([df[numeric], pd.get_dummies(df["cat"])], axis=1)`: the named columns, and one
        column per category of each encoded column (a number the data decides)."""
        from wicked_data.checks.analysis.pipelines import lists
        module = self.module
        for fit in chosen or _model_fits(module):
            for anc in module.flow.ancestors(fit.X, rows=True):
                node = anc.node
                if not (isinstance(node, ast.Call) and (module.imports.resolve(node.func) or "").endswith("concat")
                        and node.args and isinstance(node.args[0], (ast.List, ast.Tuple))):
                    continue
                names, encoded = [], []
                for part in node.args[0].elts:
                    origin = self._origin(part, module) if isinstance(part, ast.Name) else part
                    if isinstance(origin, ast.Subscript):
                        found = names_list(origin.slice, lists(module)) or _local_list(module, origin.slice)
                        names += found or []
                    elif isinstance(origin, ast.Call) and origin.args \
                            and last(module.imports.resolve(origin.func) or dotted(origin.func) or "") == "get_dummies":
                        encoded.append(module.text(origin.args[0]))
                if names:
                    self._set_features(names, self.rel, node.lineno)
                    if encoded:
                        self.facts.feature_count = None
                        self.facts.features_note = ("and one column per value of " + ", ".join(encoded)
                                                    + " (their number depends on the data)")
                    return

    # ---------------------------------------------------------------- split, metrics, artifacts
    def splits(self) -> None:
        module, rel = self.module, self.rel
        seen_lines = set()
        for split in module.splits:
            if split.line in seen_lines:
                continue
            seen_lines.add(split.line)
            if split.kind == "function" and split.call is not None:
                args = ", ".join(self._argument(kw) for kw in split.call.node.keywords if kw.arg)
                text = f"{last(split.call.name or 'split')}({args})"
                note = "a random hold-out" if split.shuffled is not False else "a hold-out in row order"
            elif split.kind in ("splitter", "holdout"):
                text = self._splitter_text(split) or module.text(split.node)
                note = "cross-validation folds" if split.kind == "splitter" else "a hold-out drawn by a splitter"
            elif split.kind == "mask":
                text = module.text(split.node)
                note = "an out-of-time split (rows before a date train, rows from it test)" if split.temporal \
                    else "rows selected by a condition"
            elif split.kind == "slice":
                text = module.text(split.node)
                note = "a positional cut of time-ordered rows (the most recent rows test)" if split.temporal \
                    else "a positional cut of the rows"
            elif split.kind == "random_split":
                text = module.text(split.node)
                note = "a random hold-out of the dataset"
            else:
                text, note = module.text(split.node), split.kind
            _add(self.facts.splits, text, rel, split.line, note=note)
        for call in module.cv_calls:
            cv = call.kwarg_node("cv")
            if cv is not None:
                _add(self.facts.splits, f"{last(call.name or 'cross_val_score')}(cv={self._value_text(cv)})", rel,
                     call.line, note="cross-validation on the training part")

    def _splitter_text(self, split) -> str | None:
        receiver = split.call.node.func.value if split.call is not None and isinstance(split.call.node.func, ast.Attribute) else None
        node = self.call_of(receiver)
        return self._value_text(node) if node is not None else None

    def _value_text(self, node: ast.AST) -> str:
        call = self.call_of(node)
        if call is None:
            return self.module.text(node)
        args = [self.module.text(a) for a in call.args] + [self._argument(kw) for kw in call.keywords if kw.arg]
        return f"{_class(self.module, call)}({', '.join(args)})"

    def _argument(self, kw: ast.keyword) -> str:
        text = f"{kw.arg}={self.module.text(kw.value)}"
        keys = _setting_keys(self.module, kw.value)
        found = self.project.setting(keys, self.rel) if keys else None
        return f"{kw.arg}={found[0]!r}" if found is not None else text

    def metrics(self) -> None:
        module, rel = self.module, self.rel
        values = []
        for call in [*module.metric_calls, *module.cv_calls]:
            _add(self.facts.metrics, last(call.method or call.name or "score"), rel, call.line)
            # what a score is made of: not a curve (it picks a threshold) nor cross_val_predict's predictions
            if call.val is not None and not (call.short or "").endswith("_curve") and call.short != "cross_val_predict":
                values.append(call.val)
        if not values:
            return
        computed = self.computed = module.flow.downstream(values)
        for call in module.calls:
            writes = call.is_(*_METRIC_WRITES) or call.method in ("write_text", "log_metrics", "log_metric", "to_json",
                                                                  "to_csv", "dump")
            if not writes:
                continue
            args = [a for a in [*call.args, *call.kwargs.values()] if a is not None]
            if any(id(anc) in computed for a in args for anc in module.flow.ancestors(a, values=True)):
                _add(self.facts.metrics_saved, module.text(call.node.func) + "(...)", rel, call.line)

    def artifacts(self, chosen: list[Fit]) -> None:
        from wicked_data.checks.analysis.kept import holds, kept
        from wicked_data.checks.analysis.lineage import path_of

        module, rel = self.module, self.rel
        keeps = kept(module)
        network = _saved_network(self.project, rel, module)
        for save in keeps.saves:
            values = [a for a in [*save.args, *save.kwargs.values(), save.receiver] if a is not None]
            if any(keeps.is_saved(fit) for fit in chosen) and network is None \
                    and not any(holds(module, v, fit) for v in values for fit in chosen):
                continue
            path = path_of(module, save, 1 if save.method is None else 0)
            position = 1 if save.method is None else 0
            arg = save.node.args[position] if len(save.node.args) > position else save.node
            bound = module.flow.val_at(arg) if isinstance(arg, ast.Name) else None
            written = module.text(bound.node if bound is not None and isinstance(bound.node, ast.expr)
                                  and not isinstance(bound.node, ast.Name) else arg)
            _add(self.facts.artifacts, path if path and PurePosixPath(path).suffix else written, rel, save.line)
            bundle = self._bundle(save)
            if bundle is not None:
                for key, value in zip(bundle.keys, bundle.values):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        _add(self.facts.artifact_contents, key.value, rel, key.lineno, note=module.text(value))
                        made = self._made_of(value)
                        if made & {"clock", "library version", "digest"}:
                            _add(self.facts.version, key.value, rel, key.lineno, note=module.text(value))
                        if "metric" in made:
                            _add(self.facts.metrics_saved, f"the artifact's `{key.value}`", rel, key.lineno)

    def _made_of(self, value: ast.AST) -> set[str]:
        """What a value saved with the model is computed from, by data flow: the clock (a training
        time, a run id), a library's `__version__`, a digest, the metric calls' results."""
        module, out = self.module, set()
        vals = [module.flow.val_at(n) for n in ast.walk(value) if isinstance(n, (ast.Name, ast.Call, ast.Subscript))]
        for val in vals:
            for anc in module.flow.ancestors(val, values=True):
                if anc.flags & NOW:
                    out.add("clock")
                if id(anc) in self.computed:
                    out.add("metric")
                if anc.call is not None and (anc.call.qualname or "").startswith(("hashlib.", "uuid.")):
                    out.add("digest")
        if any(isinstance(n, ast.Attribute) and n.attr == "__version__" for n in ast.walk(value)):
            out.add("library version")
        return out

    def _bundle(self, save) -> ast.Dict | None:
        node = save.node.args[0] if save.method is None and save.node.args else None
        if isinstance(node, ast.Name):
            val = self.module.flow.val_at(node)
            node = val.node if val is not None else None
        return node if isinstance(node, ast.Dict) else None


# ---------------------------------------------------------------------- helpers
_COPIES = {"sklearn.base.clone", "copy.deepcopy", "copy.copy"}
_SAME_VALUES = {"astype", "copy", "to_numpy", "ravel", "reshape", "squeeze", "flatten", "values", "to_list", "tolist",
                "fillna", "map", "eq", "ne", "gt", "lt", "ge", "le", "clip", "to_pandas", "strip", "lower", "upper",
                "replace", "apply"}
# Functions whose result is the label's values (on another scale for the logs and roots)
_PASSTHROUGH = {"numpy.asarray", "numpy.array", "numpy.ravel", "torch.tensor", "torch.from_numpy", "torch.as_tensor",
                "numpy.log1p", "numpy.log", "numpy.sqrt", "numpy.log10", "numpy.log2"}
_METRIC_WRITES = ("json.dump", "mlflow.log_metrics", "mlflow.log_metric", "wandb.log", "yaml.safe_dump", "yaml.dump")

def _y_node(fit: Fit) -> ast.AST | None:
    """The label expression handed to a fit (`model.fit(X, y)`, `fit(X, y=...)`)."""
    call = fit.call.node
    if fit.call.method in ("fit", "fit_transform") and len(call.args) >= 2:
        return call.args[1]
    for kw in call.keywords:
        if kw.arg in ("y", "label", "labels", "target"):
            return kw.value
    return fit.y.node if fit.y is not None and isinstance(fit.y.node, ast.expr) else None


def _first_line(module: ModuleAnalysis, column: str) -> int:
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Constant) and node.value == column:
            return node.lineno
    return 1


def _class(module: ModuleAnalysis, call: ast.Call) -> str:
    """The class a call constructs, by the name it was imported under (an alias is not its name)."""
    return last(module.imports.resolve(call.func) or dotted(call.func) or "?")


def _constructor(module: ModuleAnalysis, est: Val | None, ctor: str | None, depth: int = 0) -> ast.Call | None:
    """The call that constructs an estimator value: its own node, or (through a project function
    returning it) the call of its class inside that function."""
    if est is None:
        return None
    seen, stack = set(), [est]
    while stack and len(seen) < 400:
        cur = stack.pop(0)
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        node = cur.node
        if isinstance(node, ast.Call) and cur.call is not None and cur.call.qualname and ctor \
                and cur.call.qualname == ctor:
            return node
        stack.extend(cur.parents)
    node = est.node
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and ctor and depth < 3:
        fn = module.flow.functions.get(node.func.id)  # a factory of this file called again: what it returns
        for returned in (fn.returns if fn is not None else ()):
            if returned is not est:
                found = _constructor(module, returned, ctor, depth + 1)
                if found is not None:
                    return found
    return node if isinstance(node, ast.Call) and ctor is None else None


def _last_step(call: ast.Call) -> ast.AST | None:
    """`Pipeline([..., ("model", est)])` -> est; `make_pipeline(a, b, est)` -> est; Spark's
    `Pipeline(stages=[a, b, est])` -> est."""
    steps = call.args[0] if call.args else next((kw.value for kw in call.keywords if kw.arg in ("steps", "stages")), None)
    if isinstance(steps, (ast.List, ast.Tuple)) and steps.elts:
        step = steps.elts[-1]
        if isinstance(step, ast.Tuple):
            return step.elts[1] if len(step.elts) >= 2 else None
        return step
    return call.args[-1] if call.args else None


def _steps_note(module: ModuleAnalysis, call: ast.Call) -> str:
    steps = call.args[0] if call.args else None
    if isinstance(steps, (ast.List, ast.Tuple)):
        names = [s.elts[0].value for s in steps.elts if isinstance(s, ast.Tuple) and s.elts
                 and isinstance(s.elts[0], ast.Constant) and isinstance(s.elts[0].value, str)]
        if names:
            return "steps " + " -> ".join(names)
    return ""


def _wrapped(call: ast.Call) -> ast.AST | None:
    for kw in call.keywords:
        if kw.arg in ("estimator", "base_estimator", "regressor", "classifier"):
            return kw.value
    return call.args[0] if call.args else None


def _task_of(name: str) -> bool | None:
    if vocab.is_classifier(name):
        return True
    if vocab.is_regressor(name):
        return False
    return None


def _local_list(module: ModuleAnalysis, node: ast.AST) -> list[str] | None:
    if isinstance(node, ast.Name):
        val = module.flow.val_at(node)
        if val is not None and isinstance(val.node, (ast.List, ast.Tuple)):
            return str_list(val.node) or None
        for stmt in ast.walk(module.tree):
            if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == node.id for t in stmt.targets) \
                    and isinstance(stmt.value, (ast.List, ast.Tuple)):
                return str_list(stmt.value) or None
    return None


def _loop_columns(fn: ast.AST, frame: str, known: dict[str, list[str]]) -> list[str]:
    """Columns a function adds to `frame` in a loop over a known list: `for c in CATEGORICAL:
    X[f"{c}_te"] = ...` gives one name per item."""
    out = []
    for loop in ast.walk(fn):
        if not (isinstance(loop, ast.For) and isinstance(loop.target, ast.Name)):
            continue
        items = names_list(loop.iter, known)
        if not items:
            continue
        for stmt in ast.walk(loop):
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Subscript) \
                    and isinstance(stmt.targets[0].value, ast.Name) and stmt.targets[0].value.id == frame \
                    and isinstance(stmt.targets[0].slice, ast.JoinedStr):
                for item in items:
                    out.append(_format(stmt.targets[0].slice, loop.target.id, item))
    return out


def _format(node: ast.JoinedStr, name: str, value: str) -> str:
    parts = []
    for part in node.values:
        if isinstance(part, ast.Constant):
            parts.append(str(part.value))
        elif isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Name) and part.value.id == name:
            parts.append(value)
        else:
            parts.append("?")
    return "".join(parts)


def _binding_loop(tree: ast.AST, name: str, inside: ast.AST) -> ast.For | None:
    for loop in ast.walk(tree):
        if isinstance(loop, ast.For) and any(n is inside for n in ast.walk(loop)):
            targets = [loop.target] if isinstance(loop.target, ast.Name) else list(getattr(loop.target, "elts", []))
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return loop
    return None


def _item_label(cls: ast.ClassDef) -> str | None:
    """The attribute `__getitem__` returns second: `return self.x[i], self.y[i]` -> "y"."""
    for fn in cls.body:
        if isinstance(fn, ast.FunctionDef) and fn.name == "__getitem__":
            for ret in ast.walk(fn):
                if isinstance(ret, ast.Return) and isinstance(ret.value, ast.Tuple) and len(ret.value.elts) == 2:
                    second = ret.value.elts[1]
                    while isinstance(second, ast.Subscript):
                        second = second.value
                    if isinstance(second, ast.Attribute) and isinstance(second.value, ast.Name) \
                            and second.value.id == "self":
                        return second.attr
    return None


def _setting_keys(module: ModuleAnalysis, node: ast.AST) -> list[str] | None:
    """The key path a value reads from a loaded configuration: `cfg["model"]["C"]` -> ["model", "C"],
    through names (`cfg = settings["training"]`), `dict(...)` copies and a function's parameter
    when every call in the file passes the same configuration."""
    return _keys(module, node) or None


def _keys(module: ModuleAnalysis, node: ast.AST | None, depth: int = 0) -> list[str] | None:
    from wicked_data.checks.analysis.project import CONFIG_LOADS

    if depth > 6 or node is None:
        return None
    keys: list[str] = []
    while True:
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            keys.insert(0, node.slice.value)
            node = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            keys.insert(0, node.args[0].value)
            node = node.func.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" and len(node.args) == 1:
            node = node.args[0]
        else:
            break
    if not isinstance(node, ast.Name):
        return None
    val = module.flow.val_at(node)
    origin = val.node if val is not None else None
    if isinstance(origin, ast.Call) and (module.imports.resolve(origin.func) or "") in CONFIG_LOADS:
        return keys
    if isinstance(origin, (ast.Subscript, ast.Call, ast.Name)) and origin is not node:
        head = _keys(module, origin, depth + 1)
        return head + keys if head is not None else None
    if isinstance(origin, ast.arg):
        found = None
        for arg in _passed(module, origin) or ():
            head = _keys(module, arg, depth + 1)
            if head is None or found is not None and head != found:
                return None
            found = head
        return found + keys if found is not None else None
    return None


def _passed(module: ModuleAnalysis, origin: ast.AST | None) -> list[ast.AST] | None:
    """The arguments every call of this file passes to a function's parameter `origin` (None when
    `origin` is no parameter of the file's functions)."""
    if not isinstance(origin, ast.arg):
        return None
    fn = next((f for f in module.flow.functions.values() if origin in getattr(f.node, "args", ast.arguments()).args), None)
    if fn is None:
        return None
    position = fn.node.args.args.index(origin)
    return [call.node.args[position] for call in module.calls if call.callee is fn and position < len(call.node.args)]


def _add(group: list[Fact], value: str, rel: str, line: int, note: str = "") -> None:
    if not any(f.value == value and f.file == rel for f in group):
        group.append(Fact(value=value, file=rel, line=line, note=note))


_LIBRARIES = {"sklearn", "xgboost", "lightgbm", "catboost", "torch", "tensorflow", "keras", "statsmodels", "pandas",
              "numpy", "imblearn"}
