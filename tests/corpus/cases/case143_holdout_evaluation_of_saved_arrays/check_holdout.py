"""Scores the saved hold-out once and records the metrics."""
import json

import joblib
from sklearn.metrics import average_precision_score, roc_auc_score

clf = joblib.load("out/clf.joblib")
hx = joblib.load("out/holdout_X.joblib")
hy = joblib.load("out/holdout_y.joblib")
p = clf.predict_proba(hx)[:, 1]
report = {"roc_auc": roc_auc_score(hy, p), "pr_auc": average_precision_score(hy, p)}
with open("out/holdout_metrics.json", "w") as fh:
    json.dump(report, fh, indent=2)
