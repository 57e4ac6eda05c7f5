"""Nightly batch scoring of every active customer (cron: 02:15, after the warehouse load).

usage: python services/batch_scorer/run_batch.py --run-date 2024-06-01
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

import joblib
import pandas as pd
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "training"))
from features.customer import orders_per_month, recency_days  # noqa: E402

logger = logging.getLogger("batch_scorer")

BUNDLE = os.environ.get("PROPENSITY_BUNDLE", "/models/propensity/current.joblib")

ACTIVE_CUSTOMERS_SQL = text("""
    SELECT customer_id, last_order_at, first_order_at, account_created_at, orders_365d,
           gross_revenue_365d, sessions_30d, emails_delivered_90d, email_clicks_90d, has_app
    FROM analytics.customer_profile
    WHERE is_active
""")


def score_customers(customers: pd.DataFrame, bundle: dict, as_of: pd.Timestamp) -> pd.DataFrame:
    model, cap = bundle["model"], bundle["recency_cap_days"]
    results = []
    for _, row in customers.iterrows():
        single = row.to_frame().T
        features = {
            "recency_days": recency_days(pd.to_datetime(single["last_order_at"]), as_of, cap).iloc[0],
            "orders_per_month": orders_per_month(single["orders_365d"].astype(float),
                                                 pd.to_datetime(single["first_order_at"]), as_of).iloc[0],
            "avg_order_value": row["gross_revenue_365d"] / row["orders_365d"],
            "tenure_days": (as_of - pd.Timestamp(row["account_created_at"])).days,
            "sessions_30d": row["sessions_30d"],
            "email_click_rate_90d": row["email_clicks_90d"] / row["emails_delivered_90d"],
            "has_app": int(row["has_app"]),
        }
        x = pd.DataFrame([features])[bundle["features"]]
        probability = float(model.predict_proba(x)[0, 1])
        results.append({"customer_id": row["customer_id"], "score_date": as_of.date(),
                        "probability": probability, "model_version": bundle["version"]})
    return pd.DataFrame(results)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--run-date", required=True)
    args = parser.parse_args()
    as_of = pd.Timestamp(args.run_date)

    engine = create_engine(os.environ["WAREHOUSE_URL"])
    bundle = joblib.load(BUNDLE)
    with engine.connect() as conn:
        customers = pd.read_sql(ACTIVE_CUSTOMERS_SQL, conn)
    logger.info("scoring %d customers with model %s", len(customers), bundle["version"])

    scores = score_customers(customers, bundle, as_of)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM marketing.propensity_scores WHERE score_date = :d"), {"d": as_of.date()})
        scores.to_sql("propensity_scores", conn, schema="marketing", if_exists="append", index=False)
    logger.info("wrote %d scores for %s", len(scores), as_of.date())


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
