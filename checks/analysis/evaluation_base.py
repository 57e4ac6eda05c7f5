"""The evaluation facts' vocabulary (metrics, losses, objectives, thresholds, class-balance and
persistence tools) and the small syntax helpers its parts share."""
from __future__ import annotations

import ast
import re
from pathlib import PurePath

from wicked_data.checks.analysis import vocab
from wicked_data.checks.analysis.flowtypes import CallSite, Val, role_from_name, str_list
from wicked_data.checks.analysis.names import candidates

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
PROBABILITY_METHODS = {"predict_proba", "decision_function", "predict_log_proba"} | vocab.PROBABILITY_FUNCS
ROUND_NAMES = {"round", "rint", "around"}

THRESHOLD_TOOLS = {"precision_recall_curve", "roc_curve", "det_curve", "TunedThresholdClassifierCV",
                   "FixedThresholdClassifier", "PrecisionRecallDisplay", "DiscriminationThreshold"}
# the estimators that take `class_weight=` (scikit-learn's and LightGBM's sklearn API)
CLASS_WEIGHTED = frozenset({
    "LogisticRegression", "LogisticRegressionCV", "RandomForestClassifier", "ExtraTreesClassifier",
    "DecisionTreeClassifier", "ExtraTreeClassifier", "SVC", "NuSVC", "LinearSVC", "RidgeClassifier",
    "RidgeClassifierCV", "SGDClassifier", "Perceptron", "PassiveAggressiveClassifier", "LGBMClassifier",
    "HistGradientBoostingClassifier"})
WEIGHT_KWARGS = {"class_weight", "class_weights", "scale_pos_weight", "is_unbalance", "pos_weight",
                 "auto_class_weights", "sample_weight", "sample_weights", "weightCol"}
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



# ---------------------------------------------------------------------- helpers
_METRIC_NAME = re.compile(r"(^|_)(acc|accuracy|auc|f1|score|loss|metric|precision|recall|best|mae|rmse|mse|ap)(_|$)", re.I)


def _named_as_metric(node: ast.AST) -> bool:
    """A variable or attribute named as a metric (`test_acc`, `best_auc`, `val_loss`)."""
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return bool(name) and bool(_METRIC_NAME.search(name))


READERS = tuple(f for f in ("pandas.read_csv", "pandas.read_parquet", "pandas.read_excel", "pandas.read_json",
                             "pandas.read_feather", "pandas.read_table", "polars.read_csv", "joblib.load"))
READER_CANDIDATES = candidates(*READERS)
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def _rounds_to_digits(call: CallSite) -> bool:
    """`round(p, 4)`, `np.round(p, decimals=2)`, `p.round(3)`: keeps decimals, so not a 0.5 cut."""
    digits = call.arg_node(0 if call.method else 1, "ndigits") or call.kwarg_node("decimals")
    return digits is not None and not (isinstance(digits, ast.Constant) and digits.value == 0)


def _file_role(val: Val) -> str | None:
    """The role a data file's name gives the rows read from it: `test.csv`, `train_2023.parquet`."""
    call = val.call
    if call is None or not call.is_in(READER_CANDIDATES):
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

