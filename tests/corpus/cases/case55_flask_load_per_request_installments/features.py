"""BNPL default features shared by training and the checkout API.

basket_value            order total in EUR at checkout
installments            number of instalments the customer picked (3, 6 or 12)
value_per_installment   basket value per instalment; NaN when installments is 0
account_age_days        days since the shop account was created, as reported by the account service
late_payments_12m       instalments paid late in the last twelve months
"""
import numpy as np
import pandas as pd

FEATURES = ["basket_value", "installments", "value_per_installment", "account_age_days", "late_payments_12m"]


def make_features(df: pd.DataFrame) -> pd.DataFrame:
    out = df[["basket_value", "installments", "account_age_days", "late_payments_12m"]].astype(float)
    out["value_per_installment"] = out["basket_value"] / out["installments"].replace(0, np.nan)
    return out[FEATURES]
