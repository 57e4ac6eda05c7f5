"""Churn scoring API: the persisted training pipeline, validated requests, measured predictions."""
import hashlib
import logging
import os
import time
from contextlib import asynccontextmanager
from pathlib import Path

import joblib
import pandas as pd
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from train import NUMERIC, CATEGORICAL, build_features

log = logging.getLogger("churn.api")
ARTIFACT = Path(os.environ.get("CHURN_MODEL_PATH", "artifacts/model.joblib"))
EXPECTED_SHA256 = os.environ.get("CHURN_MODEL_SHA256", "")
state: dict = {}


class Customer(BaseModel):
    customer_id: str
    signup_date: str
    last_order_date: str
    snapshot_date: str
    order_count: int = Field(ge=0)
    total_revenue: float = Field(ge=0)
    segment: str


@asynccontextmanager
async def lifespan(app: FastAPI):
    digest = hashlib.sha256(ARTIFACT.read_bytes()).hexdigest()
    if EXPECTED_SHA256 and digest != EXPECTED_SHA256:
        raise RuntimeError(f"model artifact checksum mismatch: {digest}")
    state["bundle"] = joblib.load(ARTIFACT)
    yield


app = FastAPI(lifespan=lifespan)


@app.get("/health")
def health() -> dict:
    return {"status": "ok" if "bundle" in state else "loading", "model_version": state.get("bundle", {}).get("trained_at")}


@app.post("/predict")
def predict(customers: list[Customer]) -> dict:
    bundle = state["bundle"]
    started = time.perf_counter()
    results = []
    for customer in customers:
        try:
            frame = pd.DataFrame([customer.model_dump()])
            for column in ("signup_date", "last_order_date", "snapshot_date"):
                frame[column] = pd.to_datetime(frame[column])
            features = build_features(frame)[NUMERIC + CATEGORICAL]
            probability = float(bundle["model"].predict_proba(features)[0, 1])
            results.append({"customer_id": customer.customer_id, "probability": probability})
        except (ValueError, KeyError) as exc:
            log.warning("cannot score %s: %s", customer.customer_id, exc)
            results.append({"customer_id": customer.customer_id, "error": str(exc)})
    log.info("scored %d customers in %.1f ms", len(customers), (time.perf_counter() - started) * 1000)
    if not results:
        raise HTTPException(status_code=400, detail="no customers given")
    return {"model_version": bundle["trained_at"], "predictions": results}
