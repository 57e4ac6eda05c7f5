"""Transaction features, shared by training and the scoring service."""
import numpy as np
import pandas as pd

FEATURES = ["amount", "amount_to_avg_ratio", "merchant_risk", "hour_of_day", "is_foreign", "txn_count_24h"]


def build_features(txns: pd.DataFrame) -> pd.DataFrame:
    """Row-wise features; a card with no 30-day history gets ratio 1.0 instead of a division by zero."""
    out = pd.DataFrame(index=txns.index)
    out["amount"] = txns["amount"].astype(float)
    avg = txns["avg_amount_30d"].astype(float)
    out["amount_to_avg_ratio"] = np.where(avg > 0, out["amount"] / avg.where(avg > 0, 1.0), 1.0)
    out["merchant_risk"] = txns["merchant_risk"].astype(float)
    out["hour_of_day"] = txns["hour_of_day"].astype(int)
    out["is_foreign"] = txns["is_foreign"].astype(int)
    out["txn_count_24h"] = txns["txn_count_24h"].astype(int)
    return out[FEATURES]
