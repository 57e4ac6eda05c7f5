"""Cleaning, scaling and balancing for the churn table."""
import pandas as pd
from sklearn.preprocessing import PowerTransformer
from sklearn.utils import resample

NUMERIC = ["monthly_fee", "support_calls", "data_gb"]


def tidy(table: pd.DataFrame) -> pd.DataFrame:
    table = table.drop(columns=["account_ref"])
    table["plan"] = table["plan"].map({"basic": 0, "plus": 1, "max": 2})
    table[NUMERIC] = PowerTransformer().fit_transform(table[NUMERIC])
    return table


def even_out(table: pd.DataFrame, label: str) -> pd.DataFrame:
    few = table[table[label] == 1]
    many = table[table[label] == 0]
    grown = resample(few, replace=True, n_samples=len(many), random_state=13)
    return pd.concat([many, grown])
