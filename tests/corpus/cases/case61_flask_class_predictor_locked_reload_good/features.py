"""Subscriber features shared with the training project (which imports this module)."""
import numpy as np
import pandas as pd

FEATURES = ["tenure_days", "orders_90d", "avg_order_value", "days_since_last_order", "support_tickets_90d"]


def build_features(customers: pd.DataFrame) -> pd.DataFrame:
    snapshot = pd.to_datetime(customers["snapshot_date"])
    out = pd.DataFrame(index=customers.index)
    out["tenure_days"] = (snapshot - pd.to_datetime(customers["signup_date"])).dt.days
    out["orders_90d"] = customers["orders_90d"]
    orders = customers["orders_90d"].astype(float)
    out["avg_order_value"] = np.where(orders > 0, customers["revenue_90d"] / orders.where(orders > 0, 1.0), 0.0)
    out["days_since_last_order"] = (snapshot - pd.to_datetime(customers["last_order_date"])).dt.days
    out["support_tickets_90d"] = customers["support_tickets_90d"]
    return out[FEATURES]
