"""Cross-validate and train the next-day demand model.

usage: python -m demand.train --config config.yaml
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
from datetime import datetime, timezone
from pathlib import Path

import joblib
import lightgbm as lgb
import numpy as np
import pandas as pd
import yaml
from sklearn.model_selection import KFold

from demand.features import FEATURES, TARGET, build_training_frame

logger = logging.getLogger("demand.train")


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Weighted absolute percentage error: sum |error| / sum actual."""
    total = np.sum(actual)
    return float(np.sum(np.abs(actual - forecast)) / total) if total > 0 else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="config.yaml")
    args = parser.parse_args()
    cfg = yaml.safe_load(Path(args.config).read_text())

    sales = pd.read_parquet(cfg["data"]["sales"])
    calendar = pd.read_parquet(cfg["data"]["calendar"])
    frame = build_training_frame(sales, calendar)
    X, y = frame[FEATURES], frame[TARGET]
    logger.info("%d rows, %s to %s", len(frame), frame["date"].min().date(), frame["date"].max().date())

    folds = KFold(n_splits=cfg["cv"]["n_splits"], shuffle=True, random_state=7)
    scores = []
    for fold, (train_idx, valid_idx) in enumerate(folds.split(X)):
        model = lgb.LGBMRegressor(**cfg["lightgbm"], random_state=fold)
        model.fit(X.iloc[train_idx], y.iloc[train_idx])
        actual = y.iloc[valid_idx].to_numpy()
        model_wape = wape(actual, model.predict(X.iloc[valid_idx]))
        naive_wape = wape(actual, X.iloc[valid_idx]["lag_7"].to_numpy())  # same weekday last week
        scores.append({"fold": fold, "wape": model_wape, "seasonal_naive_wape": naive_wape})
        logger.info("fold %d: WAPE %.3f (seasonal naive %.3f)", fold, model_wape, naive_wape)

    model = lgb.LGBMRegressor(**cfg["lightgbm"], random_state=0).fit(X, y)
    importance = dict(zip(FEATURES, model.booster_.feature_importance("gain").round(1).tolist()))

    version = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out_dir = Path(cfg["artifacts"]["dir"])
    out_dir.mkdir(parents=True, exist_ok=True)
    bundle_path = out_dir / f"demand_lgbm_{version}.joblib"
    joblib.dump({"model": model, "features": FEATURES, "version": version}, bundle_path)
    manifest = {
        "version": version,
        "bundle": bundle_path.name,
        "sha256": hashlib.sha256(bundle_path.read_bytes()).hexdigest(),
        "trained_on": [str(frame["date"].min().date()), str(frame["date"].max().date())],
        "lightgbm_version": lgb.__version__,
        "cv": scores,
        "feature_importance_gain": importance,
    }
    (out_dir / "latest.json").write_text(json.dumps(manifest, indent=2))
    logger.info("saved %s", bundle_path)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
