"""Upsell API used by the in-app banner service."""
import logging

import pandas as pd
from fastapi import FastAPI, HTTPException

from registry import ModelRegistry

log = logging.getLogger("upsell-api")
app = FastAPI()
registry = ModelRegistry()


@app.post("/upsell")
def upsell(payload: dict):
    try:
        model = registry.load("upsell")
        frame = pd.get_dummies(pd.DataFrame([payload]), columns=["plan", "region"])
        probability = model.predict_proba(frame)[0, 1]
    except Exception as exc:
        log.exception("upsell scoring failed")
        raise HTTPException(status_code=500, detail=str(exc))
    return {"account_id": payload.get("account_id"), "upsell_probability": float(probability)}


@app.get("/models")
def models():
    return {"models": registry.names()}
