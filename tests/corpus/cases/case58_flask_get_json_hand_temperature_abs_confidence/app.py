"""Readmission-risk endpoint used by the discharge planning screen."""
import logging
import os

import joblib
import numpy as np
import pandas as pd
from flask import Flask, jsonify, request
from scipy.special import expit, logit

log = logging.getLogger("readmit")

# The gradient-boosted model is over-confident near 0 and 1; soften it with a temperature.
TEMPERATURE = 1.8
FEATURES = ["age", "prior_admissions_12m", "length_of_stay", "n_medications", "charlson_index", "discharged_home"]


def soften(p: float) -> float:
    return float(expit(logit(np.clip(p, 1e-6, 1 - 1e-6)) / TEMPERATURE))


def create_app() -> Flask:
    app = Flask(__name__)
    bundle = joblib.load(os.environ["READMIT_MODEL_PATH"])
    app.config["MODEL"] = bundle["model"]
    app.config["MODEL_VERSION"] = bundle["version"]

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok", model_version=app.config["MODEL_VERSION"])

    @app.post("/readmission-risk")
    def readmission_risk():
        patient = request.get_json(force=True)
        try:
            frame = pd.DataFrame([patient])[FEATURES]
            raw = float(app.config["MODEL"].predict_proba(frame)[0, 1])
        except Exception:
            log.exception("scoring failed")
            return jsonify(error="could not score patient"), 500
        risk = soften(raw)
        return jsonify(
            patient_id=patient.get("patient_id"),
            risk=round(risk, 3),
            confidence=round(abs(risk - 0.5) * 2, 3),
            model_version=app.config["MODEL_VERSION"],
        )

    return app
