"""HTTP endpoint the CRM calls when an account manager opens a customer page."""
import pickle

import pandas as pd
from flask import Flask, jsonify, request

app = Flask(__name__)

with open("churn_rf.pkl", "rb") as fh:
    model = pickle.load(fh)

FEATURES = ["tenure_months", "total_spend", "spend_per_month", "support_calls", "seats"]


@app.route("/churn-score", methods=["POST"])
def churn_score():
    payload = request.get_json()
    row = dict(payload)
    row["spend_per_month"] = payload["total_spend"] / payload["tenure_months"]
    frame = pd.DataFrame([row])[FEATURES]
    probability = model.predict_proba(frame)[0, 1]
    return jsonify({"customer_id": payload.get("customer_id"), "churn_probability": float(probability)})


@app.route("/health")
def health():
    return {"status": "ok"}


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8080)
