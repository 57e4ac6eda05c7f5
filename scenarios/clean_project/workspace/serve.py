"""Cancellation scoring API.

POST /predict scores one subscriber as of a date; GET /health reports whether a model is loaded and
which one. The model directory comes from config.yaml (``artifacts.dir``) and the version to serve
from the MODEL_VERSION environment variable.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from datetime import date
from pathlib import Path
from typing import Literal, Optional

import joblib
import pandas as pd
import yaml
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field, model_validator

from features import FEATURES, build_features

logger = logging.getLogger("serve")

CONFIG = yaml.safe_load(Path(os.environ.get("CHURN_CONFIG", "config.yaml")).read_text())
MODEL_DIR = Path(CONFIG["artifacts"]["dir"]) / os.environ["MODEL_VERSION"]

app = FastAPI(title="subscription-cancellation")

_bundle: Optional[dict] = None
_bundle_lock = threading.Lock()


def get_bundle() -> dict:
    """Load the configured model once, on first use; later calls return the cached bundle."""
    global _bundle
    if _bundle is None:
        with _bundle_lock:
            if _bundle is None:
                manifest = json.loads((MODEL_DIR / "manifest.json").read_text())
                path = MODEL_DIR / "model.joblib"
                if hashlib.sha256(path.read_bytes()).hexdigest() != manifest["sha256"]:
                    raise RuntimeError(f"checksum mismatch for {path}")
                bundle = joblib.load(path)
                if bundle["features"] != FEATURES:
                    raise RuntimeError("model was trained on a different feature list")
                _bundle = bundle
                logger.info("loaded model %s", bundle["version"])
    return _bundle


class SubscriberIn(BaseModel):
    customer_id: str = Field(min_length=1, max_length=64)
    as_of: date
    signup_date: date
    plan: Literal["classic", "family", "veggie", "lite"]
    region: str = Field(min_length=2, max_length=32)
    boxes_last_90d: int = Field(ge=0, le=100)
    skipped_last_90d: int = Field(ge=0, le=100)
    revenue_last_90d: float = Field(ge=0, le=50_000)
    orders_last_90d: int = Field(ge=0, le=100)
    last_order_date: Optional[date] = None
    support_contacts_90d: int = Field(ge=0, le=500)
    discount_share: float = Field(ge=0.0, le=1.0)

    @model_validator(mode="after")
    def dates_in_order(self) -> "SubscriberIn":
        if self.signup_date > self.as_of:
            raise ValueError("signup_date is after as_of")
        if self.last_order_date is not None and self.last_order_date > self.as_of:
            raise ValueError("last_order_date is after as_of")
        return self


class PredictionOut(BaseModel):
    customer_id: str
    cancel_probability: float
    flagged: bool
    threshold: float
    model_version: str


@app.get("/health")
def health() -> dict:
    try:
        bundle = get_bundle()
    except Exception as exc:  # report, do not crash the probe
        logger.error("model not available: %s", exc)
        return {"status": "unavailable", "model_version": None}
    return {"status": "ok", "model_version": bundle["version"]}


@app.post("/predict", response_model=PredictionOut)
def predict(subscriber: SubscriberIn) -> PredictionOut:
    started = time.perf_counter()
    try:
        bundle = get_bundle()
        raw = pd.DataFrame([subscriber.model_dump()]).rename(columns={"as_of": "snapshot_date"})
        features = build_features(raw)
        probability = float(bundle["pipeline"].predict_proba(features)[0, 1])
    except Exception:
        logger.exception("prediction failed for %s", subscriber.customer_id)
        raise HTTPException(status_code=500, detail="prediction failed")

    result = PredictionOut(
        customer_id=subscriber.customer_id,
        cancel_probability=round(probability, 4),
        flagged=probability >= bundle["threshold"],
        threshold=bundle["threshold"],
        model_version=bundle["version"],
    )
    logger.info("prediction customer=%s p=%.4f flagged=%s model=%s latency_ms=%.1f", subscriber.customer_id,
                probability, result.flagged, bundle["version"], (time.perf_counter() - started) * 1000)
    return result
