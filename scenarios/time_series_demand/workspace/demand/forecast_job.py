"""Nightly batch job: forecast tomorrow's units for every (store, SKU).

usage: python -m demand.forecast_job --config config.yaml --date 2024-05-14
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import time
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import yaml

logger = logging.getLogger("demand.forecast_job")


def load_bundle(model_dir: Path) -> dict:
    manifest = json.loads((model_dir / "latest.json").read_text())
    path = model_dir / manifest["bundle"]
    if hashlib.sha256(path.read_bytes()).hexdigest() != manifest["sha256"]:
        raise RuntimeError(f"checksum mismatch for {path}")
    bundle = joblib.load(path)
    logger.info("loaded demand model %s", bundle["version"])
    return bundle


def serving_features(history: pd.DataFrame, day: pd.Timestamp, calendar_row: pd.Series,
                     price: float, on_promo: int) -> dict:
    """Features for one (store, SKU) on ``day`` from its last 28 days of history."""
    recent = history.sort_values("date").tail(28)
    units = recent["units_sold"].to_numpy(dtype=float)
    prices = recent["price"].to_numpy(dtype=float)
    median_price = np.median(prices) if len(prices) else price
    return {
        "day_of_week": day.dayofweek,
        "month": day.month,
        "is_public_holiday": int(calendar_row["is_public_holiday"]),
        "is_school_holiday": int(calendar_row["is_school_holiday"]),
        "payday_week": int(calendar_row["payday_week"]),
        "price": price,
        "on_promo": on_promo,
        "price_vs_median_28d": price / median_price if median_price else 1.0,
        "lag_1": units[-1],
        "lag_7": units[-7:].mean(),
        "lag_14": units[-14],
        "lag_28": units[-28],
        "rolling_mean_7": units[-7:].mean(),
        "rolling_std_28": units.std(),
        "stock_on_hand_next_day": recent["stock_on_hand"].iloc[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="config.yaml")
    parser.add_argument("--date", required=True, help="the day to forecast")
    args = parser.parse_args()
    cfg = yaml.safe_load(Path(args.config).read_text())
    day = pd.Timestamp(args.date)

    bundle = load_bundle(Path(cfg["artifacts"]["dir"]))
    sales = pd.read_parquet(cfg["data"]["sales"])
    sales["date"] = pd.to_datetime(sales["date"])
    window = sales[(sales["date"] < day) & (sales["date"] >= day - pd.Timedelta(days=cfg["data"]["history_days"]))]
    calendar = pd.read_parquet(cfg["data"]["calendar"]).assign(date=lambda c: pd.to_datetime(c["date"]))
    calendar_row = calendar.set_index("date").loc[day]
    plan = pd.read_parquet(Path(cfg["data"]["sales"]).with_name("price_plan.parquet"))
    plan = plan[pd.to_datetime(plan["date"]) == day].set_index(["store_id", "sku"])

    started = time.perf_counter()
    rows, failed = [], 0
    for (store_id, sku), history in window.groupby(["store_id", "sku"]):
        try:
            planned = plan.loc[(store_id, sku)]
            feats = serving_features(history, day, calendar_row, float(planned["price"]), int(planned["on_promo"]))
            x = pd.DataFrame([feats])[bundle["features"]]
            units = max(float(bundle["model"].predict(x)[0]), 0.0)
            rows.append({"store_id": store_id, "sku": sku, "date": day.date(), "forecast_units": round(units, 2),
                         "model_version": bundle["version"]})
        except (KeyError, IndexError, ValueError):
            failed += 1
            logger.exception("no forecast for store %s sku %s", store_id, sku)

    out = Path(cfg["artifacts"]["forecasts_dir"]) / f"forecast_{day.date()}.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(out, index=False)
    logger.info("%d forecasts, %d failed, %.1fs, model %s -> %s", len(rows), failed,
                time.perf_counter() - started, bundle["version"], out)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
