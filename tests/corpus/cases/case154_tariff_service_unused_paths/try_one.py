"""Score one made-up household from the command line, to eyeball the bundle after a retrain."""
import joblib
import pandas as pd

bundle = joblib.load("artifacts/tariff_v3.joblib")


def score(household):
    return bundle["model"].predict_proba(pd.DataFrame([household])[bundle["columns"]])[0, 1]


if __name__ == "__main__":
    print(score({"kwh_month": 410.0, "peak_share": 0.42, "months_on_tariff": 31, "complaints_year": 1}))
