import json

import joblib
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

members = pd.read_parquet("exports/members.parquet")
members["spend_per_visit"] = members["spend_90d"] / members["visits_90d"]
members = members.fillna(0)
cols = ["visits_90d", "spend_90d", "spend_per_visit", "complaints"]
train_part, test_part = train_test_split(members, test_size=0.25, random_state=2, stratify=members["lapsed"])
gbm = GradientBoostingClassifier(random_state=2).fit(train_part[cols], train_part["lapsed"])
auc = roc_auc_score(test_part["lapsed"], gbm.predict_proba(test_part[cols])[:, 1])
joblib.dump({"model": gbm, "columns": cols, "version": "2024.05", "auc": auc}, "artifacts/lapse-2024.05.joblib")
json.dump({"auc": auc}, open("artifacts/metrics.json", "w"))
