"""Train the trial-conversion model; probabilities are calibrated with isotonic regression on held-out folds."""
import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import joblib
import pandas as pd
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

from features import FEATURES, build_features

DATA_PATH = Path(os.environ["TRIALS_DATA"])
MODEL_DIR = Path(os.environ.get("TRIALS_MODEL_DIR", "artifacts"))
VERSION = os.environ.get("TRIALS_MODEL_VERSION", "dev")

trials = pd.read_parquet(DATA_PATH)
X = build_features(trials)
y = trials["converted_to_paid"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=3)

base = HistGradientBoostingClassifier(class_weight="balanced", random_state=3)
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=3)
model = CalibratedClassifierCV(base, method="isotonic", cv=folds)
cv_ap = cross_val_score(model, X_train, y_train, cv=folds, scoring="average_precision")
model.fit(X_train, y_train)
baseline = DummyClassifier(strategy="prior").fit(X_train, y_train)

p = model.predict_proba(X_test)[:, 1]
metrics = {
    "cv_average_precision": float(cv_ap.mean()),
    "test_roc_auc": float(roc_auc_score(y_test, p)),
    "test_average_precision": float(average_precision_score(y_test, p)),
    "test_brier": float(brier_score_loss(y_test, p)),
    "baseline_average_precision": float(average_precision_score(y_test, baseline.predict_proba(X_test)[:, 1])),
}
bundle = {
    "model": model,
    "version": VERSION,
    "trained_at": datetime.now(timezone.utc).isoformat(),
    "features": FEATURES,
    "metrics": metrics,
    "sklearn_version": sklearn.__version__,
}
MODEL_DIR.mkdir(parents=True, exist_ok=True)
artifact = MODEL_DIR / f"trials-{VERSION}.joblib"
joblib.dump(bundle, artifact)
(MODEL_DIR / f"trials-{VERSION}.sha256").write_text(hashlib.sha256(artifact.read_bytes()).hexdigest())
print(json.dumps(metrics, indent=2))
