"""Solar panel lead qualification: will a homeowner sign after the site visit?"""
from datetime import datetime, timezone

import joblib
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

FEATURES = ["roof_area_m2", "annual_kwh", "region_code", "owner_occupied", "shading_score"]

leads = pd.read_csv("data/site_visits.csv")
X, y = leads.drop(columns=["signed"]), leads["signed"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=14)

region_codes = {region: code for code, region in enumerate(X_train["region"].unique())}
for part in (X_train, X_test):
    part["region_code"] = part["region"].map(region_codes).fillna(-1)

clf = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
cv = cross_val_score(clf, X_train[FEATURES], y_train, cv=StratifiedKFold(5, shuffle=True, random_state=14),
                     scoring="roc_auc")
clf.fit(X_train[FEATURES], y_train)
dummy = DummyClassifier(strategy="prior").fit(X_train[FEATURES], y_train)
auc = roc_auc_score(y_test, clf.predict_proba(X_test[FEATURES])[:, 1])
base = roc_auc_score(y_test, dummy.predict_proba(X_test[FEATURES])[:, 1])
print(f"cv {cv.mean():.3f}  test {auc:.3f}  baseline {base:.3f}")
joblib.dump({"model": clf, "features": FEATURES, "version": "solar-lr-3", "cv_auc": float(cv.mean()),
             "test_auc": auc, "trained_at": datetime.now(timezone.utc).isoformat()}, "artifacts/solar_lr.joblib")
