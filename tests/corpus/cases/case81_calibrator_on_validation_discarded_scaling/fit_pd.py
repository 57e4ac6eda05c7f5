"""Probability-of-default: a logistic reference, a boosted model calibrated on the validation months."""
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.preprocessing import StandardScaler

loans = pd.read_parquet("loans.parquet").sort_values("issue_month")
cols = ["income", "dti", "utilisation", "age_of_file", "inquiries"]
fit_rows = loans[loans["issue_month"] < "2023-01"]
check_rows = loans[loans["issue_month"] >= "2023-01"]
Xa, ya = fit_rows[cols], fit_rows["defaulted"]
Xb, yb = check_rows[cols], check_rows["defaulted"]

scaler = StandardScaler().fit(loans[cols])
for block in (Xa, Xb):
    block = scaler.transform(block)

reference = LogisticRegression(max_iter=2000).fit(Xa, ya)
ref_scores = reference.predict_proba(Xb)[:, 1]
print("reference AUC", roc_auc_score(yb, ref_scores), "AP", average_precision_score(yb, ref_scores))

booster = HistGradientBoostingClassifier(random_state=5).fit(Xa, ya)
calibrated = CalibratedClassifierCV(booster, method="sigmoid", cv="prefit").fit(Xb, yb)
