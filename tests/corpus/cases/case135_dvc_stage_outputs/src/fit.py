"""The `fit` stage of dvc.yaml: DVC records the output's hash with the parameters and code that made it."""
import joblib
import pandas as pd
import yaml
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

settings = yaml.safe_load(open("params.yaml"))["fit"]
table = pd.read_parquet("data/features.parquet")
inputs, bought = table.drop(columns=["bought"]), table["bought"]
fit_x, hold_x, fit_y, hold_y = train_test_split(inputs, bought, stratify=bought, random_state=0)
forest = RandomForestClassifier(n_estimators=settings["trees"], max_depth=settings["depth"], random_state=0)
forest.fit(fit_x, fit_y)
print("AUC:", roc_auc_score(hold_y, forest.predict_proba(hold_x)[:, 1]))
joblib.dump(forest, "models/forest.joblib")
