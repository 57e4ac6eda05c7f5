"""Evidence of good practice in the evaluation: cross-validation, baselines, threshold analysis,
class-imbalance handling, persisted metrics, feature importance and seeds (a mixin of
`EvaluationFacts`)."""
from __future__ import annotations

import ast
from functools import cached_property
from typing import TYPE_CHECKING

from wicked_data.checks.analysis import libraries, vocab
from wicked_data.checks.analysis.evaluation_base import (
    _DUMP_CALLS,
    _PERSIST_CALLS,
    APPLY_METHODS,
    BASELINE_WORDS,
    CHANCE_METRICS,
    CHANCE_STRINGS,
    CLASSIFICATION_LOSSES,
    DEEP_LEARNING,
    DUMMY_CLASSES,
    EVALUATOR_DEFAULTS,
    IMBALANCE_TOOLS,
    IMPORTANCE_ATTRS,
    IMPORTANCE_CALLS,
    IMPORTANCE_LIBS,
    IMPORTANCE_METHODS,
    LOG_METHODS,
    LOGGING_MODULES,
    MEAN_REFERENCED,
    MEAN_STRINGS,
    METRIC_KWARGS,
    METRIC_WORDS,
    NETWORK_ATTRS,
    NUMPY_SEEDS,
    PERSIST_CALLBACKS,
    PERSIST_METHODS,
    PROBABILITY_METHODS,
    REPORT_FUNCS,
    ROUND_NAMES,
    SEED_HELPERS,
    THRESHOLD_TOOLS,
    TORCH_SEEDS,
    WEIGHT_KWARGS,
    WRITE_METHODS,
    _is_none,
    _named_as_metric,
    _number,
    _rounds_to_digits,
)
from wicked_data.checks.analysis.flowtypes import REBALANCED, RESAMPLED, CallSite, Val, shape_key
from wicked_data.checks.analysis.names import last
from wicked_data.checks.analysis.syntax import syntax

if TYPE_CHECKING:
    from wicked_data.checks.analysis.evaluation import Evaluation



class PracticeFacts:
    """What the module does beyond computing a metric (reads the facts of `EvaluationFacts`)."""

    # ------------------------------------------------------------------ evidence of good practice
    @cached_property
    def cross_validation(self) -> list[CallSite]:
        out = []
        for call in self.module.calls:
            short = call.short
            if call.method is None and short in vocab.SPLITTER_CLASSES and _single_split(call):
                continue  # `StratifiedShuffleSplit(n_splits=1)` draws one hold-out split, not folds
            if (call.method is None and (short in vocab.CV_FUNCS or short in vocab.SPLITTER_CLASSES - {"PredefinedSplit"}))\
                    or call.is_(*vocab.NATIVE_CV_FUNCS) or (call.kwarg_node("cv") is not None and call.method != "fit"):
                out.append(call)
        return out

    @cached_property
    def folds_by_hand(self) -> list[ast.AST]:
        """Cuts of the rows by position made again on each pass of a loop, with bounds that move
        with it (`for i in range(k): end = size * (i + 1); fit, check = X[:end], X[end:end + size]`):
        a hand-written rolling-origin (walk-forward) cross-validation."""
        syn = syntax(self.module)
        out = []
        for split in self.module.splits:
            if split.kind != "slice":
                continue
            loop = next((a for a in syn.ancestors(split.node) if isinstance(a, (ast.For, ast.AsyncFor, ast.While))
                         or isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))), None)
            if not isinstance(loop, (ast.For, ast.AsyncFor, ast.While)):
                continue
            moving = {n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)} if not isinstance(loop, ast.While) else set()
            for stmt in ast.walk(loop):
                if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                    for target in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]):
                        moving |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
            key = split.node.slice if isinstance(split.node, ast.Subscript) else None
            if isinstance(key, ast.Tuple) and key.elts:
                key = key.elts[0]
            if isinstance(key, ast.Slice) and any(isinstance(n, ast.Name) and n.id in moving for n in ast.walk(key)):
                out.append(split.node)
        return out

    @property
    def cross_validates(self) -> bool:
        """Something scores several folds: a cross-validation call, a K-fold splitter, or folds cut by hand."""
        return bool(self.cross_validation or self.folds_by_hand)

    @cached_property
    def model_outputs(self) -> set[int]:
        """Ids of Vals produced by applying a model: `predict*`, `score`, or calling a network `net(x)`."""
        bound = {name for name, _ in self.flow.bindings} | {p for f in self.flow.functions.values() for p in f.params}
        out = set()
        for call in self.module.calls:
            if call.val is None:
                continue
            if call.method in APPLY_METHODS - {"transform", "inverse_transform"} or call.method in NETWORK_ATTRS or (
                    call.method is None and call.qualname is None and call.callee is None
                    and isinstance(call.node.func, ast.Name) and call.node.func.id in bound):
                out.add(id(call.val))
        return out

    def from_model(self, val: Val | None) -> bool:
        return any(id(a) in self.model_outputs for a in self.flow.ancestors(val))

    @cached_property
    def baselines(self) -> list[ast.AST]:
        """A dummy estimator, a score stored under a baseline's key (`{"baseline_auc": ...}`), or a
        metric of predictions no model made: a rule on the held-out rows, or the same truth scored
        against a model and against a model-free guess."""
        out = [c.node for c in self.module.calls if c.short in DUMMY_CLASSES]
        scores = {id(e.call.val) for e in self.evaluations}
        out += [e.value.node for e in self.flow.dict_entries if e.value is not None and id(e.value) in scores
                and any(w in e.key.lower() for w in BASELINE_WORDS)]
        for ev in self.evaluations:
            # (a call of the module's own function, `accuracy(model, test_loader)`, is not a metric's
            # `(truth, guess)` pair: the model is scored inside it)
            if ev.call.method is None and ev.call.callee is None and len(ev.call.args) >= 2 and (
                    self._rule_prediction(ev.call.args[1]) or self._compared_without_model(ev)):
                out.append(ev.call.node)
            elif ev.call.receiver is not None and any(
                    c in self._weightless_models for a in self.flow.ancestors(ev.call.receiver) for c in a.ctors):
                out.append(ev.call.node)  # a rule written as a model class: `LastValue().evaluate(window)`
        return out

    @cached_property
    def _weightless_models(self) -> set[str]:
        """The module's network classes that learn nothing: their `call`/`forward` builds its output
        from the inputs alone (`return inputs[:, -1:, :]`), with no layer or parameter of their own.
        Scored beside a trained network, such a model is a baseline."""
        out = set()
        for node in ast.walk(self.module.tree):
            if not isinstance(node, ast.ClassDef) or not node.bases:
                continue
            if not any((self.module.imports.resolve(b) or "") in libraries.names("network_base") for b in node.bases):
                continue  # (a network class by its library base, not by a word in its name)
            methods = {m.name: m for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))}
            forward = methods.get("call") or methods.get("forward")
            if forward is None:
                continue
            # a layer applied (`self.dense(x)`), or anything built in `__init__` but `super().__init__()`
            applies_layer = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                                and isinstance(n.func.value, ast.Name) and n.func.value.id == "self"
                                for n in ast.walk(forward))
            init = methods.get("__init__")
            builds = init is not None and any(
                isinstance(n, ast.Call) and not (isinstance(n.func, ast.Attribute) and n.func.attr == "__init__")
                and not (isinstance(n.func, ast.Name) and n.func.id == "super") for n in ast.walk(init))
            if not applies_layer and not builds:
                out.add(node.name)
        return out

    @cached_property
    def named_baselines(self) -> list[ast.AST]:
        """Name evidence only: a score kept in a variable named like a baseline (`naive_mae = ...`),
        or a metric of values so named."""
        scores = {id(e.call.val) for e in self.evaluations}
        out = [val.node for name, val in self.flow.bindings if val is not None and id(val) in scores
               and any(w in name.lower() for w in BASELINE_WORDS)]
        for ev in self.evaluations:
            names = {(a.name or "").lower() for v in ev.inputs for a in self.flow.ancestors(v)}
            # the model scored: `baseline_last.evaluate(window)`, an instance of a class `Baseline(...)`
            model = ev.call.receiver
            names |= {n.lower() for a in self.flow.ancestors(model) for n in (a.name or "", a.ctor or "", *a.ctors)} \
                if model is not None else set()
            if any(w in n for n in names for w in BASELINE_WORDS):
                out.append(ev.call.node)
        return out

    @cached_property
    def mean_referenced(self) -> list[ast.AST]:
        """Scores that compare the model with the mean predictor: R2 and its kin, a regressor's
        `.score()`, a search or evaluator set to one by string (`scoring="r2"`, `metricName="r2"`)."""
        out = [e.call.node for e in self.evaluations
               if e.metric in MEAN_REFERENCED or (e.metric == "score" and e.kind == "regression")]
        # Spark's regression summary: `model.evaluate(test_df).r2`
        evaluated = {id(c.val) for c in self.module.method_calls("evaluate") if c.val is not None}
        for node in syntax(self.module).nodes:
            if isinstance(node, ast.Attribute) and node.attr in ("r2", "r2adj", "explainedVariance"):
                val = self.flow.val_at(node.value)
                if val is not None and any(id(a) in evaluated for a in self.flow.ancestors(val)):
                    out.append(node)
        return out + self._referenced_strings(MEAN_STRINGS)

    @cached_property
    def chance_referenced(self) -> list[ast.AST]:
        """Scores with a known chance level: ROC AUC, MCC, kappa, balanced accuracy, by call or by
        string (`scoring="roc_auc"`, Spark's BinaryClassificationEvaluator, areaUnderROC by default)."""
        return [e.call.node for e in self.evaluations if e.metric in CHANCE_METRICS] + \
            self._referenced_strings(CHANCE_STRINGS)

    def _referenced_strings(self, strings: set[str]) -> list[ast.AST]:
        out = [node for node, text in self._keyword_strings(METRIC_KWARGS) if text.lower() in strings]
        for call in self.module.calls:
            default = EVALUATOR_DEFAULTS.get(call.short or "")
            if default in strings and not any(kw.arg == "metricName" for kw in call.node.keywords):
                out.append(call.node)
        return out

    def _compared_without_model(self, ev: Evaluation) -> bool:
        """The same truth is scored against a model's predictions and, here, against predictions no
        model made (`mae(y, model.predict(X))` beside `mae(y, y.shift(1))`): a baseline."""
        guess = ev.call.args[1]
        if guess is None or self.from_model(guess) or not ev.call.node.args:
            return False
        return shape_key(ev.call.node.args[0]) in self._truths_scored_against_models

    @cached_property
    def _truths_scored_against_models(self) -> set[tuple]:
        """The truth expressions (by structure) of metrics computed on a model's predictions."""
        return {shape_key(e.call.node.args[0]) for e in self.evaluations
                if e.call.method is None and len(e.call.args) >= 2 and e.call.node.args
                and self.from_model(e.call.args[1])}

    def _rule_prediction(self, val: Val | None) -> bool:
        """Predictions made from the held-out rows without a model: a rule on a column, a constant."""
        return val is not None and not self.from_model(val) and bool(self.row_roles(val) & {"test", "validation"})

    @cached_property
    def probability_compares(self) -> list[tuple[ast.Compare, float | None]]:
        """`score > t` comparisons of a model's output, with the constant threshold (None when the
        threshold is a variable)."""
        out = []
        for node in self.flow.compares:
            if len(node.ops) != 1 \
                    or not isinstance(node.ops[0], (ast.Gt, ast.GtE, ast.Lt, ast.LtE)):
                continue
            left, right = node.left, node.comparators[0]
            if any(_named_as_metric(side) for side in (left, right)):
                continue  # `test_acc > best_acc`: comparing scores of models, not cutting a probability
            for side, other in ((left, right), (right, left)):
                if self._is_probability(side, node.lineno):
                    constant = _number(other)
                    if constant is not None or not _number(side):
                        out.append((node, constant))
                    break
        return out

    def _is_probability(self, expr: ast.AST, line: int) -> bool:
        """Does the expression hold a model's scores (predict_proba, a sigmoid, a network's output)?"""
        while isinstance(expr, (ast.Subscript, ast.Attribute)) and not isinstance(expr, ast.Call):
            expr = expr.value
        vals: list[Val] = []
        if isinstance(expr, ast.Call):
            call = self.flow.call_at(expr)
            vals = [call.val] if call is not None and call.val is not None else []
        elif isinstance(expr, ast.Name):
            here = self.flow.val_at(expr)  # the value read at this very place
            if here is not None:
                vals = [here]
            else:
                vals = [v for v in self.flow.bindings_by_name.get(expr.id, []) if v.line <= line]
                vals = vals[-1:] if vals else []
        for val in vals:
            for anc in self.flow.ancestors(val):
                call = anc.call
                if call is None:
                    continue
                if call.method in PROBABILITY_METHODS or call.short in PROBABILITY_METHODS:
                    return True
                if id(anc) in self.model_outputs and (call.method != "predict" or self.predicts_scores(call)):
                    return True
        return False

    def predicts_scores(self, call: CallSite) -> bool:
        """Does this `predict()` return scores rather than labels (a Keras network, a native booster)?"""
        receiver = call.receiver
        if receiver is None:
            return True
        classes = self.estimator_classes(receiver)
        if classes & {"Sequential", "Model", "Functional", "Booster"}:  # xgb.Booster().predict gives scores
            return True
        for anc in self.flow.ancestors(receiver):
            if anc.call is not None and (anc.call.is_(*vocab.NATIVE_TRAIN_FUNCS) or
                                         (anc.call.qualname or "").startswith(("keras.", "tensorflow."))):
                return True
        return False

    @cached_property
    def default_thresholds(self) -> list[ast.AST]:
        """`proba > 0.5` and `round(sigmoid(x))`: model scores cut at the default 0.5."""
        out: list[ast.AST] = [node for node, t in self.probability_compares
                              if t == 0.5 or (t == 0 and self.is_margin(node))]
        for call in self.module.calls:
            if call.method in ROUND_NAMES or (call.method is None and call.short in ROUND_NAMES):
                if _rounds_to_digits(call):
                    continue  # `round(p, 4)` formats a probability, it does not decide
                data = call.receiver if call.method else call.arg(0)
                if data is not None and any(
                        a.call is not None and (a.call.method in PROBABILITY_METHODS or last(a.call.name) in PROBABILITY_METHODS
                                                or (id(a) in self.model_outputs and self.predicts_scores(a.call)))
                        for a in self.flow.ancestors(data)):
                    out.append(call.node)
        return out

    @cached_property
    def threshold_analysis(self) -> list[ast.AST]:
        """A curve or a tuned/fixed threshold, or scores cut at a threshold other than 0.5."""
        out = [c.node for c in self.module.calls if c.short in THRESHOLD_TOOLS]
        out += [node for node, t in self.probability_compares
                if t != 0.5 and not (t == 0 and self.is_margin(node))]
        return out

    def is_margin(self, node: ast.Compare) -> bool:
        """A side of the comparison is a `decision_function` margin, whose 0 is `predict()`'s cut."""
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr == "decision_function":
                return True
            if isinstance(sub, ast.Name):
                val = self.flow.val_at(sub)
                for n, anc in enumerate(self.flow.ancestors(val) if val is not None else ()):
                    if n > 20:
                        break
                    if anc.call is not None and anc.call.method == "decision_function":
                        return True
        return False

    @cached_property
    def imbalance_handling(self) -> list[ast.AST]:
        """Class or sample weights, resampling, balanced ensembles, threshold tuning."""
        out = []
        for call in self.module.calls:
            if call.short in IMBALANCE_TOOLS or call.is_("sklearn.utils.resample"):
                out.append(call.node)
            for kw in call.node.keywords:
                if kw.arg in WEIGHT_KWARGS and not _is_none(kw.value) \
                        or (kw.arg == "weight" and (call.short in CLASSIFICATION_LOSSES | vocab.DATASET_CLASSES)):
                    out.append(call.node)
        out += [e.node for e in self.flow.dict_entries if e.key in WEIGHT_KWARGS and not _is_none(e.node)]
        # rows evened out by hand before the fit: a class sampled down, or a minority repeated
        out += [fit.call.node for fit in self.module.model_fits if self.rebalanced(fit.y) or self.rebalanced(fit.X)]
        return out + self.threshold_analysis

    def rebalanced(self, val: Val | None, flags: int = REBALANCED | RESAMPLED) -> bool:
        """Are these rows (or the positions that chose them) derived from classes evened out by resampling
        (`flags`: by sampling a class down, by repeating a class)?"""
        for n, anc in enumerate(self.flow.ancestors(val, rows=True)):
            if n > 400:
                return False
            if anc.flags & flags:
                return True
        return False

    @cached_property
    def metric_values(self) -> list[Val]:
        return [e.call.val for e in self.evaluations if e.call.val is not None]

    def holds_metric(self, val: Val | None) -> bool:
        if val is None:
            return False
        ids = {id(v) for v in self.metric_values}
        for n, anc in enumerate(self.flow.ancestors(val)):
            if n > 400:
                break
            if id(anc) in ids or any(w in (anc.name or "").lower() for w in METRIC_WORDS):
                return True
        return False

    @cached_property
    def persisted_metrics(self) -> list[ast.AST]:
        """Metrics written somewhere that outlives the run: a tracker, a JSON/CSV file, the model bundle."""
        out = []
        for call in self.module.calls:
            short = call.short
            if call.is_in(_PERSIST_CALLS) or call.method in PERSIST_METHODS or short in PERSIST_CALLBACKS:
                out.append(call.node)
            elif (call.is_in(_DUMP_CALLS) or call.method in WRITE_METHODS) and any(
                    self.holds_metric(v) for v in [call.receiver, *call.args, *call.kwargs.values()]):
                out.append(call.node)
        return out

    @cached_property
    def metric_reports(self) -> list[CallSite]:
        """print/log calls whose message carries a computed metric."""
        ids = {id(v) for v in self.metric_values}
        out = []
        for call in self.module.calls:
            is_print = call.method is None and call.short in REPORT_FUNCS
            is_log = (call.qualname or "").startswith(LOGGING_MODULES) or (
                call.method in LOG_METHODS and call.receiver is not None and any(
                    a.call is not None and (a.call.qualname or "").startswith(LOGGING_MODULES)
                    for a in self.flow.ancestors(call.receiver)))
            if not (is_print or is_log):
                continue
            if any(id(a) in ids for v in [*call.args, *call.kwargs.values()] for a in self.flow.ancestors(v)):
                out.append(call)
        return out

    @cached_property
    def importance_analysis(self) -> list[ast.AST]:
        out = []
        for call in self.module.calls:
            short = call.short
            if short in IMPORTANCE_CALLS or call.method in IMPORTANCE_METHODS \
                    or (call.qualname or "").split(".")[0] in IMPORTANCE_LIBS:
                out.append(call.node)
        text = self.module.source.text
        if any(attr in text for attr in IMPORTANCE_ATTRS):  # else no value can read one
            out += [val.node for val in self.all_values
                    if isinstance(val.node, ast.Attribute) and val.node.attr in IMPORTANCE_ATTRS]
        return out

    @cached_property
    def all_values(self) -> list[Val]:
        """Every Val reachable from the module's calls, bindings, column writes and returns."""
        roots = [c.val for c in self.module.calls] + [v for _, v in self.flow.bindings]
        roots += [w.value for w in self.flow.column_writes] + [r for f in self.flow.functions.values() for r in f.returns]
        return self.flow.upstream(roots)

    def seeded_before(self, line: int, torch: bool = False) -> CallSite | None:
        """A global seed call (numpy, or torch for torch splitters) at or before `line`, or in a helper."""
        wanted = TORCH_SEEDS if torch else NUMPY_SEEDS
        for call in self.module.calls:
            if call.is_(*wanted) or (call.method is None and call.short in SEED_HELPERS):
                if call.line <= line or call.scope != "<module>":
                    return call
        return None

    @cached_property
    def deep_learning(self) -> bool:
        return self.module.imports.uses(*DEEP_LEARNING)


def _single_split(call: CallSite) -> bool:
    """A splitter asked for one split: `n_splits=1` (as keyword or first argument)."""
    node = call.kwarg_node("n_splits")
    if node is None and call.node.args:
        node = call.node.args[0]
    return isinstance(node, ast.Constant) and node.value == 1
