"""Train the return-risk model. Paths come from RETURNS_DATA and RETURNS_MODEL_DIR."""
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
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

from features import FEATURES, build_features

data_path = Path(os.environ["RETURNS_DATA"])
model_dir = Path(os.environ["RETURNS_MODEL_DIR"])
version = os.environ["RETURNS_MODEL_VERSION"]

lines = pd.read_parquet(data_path)
X, y = build_features(lines), lines["returned"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=31)
model = HistGradientBoostingClassifier(max_iter=300, random_state=31)
cv_f1 = cross_val_score(model, X_train, y_train, cv=StratifiedKFold(5, shuffle=True, random_state=31), scoring="f1")
model.fit(X_train, y_train)
dummy = DummyClassifier(strategy="stratified", random_state=31).fit(X_train, y_train)
metrics = {
    "cv_f1": float(cv_f1.mean()),
    "test_f1": float(f1_score(y_test, model.predict(X_test))),
    "test_roc_auc": float(roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])),
    "dummy_f1": float(f1_score(y_test, dummy.predict(X_test))),
}
bundle = {"model": model, "version": version, "features": FEATURES, "metrics": metrics,
          "trained_at": datetime.now(timezone.utc).isoformat(), "sklearn": sklearn.__version__}
artifact = model_dir / f"returns-{version}.joblib"
joblib.dump(bundle, artifact)
manifest = {"artifact": artifact.name, "sha256": hashlib.sha256(artifact.read_bytes()).hexdigest(), **metrics}
(model_dir / f"returns-{version}.json").write_text(json.dumps(manifest, indent=2))
