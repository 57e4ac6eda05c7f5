"""Subscription features, shared by training and the service.

Every feature is defined relative to an explicit ``as_of`` date, and every ratio or log is guarded
so the model never sees NaN or inf.
"""
import numpy as np
import pandas as pd

NUMERIC = ["tenure_days", "days_since_last_login", "log_monthly_fee", "logins_per_week", "seats_used_ratio",
           "tickets_90d"]
CATEGORICAL = ["plan", "billing_cycle"]
FEATURES = NUMERIC + CATEGORICAL


def guarded_ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, 0.0 where the denominator is zero or missing."""
    denominator = denominator.astype(float)
    valid = denominator > 0
    return pd.Series(np.where(valid, numerator.astype(float) / denominator.where(valid, 1.0), 0.0),
                     index=numerator.index)


def build_features(subs: pd.DataFrame) -> pd.DataFrame:
    as_of = pd.to_datetime(subs["as_of"])
    out = pd.DataFrame(index=subs.index)
    out["tenure_days"] = (as_of - pd.to_datetime(subs["started_on"])).dt.days.clip(lower=0)
    out["days_since_last_login"] = (as_of - pd.to_datetime(subs["last_login_on"])).dt.days.clip(lower=0)
    out["log_monthly_fee"] = np.log1p(subs["monthly_fee"].astype(float).clip(lower=0))
    out["logins_per_week"] = guarded_ratio(subs["logins_90d"], pd.Series(90 / 7, index=subs.index))
    out["seats_used_ratio"] = guarded_ratio(subs["seats_used"], subs["seats_purchased"])
    out["tickets_90d"] = subs["tickets_90d"].astype(int)
    out["plan"] = subs["plan"].astype(str)
    out["billing_cycle"] = subs["billing_cycle"].astype(str)
    numeric = out[NUMERIC].to_numpy(dtype=float)
    if not np.isfinite(numeric).all():
        raise ValueError("non-finite feature values")
    return out[FEATURES]
