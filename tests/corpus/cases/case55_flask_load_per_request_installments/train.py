"""Train the buy-now-pay-later default model."""
import os
from datetime import datetime, timezone

import joblib
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

from features import FEATURES, make_features

orders = pd.read_parquet(os.environ["BNPL_TRAIN_DATA"])
X, y = make_features(orders), orders["defaulted"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=19)
clf = HistGradientBoostingClassifier(class_weight="balanced", random_state=19)
cv = cross_val_score(clf, X_train, y_train, cv=StratifiedKFold(5, shuffle=True, random_state=19), scoring="average_precision")
clf.fit(X_train, y_train)
dummy = DummyClassifier(strategy="prior").fit(X_train, y_train)
p = clf.predict_proba(X_test)[:, 1]
joblib.dump({
    "model": clf, "features": FEATURES, "version": os.environ.get("BNPL_MODEL_VERSION", "bnpl-0"),
    "trained_at": datetime.now(timezone.utc).isoformat(),
    "metrics": {"cv_ap": float(cv.mean()), "test_ap": float(average_precision_score(y_test, p)),
                "test_auc": float(roc_auc_score(y_test, p)),
                "baseline_ap": float(average_precision_score(y_test, dummy.predict_proba(X_test)[:, 1]))},
}, os.environ["BNPL_MODEL_PATH"])
