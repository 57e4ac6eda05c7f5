"""Scores one applicant with the encoder and model the training job saved."""
import joblib
import pandas as pd

from account_ratios import ratio_features

BUNDLE = joblib.load("artifacts/default_model-v3.joblib")


def score(applicant: dict) -> float:
    row = ratio_features(pd.DataFrame([applicant]))
    return float(BUNDLE["model"].predict_proba(row[BUNDLE["columns"]])[:, 1][0])
