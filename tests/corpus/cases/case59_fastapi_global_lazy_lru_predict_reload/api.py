"""Price-elasticity scoring for the promotions planner."""
import logging
import os
from functools import lru_cache

import joblib
import numpy as np
from fastapi import FastAPI, HTTPException

log = logging.getLogger("elasticity")
app = FastAPI(title="promo-elasticity")

MODEL_PATH = os.environ.get("ELASTICITY_MODEL", "models/elasticity.joblib")
_model = None


def get_model():
    global _model
    if _model is None:
        log.info("loading %s", MODEL_PATH)
        _model = joblib.load(MODEL_PATH)
    return _model


@lru_cache(maxsize=8192)
def predict_uplift(sku: str, discount_pct: float, base_price: float, weekly_units: float) -> float:
    x = np.array([[discount_pct, np.log(base_price), np.log(weekly_units), discount_pct * base_price]])
    return float(get_model().predict(x)[0])


@app.post("/uplift")
def uplift(payload: dict):
    try:
        value = predict_uplift(
            payload["sku"], float(payload["discount_pct"]), float(payload["base_price"]), float(payload["weekly_units"])
        )
    except (KeyError, ValueError) as exc:
        raise HTTPException(status_code=422, detail=f"bad request: {exc}")
    return {"sku": payload["sku"], "expected_uplift": value}


@app.post("/admin/reload")
def reload_model():
    global _model
    _model = joblib.load(MODEL_PATH)
    return {"reloaded": MODEL_PATH}
