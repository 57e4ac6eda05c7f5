import joblib
import pandas as pd

bundle = None


def lapse_risk(member: dict) -> dict:
    global bundle
    if bundle is None:
        bundle = joblib.load("artifacts/lapse-2024.05.joblib")
    row = {**member, "spend_per_visit": member["spend_90d"] / member["visits_90d"]}
    frame = pd.DataFrame([row])[bundle["columns"]]
    return {"risk": float(bundle["model"].predict_proba(frame)[0, 1]), "version": bundle["version"]}
