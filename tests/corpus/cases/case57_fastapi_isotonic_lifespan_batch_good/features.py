"""Trial-account features, shared by training and the scoring service."""
import numpy as np
import pandas as pd

FEATURES = [
    "seats", "log_events_14d", "events_per_seat", "invites_accepted_rate",
    "integrations_connected", "days_active_14d", "support_tickets_14d",
]


def safe_ratio(numerator: pd.Series, denominator: pd.Series, default: float = 0.0) -> pd.Series:
    """numerator / denominator, with `default` wherever the denominator is zero or missing."""
    denominator = denominator.astype(float)
    valid = denominator > 0
    return pd.Series(np.where(valid, numerator / denominator.where(valid, 1.0), default), index=numerator.index)


def build_features(accounts: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=accounts.index)
    out["seats"] = accounts["seats"].astype(int)
    out["log_events_14d"] = np.log1p(accounts["events_14d"].clip(lower=0))
    out["events_per_seat"] = safe_ratio(accounts["events_14d"], accounts["seats"])
    out["invites_accepted_rate"] = safe_ratio(accounts["invites_accepted"], accounts["invites_sent"])
    out["integrations_connected"] = accounts["integrations_connected"].astype(int)
    out["days_active_14d"] = accounts["days_active_14d"].astype(int)
    out["support_tickets_14d"] = accounts["support_tickets_14d"].astype(int)
    if not np.isfinite(out.to_numpy(dtype=float)).all():
        raise ValueError("non-finite feature values")
    return out[FEATURES]
