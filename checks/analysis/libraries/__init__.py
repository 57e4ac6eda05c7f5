"""Library semantics as data: one table per library (see `table.py` for the row shape), and the
queries the analysis asks of all of them by kind.

`names(kind)` gives the fully qualified names of a kind (matched against resolved call names,
unresolved spellings by their tail, see `names.Candidates`); `shorts(kind)` their last parts,
for class names that are matched wherever they were imported from; `library_of(root)` the table
of an import root, so coverage can say which libraries are only partly followed.
"""
from __future__ import annotations

from functools import cache

from wicked_data.checks.analysis.libraries import (artifacts, boosting, cuml, deep, imblearn, pandas, polars, sklearn, spark,
                                       statsmodels, tuning)
from wicked_data.checks.analysis.libraries.table import Api, Kind, Library
from wicked_data.checks.analysis.names import last

LIBRARIES: tuple[Library, ...] = (
    pandas.LIBRARY, pandas.NUMPY, polars.LIBRARY, sklearn.LIBRARY, imblearn.LIBRARY, boosting.XGBOOST,
    boosting.LIGHTGBM, boosting.CATBOOST, statsmodels.LIBRARY, statsmodels.PROPHET, deep.TORCH, deep.KERAS,
    deep.TENSORFLOW, spark.LIBRARY, cuml.LIBRARY, artifacts.SERIALISATION, artifacts.MLFLOW, artifacts.CLOCKS,
    tuning.OPTUNA, tuning.HYPEROPT, tuning.SKOPT, tuning.BAYES_OPT, sklearn.CATEGORY_ENCODERS,
)

# Libraries with no table: code written with them is read as unknown calls (said in blind spots).
UNMODELLED = {
    "h2o": "H2O frames and estimators",
    "dask": "Dask frames and dask-ml",
    "vaex": "vaex frames",
    "mxnet": "MXNet models",
    "jax": "JAX/Flax models",
    "sktime": "sktime forecasters and splitters",
    "darts": "darts forecasters",
    "autogluon": "AutoGluon predictors",
    "pycaret": "PyCaret experiments",
}


@cache
def apis(kind: Kind) -> tuple[Api, ...]:
    return tuple(api for lib in LIBRARIES for api in lib.apis if api.kind == kind)


@cache
def names(kind: Kind) -> tuple[str, ...]:
    return tuple(dict.fromkeys(api.name for api in apis(kind)))


@cache
def shorts(kind: Kind) -> frozenset[str]:
    return frozenset(last(api.name) for api in apis(kind))


@cache
def shorts_where(kind: Kind, **flags) -> frozenset[str]:
    return frozenset(last(api.name) for api in apis(kind) if all(getattr(api, k) == v for k, v in flags.items()))


@cache
def _models() -> dict[str, Api]:
    return {api.name: api for lib in LIBRARIES for api in lib.apis
            if api.kind in ("classifier", "regressor", "estimator", "native_train")}


def model_api(qualname: str | None) -> Api | None:
    """The table row of a model class or training function, by its resolved name."""
    return _models().get(qualname or "")


def library_of(root: str) -> Library | None:
    return next((lib for lib in LIBRARIES if lib.root == root), None)


__all__ = ["Api", "Kind", "LIBRARIES", "Library", "UNMODELLED", "apis", "library_of", "model_api", "names", "shorts",
           "shorts_where"]
