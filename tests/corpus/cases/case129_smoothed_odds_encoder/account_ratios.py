"""Per-account ratios the applicant model reads."""
import numpy as np


def ratio_features(frame):
    """Unsmoothed: both ratios divide by a column that is 0 for a new account."""
    out = frame.copy()
    out["late_share"] = out["late_payments"] / out["payments_made"]
    out["log_balance_ratio"] = np.log(out["balance"] / out["credit_limit"])
    return out
