"""python run_experiment.py conf/forest.yaml: fit the configured estimator and keep it."""
import sys

import joblib
import pandas as pd
import yaml
from sklearn.model_selection import cross_val_score

from builders import Boosted, make_forest, make_ridge, make_ridge_fixed

with open(sys.argv[1]) as handle:
    cfg = yaml.safe_load(handle)
spec = cfg["estimator"]
if spec["kind"] == "forest":
    estimator = make_forest(spec["params"])
elif spec["kind"] == "boosted":
    estimator = Boosted(spec["params"]).build()
elif spec["kind"] == "ridge":
    estimator = make_ridge_fixed() if len(sys.argv) > 2 else make_ridge(spec["params"])

members = pd.read_parquet("members.parquet")
inputs, churned = members.drop(columns=["churned"]), members["churned"]
print(cross_val_score(estimator, inputs, churned, cv=5, scoring="roc_auc").mean())
joblib.dump(estimator.fit(inputs, churned), f"{spec['kind']}.joblib")
