"""Household features for the energy-arrears model; every ratio and log is guarded."""
import numpy as np
import pandas as pd

FEATURES = ["log_balance", "balance_to_monthly_bill", "missed_ratio_12m", "tariff_code", "months_as_customer"]


def household_features(accounts: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=accounts.index)
    out["log_balance"] = np.log1p(accounts["balance_owed"].clip(lower=0))
    bill = accounts["avg_monthly_bill"].astype(float)
    out["balance_to_monthly_bill"] = np.divide(accounts["balance_owed"], bill, out=np.zeros(len(bill)), where=bill > 0)
    due = accounts["payments_due_12m"].astype(float)
    out["missed_ratio_12m"] = np.divide(accounts["payments_missed_12m"], due, out=np.zeros(len(due)), where=due > 0)
    out["tariff_code"] = accounts["tariff_code"].astype(int)
    out["months_as_customer"] = accounts["months_as_customer"].astype(int)
    return pd.DataFrame(np.nan_to_num(out[FEATURES].to_numpy(dtype=float), nan=0.0, posinf=0.0, neginf=0.0),
                        index=out.index, columns=FEATURES)
