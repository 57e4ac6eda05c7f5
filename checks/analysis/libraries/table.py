"""The shape of a library table: what one API of an ML library does to data, as data.

Each library module (`pandas.py`, `sklearn.py`, `xgboost.py`...) declares a `LIBRARY` built from
`Api` rows. The analysis asks the registry (`checks.analysis.libraries`) by kind, never by a list
of spellings of its own, so teaching it a new library is adding a table, not editing a rule.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal[
    "split",            # a function that cuts arrays into train/test parts, returned in order
    "split_method",     # a method of a frame that cuts it into parts (`sdf.randomSplit([.8, .2])`)
    "random_split",     # a function that cuts a dataset into parts of given sizes (torch `random_split`)
    "splitter",         # a class whose `.split(X, y)` yields (train, held-out) index pairs
    "cv",               # a function or class that cross-validates (fits and scores on folds)
    "native_cv",        # a library's own cross-validation function (`xgb.cv`)
    "transformer",      # a class that learns state from rows in `fit` (scaler, encoder, imputer)
    "stateless",        # a transformer class that learns nothing from the rows
    "functional",       # a function that fits and applies a transform in one call (`preprocessing.scale`)
    "resampler",        # a class that adds synthetic or duplicated rows (SMOTE)
    "undersampler",     # a class that removes rows
    "classifier",       # an estimator class predicting classes
    "regressor",        # an estimator class predicting numbers
    "estimator",        # an estimator class whose task depends on its parameters
    "native_train",     # a library function that trains a model from a dataset (`lgb.train`)
    "dataset",          # a library's own data container, holding rows and labels (`xgb.DMatrix`)
    "frame",            # a function that creates a frame (readers, constructors, concat)
    "column",           # a constructor of one column of values (`pd.Series`)
    "clock",            # a call that reads the wall clock
    "clock_string",     # a call that reads the clock only when given 'now'/'today'
    "save",             # a call that writes a model artifact
    "save_method",      # a method that writes a model artifact
    "load_unsafe",      # a call that deserialises with pickle underneath (can run code)
    "load_safe",        # a loader of a format that cannot run code, or of a versioning registry
    "write",            # a call that hands data to a file or another program
    "write_method",     # a method that does
    "metric",           # a metric that needs more than accuracy to be read (precision, AUC...)
    "probability",      # a function turning scores into probabilities (softmax, sigmoid)
    "pipeline",         # a class or function chaining transforms and a final estimator
    "learn_method",     # a method other than `fit` that learns a transform's state from rows (`adapt`)
    "balanced_dataset", # a bundled benchmark data set whose classes are (near) balanced (iris, MNIST)
    "tuner",            # a hyperparameter tuner whose `search(..., validation_data=...)` ranks trials there
    "study",            # a call making an optimisation study whose `.optimize(objective)` ranks trials by the objective
    "objective_search", # a function (or class) handed an objective function to minimise over trials (`fmin(fn=...)`)
    "label_transformer",  # a transform that learns from the labels it is given (a feature selector, a target encoder)
    "columnwise",       # a transform whose output keeps each input column in place (a scaler, an imputer)
    "vocabulary",       # a transform that learns only which categories exist (an one-hot or ordinal encoder)
    "network_base",     # a base class of networks, layers and losses (`torch.nn.Module`, `keras.Model`)
    "wrapper",          # a meta-estimator whose fitted model is the estimator it wraps (a search, a calibration)
    "baseline",         # an estimator that ignores the features (a prior or mean predictor to compare against)
    "column_selector",  # a transformer applying transformers to named column lists, dropping the rest by default
]
Modelled = Literal["yes", "partial", "no"]


@dataclass(frozen=True)
class Api:
    name: str  # fully qualified (`sklearn.preprocessing.scale`); a method as its bare name (`randomSplit`)
    kind: Kind
    shuffles: bool = False  # a split or splitter that draws rows at random by default
    temporal: bool = False  # a split or splitter that keeps time order
    # For a model: what it does with a non-finite feature value. `takes_nan`: NaN is read as missing
    # (gradient-boosted trees); `takes_inf`: an infinite value is accepted as an extreme one
    # (LightGBM bins it) instead of raising (XGBoost, scikit-learn's input checks).
    takes_nan: bool = False
    takes_inf: bool = False


@dataclass(frozen=True)
class Library:
    root: str  # the import root (`sklearn`, `polars`, `pyspark`)
    title: str  # how the blind-spot note names what the library holds
    apis: tuple[Api, ...]
    modelled: Modelled = "yes"
    # For a partly modelled library: what the analysis does not follow yet (said in blind spots).
    unseen: str = ""


def rows(kind: Kind, *names: str, **flags) -> tuple[Api, ...]:
    """Many APIs of one kind: `rows("splitter", "sklearn.model_selection.KFold", ...)`."""
    return tuple(Api(n, kind, **flags) for n in names)
