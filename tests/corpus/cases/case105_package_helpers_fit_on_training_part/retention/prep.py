"""Scaling and balancing helpers: the caller decides which rows they learn from."""
import pandas as pd
from imblearn.over_sampling import RandomOverSampler
from sklearn.preprocessing import StandardScaler

NUMERIC = ["monthly_fee", "support_calls", "data_gb"]


def fit_scaler(table: pd.DataFrame) -> StandardScaler:
    return StandardScaler().fit(table[NUMERIC])


def balance(x: pd.DataFrame, y: pd.Series):
    return RandomOverSampler(random_state=13).fit_resample(x, y)
