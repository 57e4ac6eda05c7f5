"""Train the renewal model: encoder, gradient boosting and isotonic calibration in one persisted pipeline.

usage: RENEWAL_DATA=... RENEWAL_MODEL_DIR=... RENEWAL_MODEL_VERSION=... python train.py
"""
import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import joblib
import pandas as pd
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from features import CATEGORICAL, FEATURES, NUMERIC, build_features


def make_model(seed: int) -> CalibratedClassifierCV:
    encode = ColumnTransformer(
        [("categories", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL)], remainder="passthrough"
    )
    boosted = Pipeline(
        [("encode", encode), ("model", HistGradientBoostingClassifier(class_weight="balanced", random_state=seed))]
    )
    return CalibratedClassifierCV(boosted, method="isotonic", cv=StratifiedKFold(5, shuffle=True, random_state=seed))


def main() -> None:
    seed = 17
    out_dir = Path(os.environ["RENEWAL_MODEL_DIR"])
    version = os.environ["RENEWAL_MODEL_VERSION"]
    subs = pd.read_parquet(os.environ["RENEWAL_DATA"])
    X, y = build_features(subs), subs["churned_at_renewal"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=seed)

    model = make_model(seed)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
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
        "positive_rate": float(y.mean()),
    }
    bundle = {
        "model": model,
        "version": version,
        "trained_at": datetime.now(timezone.utc).isoformat(),
        "features": FEATURES,
        "numeric": NUMERIC,
        "categorical": CATEGORICAL,
        "metrics": metrics,
        "sklearn_version": sklearn.__version__,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    artifact = out_dir / f"renewal-{version}.joblib"
    joblib.dump(bundle, artifact)
    (out_dir / f"renewal-{version}.sha256").write_text(hashlib.sha256(artifact.read_bytes()).hexdigest())
    (out_dir / f"renewal-{version}.metrics.json").write_text(json.dumps(metrics, indent=2))
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
