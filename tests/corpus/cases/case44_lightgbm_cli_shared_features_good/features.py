"""Policy-lapse features used by train.py and predict_cli.py alike."""
import numpy as np
import pandas as pd

FEATURES = ["premium_to_income", "claims_per_year", "policy_years", "payment_delays", "channel_code"]
CHANNELS = {"agent": 0, "online": 1, "bank": 2, "phone": 3}


def build_features(policies: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=policies.index)
    income = policies["annual_income"].replace(0, np.nan)
    out["premium_to_income"] = policies["annual_premium"] / income
    years = policies["policy_years"].astype(float)
    out["claims_per_year"] = policies["n_claims"] / np.maximum(years, 1.0)
    out["policy_years"] = years
    out["payment_delays"] = policies["payment_delays"].astype(int)
    out["channel_code"] = policies["channel"].map(CHANNELS).fillna(-1).astype(int)
    return out[FEATURES]
