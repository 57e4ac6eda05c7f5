"""Train the motor-insurance lead conversion model from pipeline.toml."""
import tomllib
from datetime import datetime, timezone

import joblib
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.preprocessing import LabelEncoder

with open("pipeline.toml", "rb") as fh:
    cfg = tomllib.load(fh)
cat_cols, num_cols = cfg["features"]["categorical"], cfg["features"]["numeric"]

leads = pd.read_csv(cfg["data"]["train_csv"])
X, y = leads[cat_cols + num_cols].copy(), leads[cfg["data"]["target"]]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=12)
X_train, X_test = X_train.copy(), X_test.copy()
for col in cat_cols:
    enc = LabelEncoder().fit(X_train[col])
    known = set(enc.classes_)
    X_train[col] = enc.transform(X_train[col])
    X_test[col] = [enc.transform([v])[0] if v in known else -1 for v in X_test[col]]

gbm = GradientBoostingClassifier(n_estimators=cfg["model"]["n_estimators"], learning_rate=cfg["model"]["learning_rate"],
                                 max_depth=cfg["model"]["max_depth"], random_state=12)
cv = cross_val_score(gbm, X_train, y_train, cv=StratifiedKFold(5, shuffle=True, random_state=12), scoring="roc_auc")
gbm.fit(X_train, y_train)
dummy = DummyClassifier(strategy="prior").fit(X_train, y_train)
metrics = {"cv_auc": float(cv.mean()), "test_auc": float(roc_auc_score(y_test, gbm.predict_proba(X_test)[:, 1])),
           "baseline_auc": float(roc_auc_score(y_test, dummy.predict_proba(X_test)[:, 1]))}
joblib.dump({"model": gbm, "version": "leads-gbm-4", "features": cat_cols + num_cols, "metrics": metrics,
             "trained_at": datetime.now(timezone.utc).isoformat()}, cfg["model"]["artifact"])
