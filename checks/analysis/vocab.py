"""What the analysis knows about ML libraries, as the sets the analysis asks: which callables are
splitters, transformers, resamplers, estimators, metrics, clocks. Built from the library tables in
`checks.analysis.libraries` (one module per library); add an API there, not here. Names are fully
qualified; unresolved spellings match by their tail (see `names.Candidates`)."""
from __future__ import annotations

from wicked_data.checks.analysis import libraries
from wicked_data.checks.analysis.libraries import sklearn as sklearn_table
from wicked_data.checks.analysis.names import last

# Calls that read the wall clock.
NOW_CALLS = libraries.names("clock")
# Calls that read the clock only when given a 'now'/'today' string.
NOW_STRING_CALLS = libraries.names("clock_string")
NOW_STRINGS = ("now", "today")

SPLIT_FUNCS = libraries.names("split")
SPLIT_METHODS = libraries.shorts("split_method")
RANDOM_SPLIT_FUNCS = libraries.names("random_split")
SPLITTER_CLASSES = set(libraries.shorts("splitter"))
SHUFFLED_SPLITTERS = set(libraries.shorts_where("splitter", shuffles=True))
TEMPORAL_SPLITTERS = set(libraries.shorts_where("splitter", temporal=True))
CV_FUNCS = set(libraries.shorts("cv"))
CV_EVAL_FUNCS = {"cross_val_score", "cross_validate", "cross_val_predict", "learning_curve", "validation_curve",
                 "permutation_test_score"}
NATIVE_CV_FUNCS = (*libraries.names("native_cv"), "optuna.integration.OptunaSearchCV")

TRANSFORMER_SUFFIXES = sklearn_table.TRANSFORMER_SUFFIXES
TRANSFORMER_NAMES = set(libraries.shorts("transformer"))
# Transformers that learn nothing from the data, so fitting them anywhere is harmless.
STATELESS_TRANSFORMERS = set(libraries.shorts("stateless"))
# Functions that fit a transform on the rows they are given and return them transformed.
FUNCTIONAL_TRANSFORMS = libraries.names("functional")
RESAMPLER_NAMES = set(libraries.shorts("resampler"))
UNDERSAMPLER_NAMES = set(libraries.shorts("undersampler"))
PIPELINE_NAMES = set(libraries.shorts("pipeline"))

CLASSIFIER_NAMES = set(libraries.shorts("classifier"))
REGRESSOR_NAMES = set(libraries.shorts("regressor")) - CLASSIFIER_NAMES
SCALE_SENSITIVE = sklearn_table.SCALE_SENSITIVE
TREE_PREFIXES = sklearn_table.TREE_PREFIXES

FIT_METHODS = {"fit", "fit_transform", "fit_resample", "partial_fit", "fit_predict"}
# Methods besides `fit` that learn a transform from the rows given (Keras `adapt`, `fit_on_texts`).
LEARN_METHODS = set(libraries.shorts("learn_method"))
PREDICT_METHODS = {"predict", "predict_proba", "decision_function", "predict_log_proba"}
NATIVE_TRAIN_FUNCS = libraries.names("native_train")
DATASET_CLASSES = set(libraries.shorts("dataset"))
# Hyperparameter tuners that rank their trials on the rows given as validation data.
TUNERS = libraries.names("tuner")
# Functions that turn a model's scores into probabilities (sigmoid, softmax).
PROBABILITY_FUNCS = set(libraries.shorts("probability"))
# Benchmark data sets whose classes are (near) balanced.
BALANCED_DATASETS = libraries.names("balanced_dataset")
# Models given their rows when built, fitted with a bare `.fit()` (statsmodels).
DATA_IN_CONSTRUCTOR = {last(api.name) for api in libraries.library_of("statsmodels").apis}

RICH_METRICS = set(libraries.shorts("metric"))
RICH_METRIC_STRINGS = {
    "f1", "roc_auc", "precision", "recall", "average_precision", "auc", "aucpr", "pr_auc", "f1_macro",
    "f1_weighted", "balanced_accuracy", "logloss", "binary_logloss", "neg_log_loss", "auc_mu",
}
ACCURACY_METRICS = {"accuracy_score"}
METRIC_MODULES = ("sklearn.metrics", "torchmetrics", "keras.metrics", "tensorflow.keras.metrics")

MODEL_SAVE_CALLS = libraries.names("save")
MODEL_SAVE_METHODS = set(libraries.shorts("save_method"))
# Keyword arguments that hand a model rows to evaluate on while it trains (early stopping, checkpoints).
EVAL_SET_KWARGS = ("eval_set", "validation_data", "valid_sets", "eval_sets", "evals", "val_dataloaders",
                   "eval_dataset")
# What makes a fit choose by its evaluation rows (stop early, keep the best epoch or checkpoint).
EARLY_STOPPERS = ("EarlyStopping", "early_stopping", "ModelCheckpoint", "early_stopping_rounds",
                  "save_best_only", "restore_best_weights", "load_best_model_at_end")
# What hands data to another program or file: pandas/polars/Spark writers, array and object dumps.
DATA_WRITE_METHODS = set(libraries.shorts("write_method"))
DATA_WRITE_CALLS = libraries.names("write")


def tail(name: str | None) -> str:
    return last(name)


def is_transformer(name: str | None) -> bool:
    short = last(name)
    if short in STATELESS_TRANSFORMERS:
        return False
    return short in TRANSFORMER_NAMES or short.endswith(TRANSFORMER_SUFFIXES) or (
        bool(name) and (any(m in name for m in sklearn_table.TRANSFORMER_MODULES)
                        or name.startswith("category_encoders."))
    )


def is_resampler(name: str | None) -> bool:
    return last(name) in RESAMPLER_NAMES


def is_classifier(name: str | None) -> bool:
    short = last(name)
    return short.endswith("Classifier") or short in CLASSIFIER_NAMES


def is_regressor(name: str | None) -> bool:
    short = last(name)
    return (short.endswith("Regressor") or short in REGRESSOR_NAMES) and not is_classifier(name)


def is_estimator(name: str | None) -> bool:
    short = last(name)
    return is_classifier(name) or is_regressor(name) or short.startswith(TREE_PREFIXES) or short in SCALE_SENSITIVE


def is_tree(name: str | None) -> bool:
    return last(name).startswith(TREE_PREFIXES)

# Encoders of categories (ML306's) and of labels: they learn a vocabulary, not a scale.
CATEGORY_ENCODERS = frozenset({"LabelEncoder", "OrdinalEncoder", "OneHotEncoder", "TargetEncoder", "BinaryEncoder",
                               "CountEncoder"})
LABEL_ENCODERS = frozenset({"LabelEncoder", "LabelBinarizer", "MultiLabelBinarizer"})
