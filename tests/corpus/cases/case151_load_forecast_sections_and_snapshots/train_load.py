"""Fit the day-ahead load model with the settings file's LightGBM section."""
import sys

import joblib
import lightgbm as lgb
import pandas as pd
import yaml
from sklearn.ensemble import RandomForestRegressor

with open(sys.argv[1]) as handle:
    settings = yaml.safe_load(handle)

hours = pd.read_parquet("hourly_load.parquet").sort_values("ts")
inputs = hours.drop(columns=["ts", "load_mw"])

# prune features with a small forest first
pruner = RandomForestRegressor(n_estimators=50, max_depth=10, random_state=2).fit(inputs, hours["load_mw"])
kept = [c for c, w in zip(inputs.columns, pruner.feature_importances_) if w > 0.01]

params = dict(settings["model"])
params["lightgbm"] = {"num_leaves": 31, "learning_rate": 0.05, "objective": "regression"}
cut = int(len(hours) * 0.8)
booster = lgb.LGBMRegressor(**params["lightgbm"]).fit(inputs[kept].iloc[:cut], hours["load_mw"].iloc[:cut])
joblib.dump({"model": booster, "features": kept, "settings": sys.argv[1]}, "load_model.joblib")
