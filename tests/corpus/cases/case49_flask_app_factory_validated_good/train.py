"""Fit the late-delivery classifier; writes model bundle + sha256 into $LATE_MODEL_DIR."""
import hashlib
import os
from datetime import datetime, timezone
from pathlib import Path

import joblib
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from features import FEATURES, build_features

model_dir = Path(os.environ["LATE_MODEL_DIR"])
orders = pd.read_parquet(os.environ["LATE_TRAINING_DATA"])
X, y = build_features(orders), orders["was_late"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=8)

pipe = make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=500))
cv = cross_val_score(pipe, X_train, y_train, cv=StratifiedKFold(5, shuffle=True, random_state=8), scoring="roc_auc")
pipe.fit(X_train, y_train)
dummy = DummyClassifier(strategy="prior").fit(X_train, y_train)
bundle = {
    "pipeline": pipe,
    "version": os.environ.get("LATE_MODEL_VERSION", "late-lr-1"),
    "trained_at": datetime.now(timezone.utc).isoformat(),
    "features": FEATURES,
    "metrics": {"cv_auc": float(cv.mean()),
                "test_auc": float(roc_auc_score(y_test, pipe.predict_proba(X_test)[:, 1])),
                "baseline_auc": float(roc_auc_score(y_test, dummy.predict_proba(X_test)[:, 1]))},
}
path = model_dir / "late_delivery.joblib"
joblib.dump(bundle, path)
(model_dir / "late_delivery.sha256").write_text(hashlib.sha256(path.read_bytes()).hexdigest())
