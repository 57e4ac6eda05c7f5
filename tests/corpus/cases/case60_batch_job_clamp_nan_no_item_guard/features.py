"""Merchant features for the monthly default-risk refresh."""
import numpy as np
import pandas as pd

FEATURES = ["revenue_growth", "refund_rate", "log_gmv", "chargebacks_per_k", "months_on_platform"]


def merchant_features(merchants: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=merchants.index)
    out["revenue_growth"] = merchants["revenue_3m"] / merchants["revenue_prev_3m"] - 1.0
    out["refund_rate"] = merchants["refunds_3m"] / merchants["orders_3m"]
    out["log_gmv"] = np.log(merchants["gmv_12m"])
    out["chargebacks_per_k"] = 1000.0 * merchants["chargebacks_12m"] / merchants["orders_12m"].clip(lower=1)
    out["months_on_platform"] = merchants["months_on_platform"]
    return out[FEATURES]
