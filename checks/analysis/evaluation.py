"""Shared questions the evaluation rules (ML2xx) ask of a module.

Is the problem classification or regression, and does its target look imbalanced? Which metrics
are computed, of what kind, on which rows (train / test / validation)? And what evidence of careful
evaluation does the module hold: cross-validation, a baseline, threshold analysis, imbalance
handling, persisted metrics, feature importance, a global seed?

Built once per module (`evaluation(module)`) from the flow and module facts.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePath

from checks.analysis import vocab
from checks.analysis.flowtypes import CallSite, LITERAL, Val, role_from_name, shape_key, str_list
from checks.analysis.module import Fit, ModuleAnalysis
from checks.analysis.names import candidates, last

# ---------------------------------------------------------------------- vocabulary
# Stems of words naming a rare positive class, or a problem whose errors cost unequally.
IMBALANCE_STEMS = ("churn", "fraud", "default", "conver", "click", "ctr", "anomal", "attrition", "fail",
                   "spam", "rare", "fault", "outage", "disease", "readmi", "delinquen", "intrusion", "cancer")
# Whole words naming what such a model scores: a sales lead converts rarely.
IMBALANCE_WORDS = {"lead", "leads"}

ACCURACY_NAMES = {"accuracy_score", "Accuracy", "BinaryAccuracy", "MulticlassAccuracy", "accuracy",
                  "binary_accuracy", "SparseCategoricalAccuracy", "CategoricalAccuracy"}
ACCURACY_STRINGS = {"accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
                    "error", "binary_error", "merror", "multi_error"}
RICH_STRINGS = {s.lower() for s in vocab.RICH_METRIC_STRINGS} | {
    "roc_auc_ovr", "roc_auc_ovo", "f1_micro", "f1_samples", "precision_macro", "recall_macro",
    "map", "mlogloss", "binary_logloss", "multi_logloss", "average_precision_score", "pr-auc",
    # Spark's evaluators (metricName=...)
    "areaunderroc", "areaunderpr", "weightedprecision", "weightedrecall", "weightedfmeasure", "precisionbylabel",
    "recallbylabel", "fmeasurebylabel", "truepositiveratebylabel", "falsepositiveratebylabel"}
REGRESSION_METRICS = {
    "mean_squared_error", "mean_absolute_error", "r2_score", "root_mean_squared_error", "median_absolute_error",
    "mean_absolute_percentage_error", "explained_variance_score", "max_error", "mean_squared_log_error",
    "root_mean_squared_log_error", "mean_poisson_deviance", "mean_gamma_deviance", "mean_tweedie_deviance",
    "d2_absolute_error_score", "MeanSquaredError", "MeanAbsoluteError", "R2Score"}
REGRESSION_STRINGS = {"neg_mean_squared_error", "neg_root_mean_squared_error", "neg_mean_absolute_error", "r2",
                      "rmse", "mae", "mse", "mape", "l2", "l1", "mean_squared_error", "mean_absolute_error"}
METRIC_KWARGS = ("scoring", "metrics", "eval_metric", "metric", "refit", "metricName")
# Metrics whose value is itself a comparison with the mean predictor (R2, explained variance, D2):
# reporting one is scoring a baseline.
MEAN_REFERENCED = {"r2_score", "explained_variance_score", "d2_absolute_error_score", "d2_pinball_score",
                   "d2_tweedie_score", "R2Score"}
# Metrics with a known chance level (0.5 for ROC AUC, 0 for MCC and kappa, 1/k for balanced
# accuracy): the score can be read against chance, though not against the rule the model replaces.
CHANCE_METRICS = {"roc_auc_score", "balanced_accuracy_score", "matthews_corrcoef", "cohen_kappa_score",
                  "AUROC", "BinaryAUROC", "MulticlassAUROC"}
MEAN_STRINGS = {"r2", "explained_variance"}
CHANCE_STRINGS = {"roc_auc", "roc_auc_ovr", "roc_auc_ovo", "roc_auc_ovr_weighted", "roc_auc_ovo_weighted",
                  "auc", "balanced_accuracy", "areaunderroc", "matthews_corrcoef"}
# Spark evaluators and their default metric when no metricName is given.
EVALUATOR_DEFAULTS = {"BinaryClassificationEvaluator": "areaunderroc", "RegressionEvaluator": "rmse",
                      "MulticlassClassificationEvaluator": "f1"}
CLASSIFICATION_LOSSES = {"BCEWithLogitsLoss", "BCELoss", "CrossEntropyLoss", "NLLLoss", "BinaryCrossentropy",
                         "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "FocalLoss"}
FUNCTIONAL_LOSSES = {"binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss"}
REGRESSION_LOSSES = {"MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "MeanSquaredError", "MeanAbsoluteError"}
CLASSIFICATION_OBJECTIVES = ("binary", "multi", "cross_entropy", "crossentropy", "hinge", "multiclass",
                             "softmax", "logloss")
REGRESSION_OBJECTIVES = ("reg:", "regression", "mse", "mae", "huber", "poisson", "tweedie", "gamma",
                         "quantile", "rmse", "mean_squared", "mean_absolute")

# Methods that apply a fitted object to data: their receiver's rows are not the result's rows.
APPLY_METHODS = vocab.PREDICT_METHODS | {"transform", "score", "evaluate", "inverse_transform", "predict_classes"}
PROBABILITY_METHODS = {"predict_proba", "decision_function", "predict_log_proba", "sigmoid", "softmax", "expit"}
ROUND_NAMES = {"round", "rint", "around"}

THRESHOLD_TOOLS = {"precision_recall_curve", "roc_curve", "det_curve", "TunedThresholdClassifierCV",
                   "FixedThresholdClassifier", "PrecisionRecallDisplay", "DiscriminationThreshold"}
WEIGHT_KWARGS = {"class_weight", "class_weights", "scale_pos_weight", "is_unbalance", "pos_weight",
                 "auto_class_weights", "sample_weight", "sample_weights"}
IMBALANCE_TOOLS = (vocab.RESAMPLER_NAMES | vocab.UNDERSAMPLER_NAMES | {
    "BalancedRandomForestClassifier", "BalancedBaggingClassifier", "EasyEnsembleClassifier", "RUSBoostClassifier",
    "WeightedRandomSampler", "compute_class_weight", "compute_sample_weight", "InstanceHardnessThreshold"})

# `self.model(x)`: a network held in an attribute and called.
NETWORK_ATTRS = {"model", "net", "network", "forward", "classifier", "regressor", "backbone", "encoder"}
DUMMY_CLASSES = {"DummyClassifier", "DummyRegressor"}
BASELINE_WORDS = ("baseline", "dummy", "naive", "majority", "heuristic", "rule_based", "rulebased")

LOGGING_MODULES = ("logging.", "loguru.", "structlog.", "absl.logging")
PERSIST_CALLS = ("mlflow.log_metric", "mlflow.log_metrics", "mlflow.log_dict", "mlflow.log_text",
                 "mlflow.log_table", "wandb.log", "dvclive.Live", "neptune.init_run", "comet_ml.Experiment")
PERSIST_METHODS = {"log_metric", "log_metrics", "add_scalar", "add_scalars", "log_dict", "log_table",
                   "log_artifact", "log_hyperparams"}
PERSIST_CALLBACKS = {"CSVLogger", "TensorBoard", "WandbCallback", "MLflowCallback"}
DUMP_CALLS = ("json.dump", "json.dumps", "yaml.dump", "yaml.safe_dump", "toml.dump", "pickle.dump",
              "joblib.dump", "orjson.dumps")
_PERSIST_CALLS, _DUMP_CALLS = candidates(*PERSIST_CALLS), candidates(*DUMP_CALLS)
WRITE_METHODS = {"to_csv", "to_json", "to_parquet", "to_markdown", "to_html", "write_text", "write", "dump"}
METRIC_WORDS = ("metric", "score", "result", "report", "eval", "perf")
REPORT_FUNCS = {"print", "pprint", "display", "echo"}
LOG_METHODS = {"info", "debug", "warning", "warn", "error", "critical", "log", "exception", "write", "success"}

IMPORTANCE_CALLS = {"permutation_importance", "plot_importance", "SelectFromModel", "RFE", "RFECV",
                    "SequentialFeatureSelector", "partial_dependence", "PartialDependenceDisplay"}
IMPORTANCE_METHODS = {"get_score", "get_fscore", "feature_importance", "get_feature_importance"}
IMPORTANCE_LIBS = ("shap", "lime", "eli5", "captum", "interpret", "alibi", "dalex")
IMPORTANCE_ATTRS = {"feature_importances_", "coef_"}

NUMPY_SEEDS = ("numpy.random.seed", "keras.utils.set_random_seed", "tensorflow.keras.utils.set_random_seed")
TORCH_SEEDS = ("torch.manual_seed",)
SEED_HELPERS = {"seed_everything", "set_seed", "set_seeds", "set_random_seed", "seed_all", "fix_seed", "set_all_seeds"}

DEEP_LEARNING = ("torch", "tensorflow", "keras", "jax", "flax")


@dataclass(eq=False)
class Evaluation:
    """One metric computed on data: `f1_score(y_test, pred)`, `model.score(X, y)`, `model.evaluate(...)`."""

    call: CallSite
    metric: str  # short name: 'accuracy_score', 'score', 'evaluate', ...
    kind: str  # 'accuracy' | 'rich' | 'regression' | 'other'
    roles: frozenset[str]  # rows it is computed on ('train', 'test', 'validation'); empty when unknown
    inputs: list[Val]  # the data given to it (a model receiver excluded)

    @property
    def line(self) -> int:
        return self.call.line

    @property
    def held_out(self) -> bool:
        return bool(self.roles & {"test", "validation"})

    @property
    def on_training_rows(self) -> bool:
        return self.roles == {"train"}


class EvaluationFacts:
    def __init__(self, module: ModuleAnalysis) -> None:
        self.module = module
        self.flow = module.flow
        self._sources_memo: dict[int, set[int]] = {}

    # ------------------------------------------------------------------ estimators and tasks
    def estimator_classes(self, val: Val | None, depth: int = 6) -> frozenset[str]:
        """Short class names of an estimator, followed through helper functions that build it
        (`model = make_model()`) and parameters (`def train(model, X, y)`)."""
        while val is not None and depth > 0:
            if val.ctors:
                return frozenset(last(c) for c in val.ctors)
            call = val.call
            if call is not None and call.callee is not None and call.callee.returns:
                return frozenset().union(*(self.estimator_classes(r, depth - 1) for r in call.callee.returns))
            if call is None and len(val.parents) == 1:
                val = val.parents[0]
                depth -= 1
                continue
            return frozenset()
        return frozenset()

    def task_of_classes(self, classes: frozenset[str]) -> str | None:
        names = [c for c in classes if c not in DUMMY_CLASSES] or list(classes)
        if any(vocab.is_classifier(c) or c in CLASSIFICATION_LOSSES for c in names):
            return "classification"
        if any(vocab.is_regressor(c) or c in REGRESSION_LOSSES for c in names):
            return "regression"
        return None

    def fit_task(self, fit: Fit) -> str | None:
        """'classification' / 'regression' for one fit, else the module's task."""
        own = self.task_of_classes(self.estimator_classes(fit.estimator))
        return own or self.task

    @cached_property
    def task(self) -> str | None:
        """The module's problem: from its estimators, else its losses and objectives, else its metrics."""
        fits = {self.task_of_classes(self.estimator_classes(f.estimator)) for f in self.module.model_fits} - {None}
        if len(fits) == 1:
            return fits.pop()
        built = self.task_of_classes(frozenset(self.module.constructed))
        if built:
            return built
        objective = self._objective_task()
        if objective:
            return objective
        # metric names only: a `.score()` is classified by the task, not the other way round
        names = {_metric_name(c) for c in self.module.metric_calls}
        kinds = {k for k, _ in self.metric_strings}
        kinds |= {"accuracy"} if names & (ACCURACY_NAMES | vocab.RICH_METRICS) else set()
        kinds |= {"regression"} if names & REGRESSION_METRICS else set()
        if kinds & {"accuracy", "rich"}:
            return "classification"
        if "regression" in kinds:
            return "regression"
        return None

    def _objective_task(self) -> str | None:
        texts = [s.lower() for _, s in self._keyword_strings(("loss", "objective"))]
        for text in texts:
            if text.startswith(REGRESSION_OBJECTIVES) or text in REGRESSION_STRINGS:
                return "regression"
            if any(t in text for t in CLASSIFICATION_OBJECTIVES):
                return "classification"
        return None

    def _keyword_strings(self, keys: tuple[str, ...]) -> list[tuple[ast.AST, str]]:
        """String values given under one of `keys`, as a keyword argument or a dict entry."""
        out: list[tuple[ast.AST, str]] = []
        for call in self.module.calls:
            for kw in call.node.keywords:
                if kw.arg in keys:
                    out += [(call.node, s) for s in _strings(kw.value)]
        for entry in self.flow.dict_entries:
            if entry.key in keys:
                out += [(entry.node, s) for s in _strings(entry.node)]
        return out

    # ------------------------------------------------------------------ the target
    @cached_property
    def target_names(self) -> set[str]:
        """Target columns and the names of the label variables."""
        names = set(self.module.target_columns)
        labels: list[Val | None] = [f.y for f in self.module.model_fits]
        labels += [s.inputs[-1] for s in self.module.splits if s.kind == "function" and len(s.inputs) >= 2]
        labels += [c.kwargs.get("label") for c in self.module.calls if c.short in ("DMatrix", "Dataset", "Pool")]
        labels += [c.arg(1, "target") for c in self.module.calls if self._is_loss_call(c)]
        for val in labels:
            for n, anc in enumerate(self.flow.ancestors(val)):
                if n > 12:
                    break
                if anc.name:
                    names.add(anc.name)
                if isinstance(anc.key, str):
                    names.add(anc.key)
        return names

    def _is_loss_call(self, call: CallSite) -> bool:
        """`criterion(output, target)` with a loss object, or `F.cross_entropy(output, target)`."""
        if call.short in FUNCTIONAL_LOSSES:
            return True
        if call.method is not None or not isinstance(call.node.func, ast.Name):
            return False
        bound = self.flow.bindings_by_name.get(call.node.func.id, [])
        return any(last(v.ctor).endswith("Loss") for v in bound if v.ctor)

    @cached_property
    def imbalance(self) -> str | None:
        """Code evidence that the class balance matters, or None: the target's balance inspected
        (`value_counts`, `bincount`, `Counter`). A name is not evidence (see `rare_class_name`)."""
        for call in self.module.calls:
            if call.method in ("value_counts", "bincount") or call.short in ("bincount", "Counter"):
                data = call.receiver if call.method else call.arg(0)
                if data is not None and ((data.name or "") in self.target_names
                                         or self.module.column_of(data) in self.target_names):
                    return "the class balance inspected in the code"
        return None

    @cached_property
    def rare_class_name(self) -> str | None:
        """Name evidence only, for low-confidence findings: a target, data file, file or scored rows
        named like a rare-class problem (churn, fraud, default...). Never a fact by itself."""
        for name in sorted(self.target_names):
            if _mentions_rare_class(name):
                return f"the target '{name}'"
        for call in self.module.calls:
            if call.is_(*_READERS) or (call.spelled == "open" and "rb" in _strings(call.arg_node(1, "mode"))):
                path = call.arg_node(0)
                if isinstance(path, ast.Constant) and isinstance(path.value, str) and _mentions_rare_class(
                        PurePath(path.value).stem):
                    return f"the file '{path.value}'"
        stem = PurePath(self.module.source.rel).stem
        if _mentions_rare_class(stem):
            return f"the file name '{self.module.source.rel}'"
        if not self.target_names:
            return self._scored_rows_name()
        return None

    @cached_property
    def class_balance(self) -> tuple[str, str] | None:
        """(why the class balance matters, 'code' | 'name'), code evidence first; None when unknown."""
        if self.imbalance:
            return self.imbalance, "code"
        if self.rare_class_name:
            return self.rare_class_name, "name"
        return None

    def _scored_rows_name(self) -> str | None:
        """Serving code has no label: the names of the rows it scores (`lead_ids`, `churn_request`)
        stand in for the target."""
        for call in self.module.predictions:
            for val in [*call.args, *call.kwargs.values()]:
                for n, anc in enumerate(self.flow.ancestors(val, rows=True)):
                    if n > 40:
                        break
                    # in variable names, "default" is the programming word (`DEFAULTS`), not a loan default
                    if anc.name and _mentions_rare_class(re.sub(r"(?i)defaults?", "", anc.name)):
                        return f"the scored rows ('{anc.name}')"
        return None

    # ------------------------------------------------------------------ rows
    @cached_property
    def _output_roles(self) -> dict[int, str]:
        return {id(val): role for split in self.module.splits for val, role in split.outputs}

    def row_roles(self, val: Val | None, limit: int = 300) -> frozenset[str]:
        """The parts of a split ('train', 'test', 'validation') whose rows `val` holds: from the split
        outputs it derives from, else from the files it was read from (`pd.read_csv("test.csv")`;
        a variable's name is not read).
        A fitted model's rows are not the rows of what it is applied to, so receivers of
        `predict`/`transform`/`score` are not followed."""
        found: set[str] = set()
        seen: set[int] = set()
        stack = [val]
        while stack and len(seen) < limit:
            cur = stack.pop()
            if cur is None or id(cur) in seen:
                continue
            seen.add(id(cur))
            role = self._output_roles.get(id(cur))
            if role is None and not cur.roles:
                role = _file_role(cur)
            if role is not None:
                found.add(role)
                continue
            call = cur.call
            if call is not None and call.method in APPLY_METHODS:
                stack += [*call.args, *call.kwargs.values()]
            else:
                stack += [*cur.parents, *cur.index]
        if stack and val is not None:
            self.module.limit_reached(val.node, f"which split part's rows a value holds (over {limit} values)")
        return frozenset(found)

    # ------------------------------------------------------------------ metrics
    @cached_property
    def evaluations(self) -> list[Evaluation]:
        out = []
        calls = [*self.module.metric_calls, *self.module.method_calls("evaluate")]
        # a hand-written metric (`def f(model, loader)` counting equal labels, summing absolute errors)
        calls += [c for c in self.module.calls if c.callee is not None and self.module.hand_metric(c.callee.node)]
        for call in sorted(calls, key=lambda c: (c.line, c.node.col_offset)):
            metric = _metric_name(call)
            if metric in ("make_scorer", "get_scorer", "check_scoring"):
                continue
            if call.method in ("score", "evaluate"):
                inputs = [v for v in [*call.args, call.kwargs.get("X"), call.kwargs.get("x"), call.kwargs.get("y")]
                          if v is not None]
            else:
                inputs = [v for k, v in [*enumerate(call.args), *call.kwargs.items()]
                          if v is not None and (isinstance(k, int) or k.startswith("y") or k in ("probas_pred", "preds", "target"))]
            if not inputs and metric not in ACCURACY_NAMES | vocab.RICH_METRICS:
                continue
            roles = frozenset().union(*(self.row_roles(v) for v in inputs)) if inputs else frozenset()
            out.append(Evaluation(call, metric, self._metric_kind(call, metric), roles, inputs))
        return out

    def _metric_kind(self, call: CallSite, metric: str) -> str:
        hand = self.module.hand_metric(call.callee.node) if call.callee is not None else None
        if hand:
            return hand
        if metric in ACCURACY_NAMES:
            return "accuracy"
        if metric in vocab.RICH_METRICS:
            return "rich"
        if metric in REGRESSION_METRICS:
            return "regression"
        if metric == "score" and call.receiver is not None:
            task = self.task_of_classes(self.estimator_classes(call.receiver))
            if task == "classification" or (task is None and self.task == "classification"):
                return "accuracy"
            if task == "regression" or self.task == "regression":
                return "regression"
        return "other"

    def fitted_rows(self, ev: Evaluation) -> Fit | None:
        """The model fit whose training rows this evaluation is computed on, if any: a split's train
        part, or (with no split) the very data given to `fit`."""
        if ev.roles - {"train"}:
            return None
        # a statistic between two columns (`mutual_info_score(df.x, df.y)`) judges no model: a
        # metric function must be given a model's output; `.score`/`.evaluate` and the module's own
        # metric helpers are handed the model itself
        if ev.call.method is None and ev.call.callee is None and not any(self.from_model(v) for v in ev.inputs):
            return None
        fits = [f for f in self.module.model_fits if f.X is not None
                and not self.estimator_classes(f.estimator) & DUMMY_CLASSES]
        # (rows, is what a model was applied to): predictions must come from the fitted features,
        # the truth from the fitted features or labels
        data = []
        for v in ev.inputs:
            applied = self._applied_data(v)
            data += [(self._sources(d), applied != [v]) for d in applied]
        models = self._applying_models(ev)
        for fit in fits:
            if models and not any(self._same_model(m, fit) for m in models):
                continue  # another estimator's predictions (a calibrator fitted later on other rows)
            features = self._sources(fit.X)
            fitted = features | self._sources(fit.y)
            if ev.roles == {"train"} and self.row_roles(fit.X) == {"train"}:
                return fit
            if data and all(d and d <= (features if applied else fitted) for d, applied in data):
                return fit
        return None

    def _applying_models(self, ev: Evaluation) -> list[Val]:
        """The models whose predictions the evaluation scores (the receiver of `.score`/`.evaluate`,
        or of the `predict` calls its inputs come from); empty when unknown."""
        if ev.call.method in ("score", "evaluate") and ev.call.receiver is not None:
            return [ev.call.receiver]
        out = []
        for v in ev.inputs:
            for anc in self.flow.ancestors(v):
                call = anc.call
                if call is not None and call.method in APPLY_METHODS and call.receiver is not None:
                    out.append(call.receiver)
                    break
        return out

    def _same_model(self, model: Val, fit: Fit) -> bool:
        """Is `model` the estimator of `fit` (the same object, what `fit` returned, or derived from
        either: `search.best_estimator_`, `pipe[-1]`)?"""
        targets = {id(v) for v in (fit.estimator, fit.call.val) if v is not None}
        return not targets or any(id(a) in targets for a in self.flow.ancestors(model))

    def _sources(self, val: Val | None) -> set[int]:
        """The data a value's rows come from; a helper's parameter is only a name for its argument.
        Memoised: every evaluation asks it of every fit's data."""
        key = id(val)
        found = self._sources_memo.get(key)
        if found is None:
            found = self._sources_memo[key] = {id(a) for a in self.flow.ancestors(val, rows=True)
                                               if not a.flags & LITERAL and not isinstance(a.node, ast.arg)}
        return found

    def _applied_data(self, val: Val) -> list[Val]:
        """What a model was applied to, for a prediction (`model.predict(X)[:, 1]` -> X); else the value."""
        for anc in self.flow.ancestors(val):
            if anc.call is not None and anc.call.method in APPLY_METHODS:
                return [a for a in anc.call.args if a is not None]
        return [val]

    @cached_property
    def metric_strings(self) -> list[tuple[str, ast.AST]]:
        """Metrics named by string: `scoring='f1'`, `metrics=['accuracy']`, `eval_metric='auc'`,
        `{'metric': 'binary_logloss'}`, as ('accuracy' | 'rich' | 'regression', node)."""
        out = []
        for node, text in self._keyword_strings(METRIC_KWARGS):
            low = text.lower()
            if low in ACCURACY_STRINGS:
                out.append(("accuracy", node))
            elif low in RICH_STRINGS or any(low.startswith(p) for p in ("f1", "precision", "recall", "roc_auc", "auc")):
                out.append(("rich", node))
            elif low in REGRESSION_STRINGS:
                out.append(("regression", node))
        return out

    @cached_property
    def scorers(self) -> list[str]:
        """Metric functions wrapped by `make_scorer(f1_score)`."""
        return [last(_dotted_name(c.arg_node(0))) for c in self.module.calls if c.short == "make_scorer"]

    @cached_property
    def rich_metrics(self) -> list[ast.AST]:
        """Evidence that a classifier is judged beyond accuracy."""
        out = [e.call.node for e in self.evaluations if e.kind == "rich"]
        out += [node for kind, node in self.metric_strings if kind == "rich"]
        out += [c.node for c in self.module.calls if c.short in vocab.RICH_METRICS and c.method is None]
        out += self._referenced_strings({"areaunderroc"})  # Spark's binary evaluator by default
        if any(s in vocab.RICH_METRICS for s in self.scorers):
            out.append(self.module.tree)
        return out

    @cached_property
    def accuracy_metrics(self) -> list[tuple[ast.AST, Evaluation | None]]:
        """Places where a classifier is judged by accuracy: metric calls and named metrics."""
        out: list[tuple[ast.AST, Evaluation | None]] = [(e.call.node, e) for e in self.evaluations if e.kind == "accuracy"]
        out += [(node, None) for kind, node in self.metric_strings if kind == "accuracy"]
        return sorted(out, key=lambda t: getattr(t[0], "lineno", 0))

    # ------------------------------------------------------------------ evidence of good practice
    @cached_property
    def cross_validation(self) -> list[CallSite]:
        out = []
        for call in self.module.calls:
            short = call.short
            if (call.method is None and (short in vocab.CV_FUNCS or short in vocab.SPLITTER_CLASSES - {"PredefinedSplit"}))\
                    or call.is_(*vocab.NATIVE_CV_FUNCS) or (call.kwarg_node("cv") is not None and call.method != "fit"):
                out.append(call)
        return out

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
            if ev.call.method is None and len(ev.call.args) >= 2 and (
                    self._rule_prediction(ev.call.args[1]) or self._compared_without_model(ev)):
                out.append(ev.call.node)
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
            if any(w in n for n in names for w in BASELINE_WORDS):
                out.append(ev.call.node)
        return out

    @cached_property
    def mean_referenced(self) -> list[ast.AST]:
        """Scores that compare the model with the mean predictor: R2 and its kin, a regressor's
        `.score()`, a search or evaluator set to one by string (`scoring="r2"`, `metricName="r2"`)."""
        out = [e.call.node for e in self.evaluations
               if e.metric in MEAN_REFERENCED or (e.metric == "score" and e.kind == "regression")]
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
        out: list[ast.AST] = [node for node, t in self.probability_compares if t == 0.5]
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
        out += [node for node, t in self.probability_compares if t != 0.5]
        return out

    @cached_property
    def imbalance_handling(self) -> list[ast.AST]:
        """Class or sample weights, resampling, balanced ensembles, threshold tuning."""
        out = []
        for call in self.module.calls:
            if call.short in IMBALANCE_TOOLS or call.is_("sklearn.utils.resample"):
                out.append(call.node)
            for kw in call.node.keywords:
                if kw.arg in WEIGHT_KWARGS and not _is_none(kw.value) \
                        or (kw.arg == "weight" and (call.short in CLASSIFICATION_LOSSES | {"DMatrix", "Dataset", "Pool"})):
                    out.append(call.node)
        out += [e.node for e in self.flow.dict_entries if e.key in WEIGHT_KWARGS and not _is_none(e.node)]
        return out + self.threshold_analysis

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
        seen: set[int] = set()
        out = []
        stack = [r for r in roots if r is not None]
        while stack:
            cur = stack.pop()
            if id(cur) in seen:
                continue
            seen.add(id(cur))
            out.append(cur)
            stack += [*cur.parents, *cur.index, *cur.kw]
        return out

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


def evaluation(module: ModuleAnalysis) -> EvaluationFacts:
    """The evaluation facts of a module, computed once."""
    return module.shared(EvaluationFacts)


# ---------------------------------------------------------------------- helpers
_METRIC_NAME = re.compile(r"(^|_)(acc|accuracy|auc|f1|score|loss|metric|precision|recall|best|mae|rmse|mse|ap)(_|$)", re.I)


def _named_as_metric(node: ast.AST) -> bool:
    """A variable or attribute named as a metric (`test_acc`, `best_auc`, `val_loss`)."""
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return bool(name) and bool(_METRIC_NAME.search(name))


_READERS = tuple(f for f in ("pandas.read_csv", "pandas.read_parquet", "pandas.read_excel", "pandas.read_json",
                             "pandas.read_feather", "pandas.read_table", "polars.read_csv", "joblib.load"))
_READER_CANDIDATES = candidates(*_READERS)
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def _rounds_to_digits(call: CallSite) -> bool:
    """`round(p, 4)`, `np.round(p, decimals=2)`, `p.round(3)`: keeps decimals, so not a 0.5 cut."""
    digits = call.arg_node(0 if call.method else 1, "ndigits") or call.kwarg_node("decimals")
    return digits is not None and not (isinstance(digits, ast.Constant) and digits.value == 0)


def _file_role(val: Val) -> str | None:
    """The role a data file's name gives the rows read from it: `test.csv`, `train_2023.parquet`."""
    call = val.call
    if call is None or not call.is_in(_READER_CANDIDATES):
        return None
    path = call.arg_node(0)
    if not (isinstance(path, ast.Constant) and isinstance(path.value, str)):
        return None
    return role_from_name(PurePath(path.value).stem)


def _mentions_rare_class(name: str) -> bool:
    words = [w.lower() for w in _WORD.findall(name)]
    return any(w in IMBALANCE_WORDS or (w.startswith(IMBALANCE_STEMS) if len(w) > 3 else w == "ctr") for w in words)


def _metric_name(call: CallSite) -> str:
    if call.method is not None:
        return call.method
    parts = (call.name or "").split(".")
    for part in parts:
        if part in vocab.RICH_METRICS or part in ACCURACY_NAMES or part in REGRESSION_METRICS:
            return part
    return parts[-1]


def _strings(node: ast.AST | None) -> list[str]:
    """Constant strings of a string, a list/tuple of strings (other items skipped) or a dict's values."""
    if node is None:
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [s for e in node.elts for s in _strings(e) if not isinstance(e, (ast.List, ast.Tuple))]
    if isinstance(node, ast.Dict):
        return [s for v in node.values for s in _strings(v)]
    return str_list(node) or []


def _dotted_name(node: ast.AST | None) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _number(node: ast.AST) -> float | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    return None


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in (None, False)
