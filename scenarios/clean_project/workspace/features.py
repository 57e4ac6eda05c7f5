"""Feature definitions shared by training and serving.

Every feature is computed as of ``snapshot_date``: training uses the month-end snapshot date of
each row, serving the ``as_of`` date sent by the caller. Descriptions are in README.md.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

NUMERIC_FEATURES = [
    "tenure_days",
    "days_since_last_order",
    "boxes_last_90d",
    "skip_rate_90d",
    "avg_box_value",
    "support_contacts_90d",
    "discount_share",
]
CATEGORICAL_FEATURES = ["plan", "region"]
FEATURES = NUMERIC_FEATURES + CATEGORICAL_FEATURES


def build_features(raw: pd.DataFrame) -> pd.DataFrame:
    """One row per input row, columns in FEATURES order."""
    snapshot = pd.to_datetime(raw["snapshot_date"])
    scheduled = raw["boxes_last_90d"] + raw["skipped_last_90d"]
    orders = raw["orders_last_90d"]

    out = pd.DataFrame(index=raw.index)
    out["tenure_days"] = (snapshot - pd.to_datetime(raw["signup_date"])).dt.days
    # NaT for subscribers who never received a box: left missing, imputed in the model pipeline
    out["days_since_last_order"] = (snapshot - pd.to_datetime(raw["last_order_date"])).dt.days
    out["boxes_last_90d"] = raw["boxes_last_90d"]
    out["skip_rate_90d"] = np.where(scheduled > 0, raw["skipped_last_90d"] / scheduled.where(scheduled > 0), 0.0)
    out["avg_box_value"] = np.where(orders > 0, raw["revenue_last_90d"] / orders.where(orders > 0), 0.0)
    out["support_contacts_90d"] = raw["support_contacts_90d"]
    out["discount_share"] = raw["discount_share"].clip(0.0, 1.0)
    out["plan"] = raw["plan"].astype(str)
    out["region"] = raw["region"].astype(str)
    return out[FEATURES]
