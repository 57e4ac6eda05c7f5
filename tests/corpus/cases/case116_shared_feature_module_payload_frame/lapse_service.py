import joblib
import pandas as pd

from member_features import add_ratios

bundle = None


def lapse_risk(member: dict) -> dict:
    global bundle
    if bundle is None:
        bundle = joblib.load("artifacts/lapse-2024.05.joblib")
    frame = add_ratios(pd.DataFrame([member]))[bundle["columns"]]
    return {"risk": float(bundle["model"].predict_proba(frame)[0, 1]), "version": bundle["version"]}
