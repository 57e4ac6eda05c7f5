"""Customer features as of a snapshot date.

Input: one row per customer with the raw warehouse columns (dates as timestamps); ``as_of`` is the
snapshot date (a Series aligned with the rows, or one timestamp for all rows).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

FEATURES = [
    "recency_days",
    "orders_per_month",
    "avg_order_value",
    "tenure_days",
    "sessions_30d",
    "email_click_rate_90d",
    "has_app",
]


def recency_days(last_order_at: pd.Series, as_of, cap_days: int) -> pd.Series:
    days = (as_of - last_order_at).dt.days
    return days.fillna(cap_days).clip(upper=cap_days)


def orders_per_month(orders_365d: pd.Series, first_order_at: pd.Series, as_of) -> pd.Series:
    active_months = ((as_of - first_order_at).dt.days / 30.4).clip(lower=1, upper=12).fillna(1)
    return orders_365d / active_months


def avg_order_value(net_revenue_365d: pd.Series, orders_365d: pd.Series) -> pd.Series:
    return pd.Series(np.where(orders_365d > 0, net_revenue_365d / orders_365d.where(orders_365d > 0), 0.0),
                     index=orders_365d.index)


def build_features(raw: pd.DataFrame, as_of, recency_cap_days: int) -> pd.DataFrame:
    out = pd.DataFrame(index=raw.index)
    out["recency_days"] = recency_days(raw["last_order_at"], as_of, recency_cap_days)
    out["orders_per_month"] = orders_per_month(raw["orders_365d"], raw["first_order_at"], as_of)
    out["avg_order_value"] = avg_order_value(raw["net_revenue_365d"], raw["orders_365d"])
    out["tenure_days"] = (as_of - raw["account_created_at"]).dt.days
    out["sessions_30d"] = raw["sessions_30d"]
    delivered = raw["emails_delivered_90d"]
    out["email_click_rate_90d"] = np.where(delivered > 0, raw["email_clicks_90d"] / delivered.where(delivered > 0), 0.0)
    out["has_app"] = raw["has_app"].astype(int)
    return out[FEATURES]
