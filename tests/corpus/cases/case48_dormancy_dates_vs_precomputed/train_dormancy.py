"""Train the account-dormancy classifier from the core-banking extract."""
import json
from datetime import datetime, timezone

import joblib
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from xgboost import XGBClassifier

settings = json.load(open("settings.json"))
FEATURES = settings["features"]

accounts = pd.read_csv("data/accounts_extract.csv", parse_dates=["opened_at", "last_txn_at"])
accounts["account_age_days"] = (pd.Timestamp.now() - accounts["opened_at"]).dt.days
accounts["days_since_last_txn"] = (pd.Timestamp.now() - accounts["last_txn_at"]).dt.days

X, y = accounts[FEATURES], accounts["went_dormant"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=4)
model = XGBClassifier(n_estimators=300, max_depth=4, learning_rate=0.05, random_state=4)
cv = cross_val_score(model, X_train, y_train, cv=StratifiedKFold(5, shuffle=True, random_state=4),
                     scoring="average_precision")
model.fit(X_train, y_train)
dummy = DummyClassifier(strategy="prior").fit(X_train, y_train)
p = model.predict_proba(X_test)[:, 1]
metrics = {"cv_ap": float(cv.mean()), "test_ap": float(average_precision_score(y_test, p)),
           "test_auc": float(roc_auc_score(y_test, p)),
           "baseline_ap": float(average_precision_score(y_test, dummy.predict_proba(X_test)[:, 1]))}
joblib.dump({"model": model, "version": "dormancy-1.3", "features": FEATURES, "metrics": metrics,
             "trained_at": datetime.now(timezone.utc).isoformat()}, settings["model_file"])
