"""Load and clean the loan book extract and build the model matrix."""
from __future__ import annotations

import numpy as np
import pandas as pd

TARGET = "defaulted_12m"

NUMERIC = [
    "loan_amount",
    "term_months",
    "interest_rate",
    "annual_revenue",
    "years_in_business",
    "employees",
    "existing_credit_lines",
    "prior_delinquencies_24m",
    "collateral_value",
    "owner_credit_score",
]
CATEGORICAL = ["industry_code", "region", "loan_purpose"]


def load_loans(path: str) -> pd.DataFrame:
    df = pd.read_csv(path, parse_dates=["disbursed_at"])
    df = df[df["status"].isin(["closed", "defaulted", "active_seasoned"])]
    df["industry_code"] = df["industry_code"].astype(str).str[:2]  # NACE division
    df["loan_to_revenue"] = df["loan_amount"] / df["annual_revenue"].clip(lower=1_000)
    df["collateral_coverage"] = (df["collateral_value"] / df["loan_amount"]).clip(upper=5)
    return df


def target_encode(df: pd.DataFrame, column: str, target: str, smoothing: float) -> pd.Series:
    """Smoothed mean of the target per category (m-estimate)."""
    prior = df[target].mean()
    stats = df.groupby(column)[target].agg(["sum", "count"])
    encoding = (stats["sum"] + smoothing * prior) / (stats["count"] + smoothing)
    return df[column].map(encoding).fillna(prior)


def build_matrix(df: pd.DataFrame, smoothing: float = 20.0) -> tuple[pd.DataFrame, pd.Series]:
    X = df[NUMERIC + ["loan_to_revenue", "collateral_coverage"]].copy()
    for column in CATEGORICAL:
        X[f"{column}_te"] = target_encode(df, column, TARGET, smoothing)
    return X, df[TARGET].astype(int)
