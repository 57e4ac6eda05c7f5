"""XGBoost, LightGBM and CatBoost: native training and cross-validation, their data containers."""
from wicked_data.checks.analysis.libraries.table import Library, rows

XGBOOST = Library("xgboost", "XGBoost", (
    *rows("native_train", "xgboost.train"),
    *rows("native_cv", "xgboost.cv"),
    *rows("dataset", "xgboost.DMatrix", "xgboost.QuantileDMatrix", "xgboost.DeviceQuantileDMatrix"),
    *rows("classifier", "xgboost.XGBClassifier", "xgboost.XGBRFClassifier"),
    *rows("regressor", "xgboost.XGBRegressor", "xgboost.XGBRFRegressor"),
    *rows("load_safe", "xgboost.Booster"),
))
LIGHTGBM = Library("lightgbm", "LightGBM", (
    *rows("native_train", "lightgbm.train"),
    *rows("native_cv", "lightgbm.cv"),
    *rows("dataset", "lightgbm.Dataset"),
    *rows("classifier", "lightgbm.LGBMClassifier"),
    *rows("regressor", "lightgbm.LGBMRegressor"),
    *rows("load_safe", "lightgbm.Booster"),
))
CATBOOST = Library("catboost", "CatBoost", (
    *rows("native_train", "catboost.train"),
    *rows("native_cv", "catboost.cv"),
    *rows("dataset", "catboost.Pool"),
    *rows("classifier", "catboost.CatBoostClassifier"),
    *rows("regressor", "catboost.CatBoostRegressor"),
    *rows("load_safe", "catboost.CatBoostClassifier", "catboost.CatBoostRegressor"),
))
