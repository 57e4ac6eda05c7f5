"""Monthly training job of the purchase propensity model.

usage: python training/train.py --config training/config.yaml
"""
from __future__ import annotations

import argparse
import json
import logging
from datetime import datetime, timezone
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import sklearn
import yaml
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.inspection import permutation_importance
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import TimeSeriesSplit, cross_val_score

from features import FEATURES, build_features

logger = logging.getLogger("train")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="training/config.yaml")
    args = parser.parse_args()
    cfg = yaml.safe_load(Path(args.config).read_text())

    snaps = pd.read_parquet(cfg["data"]["snapshots"])
    for col in ("snapshot_date", "last_order_at", "first_order_at", "account_created_at"):
        snaps[col] = pd.to_datetime(snaps[col])
    snaps = snaps.sort_values("snapshot_date").reset_index(drop=True)

    months = np.sort(snaps["snapshot_date"].unique())
    test_start = pd.Timestamp(months[-cfg["split"]["test_months"]])
    train_end = test_start - pd.Timedelta(days=cfg["split"]["label_horizon_days"])
    train, test = snaps[snaps["snapshot_date"] < train_end], snaps[snaps["snapshot_date"] >= test_start]

    cap = cfg["features"]["recency_cap_days"]
    X_train = build_features(train, train["snapshot_date"], cap)
    X_test = build_features(test, test["snapshot_date"], cap)
    y_train, y_test = train[cfg["data"]["target"]], test[cfg["data"]["target"]]

    model = HistGradientBoostingClassifier(**cfg["model"], class_weight="balanced")
    cv_pr_auc = cross_val_score(model, X_train, y_train, cv=TimeSeriesSplit(n_splits=4), scoring="average_precision")
    model.fit(X_train, y_train)
    baseline = DummyClassifier(strategy="prior").fit(X_train, y_train)

    proba = model.predict_proba(X_test)[:, 1]
    metrics = {
        "cv_pr_auc_mean": float(cv_pr_auc.mean()),
        "test_roc_auc": float(roc_auc_score(y_test, proba)),
        "test_pr_auc": float(average_precision_score(y_test, proba)),
        "baseline_pr_auc": float(average_precision_score(y_test, baseline.predict_proba(X_test)[:, 1])),
    }
    importance = permutation_importance(model, X_test, y_test, scoring="average_precision", n_repeats=5,
                                        random_state=cfg["model"]["random_state"])

    version = datetime.now(timezone.utc).strftime("%Y%m%d%H%M")
    out_dir = Path(cfg["artifacts"]["dir"])
    out_dir.mkdir(parents=True, exist_ok=True)
    bundle = {
        "model": model,
        "version": version,
        "features": FEATURES,
        "recency_cap_days": cap,
        "threshold": cfg["decision"]["threshold"],
        "metrics": metrics,
        "importance": dict(zip(FEATURES, importance.importances_mean.round(5).tolist())),
        "sklearn_version": sklearn.__version__,
    }
    joblib.dump(bundle, out_dir / f"propensity_{version}.joblib")
    (out_dir / f"propensity_{version}.metrics.json").write_text(json.dumps(metrics, indent=2))
    logger.info("model %s: %s", version, metrics)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
