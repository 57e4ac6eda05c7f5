"""XGBoost, LightGBM and CatBoost: native training and cross-validation, their data containers, and
what their models do with non-finite features: all three read NaN as missing; LightGBM also bins an
infinite value as an extreme one, while XGBoost refuses it (`Input data contains inf`) and CatBoost is
not relied on to accept it."""
from wicked_data.checks.analysis.libraries.table import Library, rows

XGBOOST = Library("xgboost", "XGBoost", (
    *rows("native_train", "xgboost.train", takes_nan=True),
    *rows("native_cv", "xgboost.cv"),
    *rows("dataset", "xgboost.DMatrix", "xgboost.QuantileDMatrix", "xgboost.DeviceQuantileDMatrix"),
    *rows("classifier", "xgboost.XGBClassifier", "xgboost.XGBRFClassifier", takes_nan=True),
    *rows("regressor", "xgboost.XGBRegressor", "xgboost.XGBRFRegressor", takes_nan=True),
    *rows("load_safe", "xgboost.Booster"),
))
LIGHTGBM = Library("lightgbm", "LightGBM", (
    *rows("native_train", "lightgbm.train", takes_nan=True, takes_inf=True),
    *rows("native_cv", "lightgbm.cv"),
    *rows("dataset", "lightgbm.Dataset"),
    *rows("classifier", "lightgbm.LGBMClassifier", takes_nan=True, takes_inf=True),
    *rows("regressor", "lightgbm.LGBMRegressor", takes_nan=True, takes_inf=True),
    *rows("load_safe", "lightgbm.Booster"),
))
CATBOOST = Library("catboost", "CatBoost", (
    *rows("native_train", "catboost.train", takes_nan=True),
    *rows("native_cv", "catboost.cv"),
    *rows("dataset", "catboost.Pool"),
    *rows("classifier", "catboost.CatBoostClassifier", takes_nan=True),
    *rows("regressor", "catboost.CatBoostRegressor", takes_nan=True),
    *rows("load_safe", "catboost.CatBoostClassifier", "catboost.CatBoostRegressor"),
))
