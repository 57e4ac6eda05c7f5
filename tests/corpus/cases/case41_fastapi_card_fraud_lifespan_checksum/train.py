"""Train the card-fraud model and write a versioned bundle plus its checksum."""
import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import joblib
import pandas as pd
import sklearn
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

from features import FEATURES, build_features

DATA_PATH = Path(os.environ["FRAUD_TRAINING_DATA"])
MODEL_DIR = Path(os.environ.get("FRAUD_MODEL_DIR", "artifacts"))
VERSION = os.environ.get("FRAUD_MODEL_VERSION", "dev")

txns = pd.read_parquet(DATA_PATH)
X = build_features(txns)
y = txns["is_fraud"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=11)

model = HistGradientBoostingClassifier(class_weight="balanced", random_state=11)
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=11)
cv_ap = cross_val_score(model, X_train, y_train, cv=folds, scoring="average_precision")
model.fit(X_train, y_train)
baseline = DummyClassifier(strategy="prior").fit(X_train, y_train)

p = model.predict_proba(X_test)[:, 1]
metrics = {
    "cv_average_precision": float(cv_ap.mean()),
    "test_roc_auc": float(roc_auc_score(y_test, p)),
    "test_average_precision": float(average_precision_score(y_test, p)),
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
artifact = MODEL_DIR / f"fraud-{VERSION}.joblib"
joblib.dump(bundle, artifact)
digest = hashlib.sha256(artifact.read_bytes()).hexdigest()
(MODEL_DIR / f"fraud-{VERSION}.sha256").write_text(digest)
print(json.dumps(metrics, indent=2))
