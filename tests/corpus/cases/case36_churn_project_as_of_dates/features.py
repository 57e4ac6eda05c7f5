"""Account features as of a given date: training passes each snapshot's date, scoring the extract date."""
import pandas as pd

FEATURES = ["tenure_days", "days_since_login", "logins_30d", "seats", "mrr", "failed_payments_90d"]
DEFAULTS = {"logins_30d": 0, "failed_payments_90d": 0, "seats": 1}


def build_features(accounts: pd.DataFrame, as_of) -> pd.DataFrame:
    feats = accounts.fillna(DEFAULTS)
    feats["tenure_days"] = (as_of - pd.to_datetime(accounts["created_at"])).dt.days
    feats["days_since_login"] = (as_of - pd.to_datetime(accounts["last_login_at"])).dt.days
    return feats[FEATURES]
