"""Train the subscription cancellation model.

usage: python train.py --config config.yaml

Split: the last ``split.test_months`` snapshot months are the out-of-time test set, evaluated once.
Training snapshots end ``labels.horizon_days`` before the test period so no training label looks
into it. Inside the training window, cross-validation groups rows by subscriber (a subscriber has
one snapshot per month) and is used for model assessment and for choosing the threshold from
out-of-fold predictions.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
from datetime import datetime, timezone
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import sklearn
import yaml
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, precision_recall_curve, precision_score, recall_score, roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from features import CATEGORICAL_FEATURES, FEATURES, NUMERIC_FEATURES, build_features

logger = logging.getLogger("train")


def build_pipeline(cfg: dict) -> Pipeline:
    numeric = Pipeline([("impute", SimpleImputer(strategy="median", add_indicator=True)),
                        ("scale", StandardScaler())])
    categorical = OneHotEncoder(handle_unknown="ignore", min_frequency=50)
    prep = ColumnTransformer([("num", numeric, NUMERIC_FEATURES), ("cat", categorical, CATEGORICAL_FEATURES)])
    model = LogisticRegression(C=cfg["model"]["C"], max_iter=cfg["model"]["max_iter"], class_weight="balanced")
    return Pipeline([("prep", prep), ("model", model)])


def time_split(frame: pd.DataFrame, cfg: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    months = np.sort(frame["snapshot_date"].unique())
    test_start = pd.Timestamp(months[-cfg["split"]["test_months"]])
    train_end = test_start - pd.Timedelta(days=cfg["labels"]["horizon_days"])
    return frame[frame["snapshot_date"] < train_end], frame[frame["snapshot_date"] >= test_start]


def pick_threshold(y_true: pd.Series, scores: np.ndarray, min_precision: float) -> float:
    """Lowest threshold whose out-of-fold precision reaches min_precision (highest recall)."""
    precision, _, thresholds = precision_recall_curve(y_true, scores)
    ok = np.flatnonzero(precision[:-1] >= min_precision)
    return float(thresholds[ok[0]]) if len(ok) else 0.5


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="config.yaml")
    args = parser.parse_args()
    cfg = yaml.safe_load(Path(args.config).read_text())
    target, seed = cfg["labels"]["target"], cfg["seed"]

    run_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    logger.info("training run %s started", run_id)

    frame = pd.read_parquet(cfg["data"]["snapshots"])
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"])
    frame = frame[frame[target].notna()]
    train, test = time_split(frame, cfg)
    X_train, y_train = build_features(train), train[target].astype(int)
    X_test, y_test = build_features(test), test[target].astype(int)
    logger.info("train %d rows (to %s), test %d rows (from %s)", len(train), train["snapshot_date"].max().date(),
                len(test), test["snapshot_date"].min().date())

    pipeline = build_pipeline(cfg)
    folds = StratifiedGroupKFold(n_splits=cfg["split"]["cv_folds"], shuffle=True, random_state=seed)
    oof = cross_val_predict(pipeline, X_train, y_train, cv=folds, groups=train["customer_id"],
                            method="predict_proba")[:, 1]
    threshold = pick_threshold(y_train, oof, cfg["threshold"]["min_precision"])

    pipeline.fit(X_train, y_train)
    baseline = DummyClassifier(strategy="prior").fit(X_train, y_train)
    test_scores = pipeline.predict_proba(X_test)[:, 1]
    test_pred = (test_scores >= threshold).astype(int)
    metrics = {
        "cv_oof_roc_auc": float(roc_auc_score(y_train, oof)),
        "cv_oof_pr_auc": float(average_precision_score(y_train, oof)),
        "test_roc_auc": float(roc_auc_score(y_test, test_scores)),
        "test_pr_auc": float(average_precision_score(y_test, test_scores)),
        "baseline_test_pr_auc": float(average_precision_score(y_test, baseline.predict_proba(X_test)[:, 1])),
        "test_precision_at_threshold": float(precision_score(y_test, test_pred, zero_division=0)),
        "test_recall_at_threshold": float(recall_score(y_test, test_pred)),
        "threshold": threshold,
        "test_positive_rate": float(y_test.mean()),
    }
    logger.info("metrics: %s", metrics)

    importance = permutation_importance(pipeline, X_test, y_test, scoring="average_precision",
                                        n_repeats=5, random_state=seed)
    importances = dict(zip(FEATURES, importance.importances_mean.round(5).tolist()))

    out_dir = Path(cfg["artifacts"]["dir"]) / run_id
    out_dir.mkdir(parents=True, exist_ok=True)
    bundle = {"pipeline": pipeline, "features": FEATURES, "threshold": threshold, "version": run_id}
    joblib.dump(bundle, out_dir / "model.joblib")
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2))
    manifest = {
        "version": run_id,
        "sha256": hashlib.sha256((out_dir / "model.joblib").read_bytes()).hexdigest(),
        "sklearn_version": sklearn.__version__,
        "train_period": [str(train["snapshot_date"].min().date()), str(train["snapshot_date"].max().date())],
        "test_period": [str(test["snapshot_date"].min().date()), str(test["snapshot_date"].max().date())],
        "features": FEATURES,
        "permutation_importance": importances,
        "metrics": metrics,
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2))
    logger.info("run %s written to %s", run_id, out_dir)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    main()
