"""Demand-forecast API for store replenishment (Flask, served by gunicorn with threaded workers).

Store managers can pin a model version per region; the default is whatever ACTIVE_VERSION says.
"""
import functools
import logging
import os

import joblib
import numpy as np
from flask import Flask, abort, jsonify, request

log = logging.getLogger("replenishment")
MODEL_DIR = os.environ["FORECAST_MODEL_DIR"]
ACTIVE_VERSION = {"value": os.environ["FORECAST_ACTIVE_VERSION"]}
app = Flask(__name__)


@functools.lru_cache(maxsize=None)
def load_model(version: str):
    log.info("loading forecast model %s", version)
    return joblib.load(os.path.join(MODEL_DIR, f"forecast-{version}.joblib"))


@functools.lru_cache(maxsize=100_000)
def forecast_units(store_id: str, sku: str, week: int, price: float, on_promo: bool) -> float:
    model = load_model(ACTIVE_VERSION["value"])
    x = np.array([[week, price, float(on_promo), model["store_index"].get(store_id, -1)]])
    return float(model["regressor"].predict(x)[0])


@app.post("/forecast")
def forecast():
    body = request.json
    try:
        units = forecast_units(body["store_id"], body["sku"], int(body["week"]), float(body["price"]),
                               bool(body.get("on_promo", False)))
    except (KeyError, TypeError, ValueError) as exc:
        abort(400, description=str(exc))
    return jsonify(units=units, model_version=ACTIVE_VERSION["value"])


@app.post("/admin/activate/<version>")
def activate(version: str):
    load_model(version)
    ACTIVE_VERSION["value"] = version
    return jsonify(active=version)


@app.get("/health")
def health():
    try:
        load_model(ACTIVE_VERSION["value"])
    except Exception as exc:
        return jsonify(ok=False, error=str(exc)), 503
    return jsonify(ok=True, model_version=ACTIVE_VERSION["value"])
