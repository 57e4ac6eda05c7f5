"""Scoring helper imported by the loan-origination backend."""
import joblib
import pandas as pd

BUNDLE_PATH = "models/loan_default.joblib"


def score_application(application: dict) -> dict:
    """Probability of default for one application as posted by the origination form."""
    bundle = joblib.load(BUNDLE_PATH)
    income = application["monthly_income"]
    row = {
        "debt_to_income": application["monthly_debt"] / max(income, 1.0),
        "loan_to_income": application["loan_amount"] / max(12 * income, 1.0),
        "credit_lines": application["credit_lines"],
        "delinquencies_2y": application["delinquencies_2y"],
        "employment_years": application["employment_years"],
    }
    X = pd.DataFrame([row])[bundle["features"]]
    probability = bundle["model"].predict_proba(X)[0, 1]
    return {"default_probability": float(probability), "model_version": bundle["version"]}
