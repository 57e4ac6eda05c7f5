"""Propensity API used by the storefront for signed-in customers."""
from __future__ import annotations

import logging
import os
import time
from contextlib import asynccontextmanager
from pathlib import Path

import joblib
import pandas as pd
import yaml
from fastapi import FastAPI, HTTPException

logger = logging.getLogger("propensity-api")

CONFIG = yaml.safe_load(Path(os.environ.get("API_CONFIG", "services/scoring_api/config.yaml")).read_text())
STATE: dict = {}


@asynccontextmanager
async def lifespan(app: FastAPI):
    STATE["bundle"] = joblib.load(CONFIG["model"]["bundle"])
    logger.info("loaded propensity model %s", STATE["bundle"]["version"])
    yield
    STATE.clear()


app = FastAPI(title=CONFIG["service"]["name"], lifespan=lifespan)


def features_from_payload(payload: dict) -> pd.DataFrame:
    """The storefront sends pre-aggregated counters from the customer profile service."""
    cap = CONFIG["features"]["recency_cap_days"]
    row = {
        "recency_days": min(payload.get("days_since_last_order", cap), cap),
        "orders_per_month": payload["orders_365d"] / 12,
        "avg_order_value": payload["revenue_365d"] / max(payload["orders_365d"], 1),
        "tenure_days": payload["tenure_days"],
        "sessions_30d": payload["sessions_30d"],
        "email_click_rate_90d": payload.get("email_click_rate_90d", 0.0),
        "has_app": int(payload.get("has_app", False)),
    }
    return pd.DataFrame([row])


@app.get("/health")
def health() -> dict:
    bundle = STATE.get("bundle")
    return {"status": "ok" if bundle else "loading", "model_version": bundle["version"] if bundle else None}


@app.post("/score")
def score(payload: dict) -> dict:
    started = time.perf_counter()
    bundle = STATE["bundle"]
    try:
        x = features_from_payload(payload)[bundle["features"]]
        probability = float(bundle["model"].predict_proba(x)[0, 1])
    except KeyError as exc:
        raise HTTPException(status_code=400, detail=f"missing field {exc}")
    threshold = CONFIG["decision"]["threshold"]
    logger.info("score customer=%s p=%.3f model=%s %.1fms", payload.get("customer_id"), probability,
                bundle["version"], (time.perf_counter() - started) * 1000)
    return {
        "customer_id": payload.get("customer_id"),
        "probability": round(probability, 4),
        "show_incentive": probability >= threshold,
        "model_version": bundle["version"],
    }
