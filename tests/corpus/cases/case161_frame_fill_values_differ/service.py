"""Scores one household for the collections team."""
import joblib
import pandas as pd
from flask import Flask, jsonify, request

app = Flask(__name__)
arrears_model = joblib.load("arrears.joblib")


@app.post("/arrears-risk")
def arrears_risk():
    household = pd.DataFrame([request.get_json()])
    household = household.fillna({"kwh_last_quarter": -1, "late_payments": 0, "months_on_tariff": 0})
    risk = arrears_model.predict_proba(household[["kwh_last_quarter", "late_payments", "months_on_tariff"]])[0, 1]
    return jsonify(risk=float(risk))
