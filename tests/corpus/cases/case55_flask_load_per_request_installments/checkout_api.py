"""Called by checkout before offering pay-in-installments."""
import logging
import os

import joblib
import pandas as pd
from flask import Flask, jsonify, request

from features import make_features

log = logging.getLogger("bnpl")
app = Flask(__name__)


@app.post("/bnpl/decision")
def decision():
    body = request.json
    try:
        bundle = joblib.load(os.environ["BNPL_MODEL_PATH"])
        X = make_features(pd.DataFrame([body]))[bundle["features"]]
        p_default = float(bundle["model"].predict_proba(X)[0, 1])
    except Exception:
        log.exception("bnpl scoring failed")
        return jsonify({"offer": False, "reason": "scoring unavailable"}), 503
    expected_loss_per_installment = p_default * body["basket_value"] / body["installments"]
    return jsonify({"p_default": p_default, "expected_loss_per_installment": expected_loss_per_installment,
                    "offer": expected_loss_per_installment < float(os.environ.get("BNPL_MAX_LOSS", "5")),
                    "model_version": bundle["version"]})
