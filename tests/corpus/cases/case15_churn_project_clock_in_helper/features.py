"""Feature construction shared by training and scoring."""
import numpy as np
import pandas as pd

NUMERIC_FEATURES = [
    "tenure_days",
    "days_since_last_order",
    "orders_90d",
    "avg_basket",
    "returns_ratio",
    "newsletter_opt_in",
]


def days_since(moments: pd.Series) -> pd.Series:
    return (pd.Timestamp.now() - pd.to_datetime(moments)).dt.days


def build_features(accounts: pd.DataFrame) -> pd.DataFrame:
    feats = pd.DataFrame(index=accounts.index)
    feats["tenure_days"] = days_since(accounts["first_order_at"])

    feats["days_since_last_order"] = days_since(accounts["last_order_at"])

    feats["orders_90d"] = accounts["orders_90d"]
    feats["avg_basket"] = accounts["revenue_90d"] / accounts["orders_90d"].replace(0, np.nan)
    feats["returns_ratio"] = accounts["returns_90d"] / accounts["orders_90d"].clip(lower=1)
    feats["newsletter_opt_in"] = accounts["newsletter_opt_in"].astype(int)
    return feats.fillna({"avg_basket": 0.0})
