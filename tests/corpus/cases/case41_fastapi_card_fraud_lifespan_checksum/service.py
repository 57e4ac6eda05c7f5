"""Fraud scoring API: the bundle is loaded once at startup after its checksum is verified."""
import hashlib
import logging
import os
from contextlib import asynccontextmanager
from pathlib import Path

import joblib
import pandas as pd
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from features import build_features

log = logging.getLogger("fraud-service")
MODEL_DIR = Path(os.environ.get("FRAUD_MODEL_DIR", "artifacts"))
VERSION = os.environ["FRAUD_MODEL_VERSION"]
state: dict = {}


def load_verified_bundle(directory: Path, version: str) -> dict:
    artifact = directory / f"fraud-{version}.joblib"
    expected = (directory / f"fraud-{version}.sha256").read_text().strip()
    actual = hashlib.sha256(artifact.read_bytes()).hexdigest()
    if actual != expected:
        raise RuntimeError(f"checksum mismatch for {artifact}")
    return joblib.load(artifact)


@asynccontextmanager
async def lifespan(app: FastAPI):
    state["bundle"] = load_verified_bundle(MODEL_DIR, VERSION)
    yield
    state.clear()


app = FastAPI(lifespan=lifespan)


class Transaction(BaseModel):
    amount: float = Field(ge=0)
    avg_amount_30d: float = Field(ge=0)
    merchant_risk: float = Field(ge=0, le=1)
    hour_of_day: int = Field(ge=0, le=23)
    is_foreign: bool
    txn_count_24h: int = Field(ge=0)


class Score(BaseModel):
    fraud_probability: float
    model_version: str


@app.post("/score", response_model=Score)
def score(txn: Transaction) -> Score:
    bundle = state["bundle"]
    try:
        X = build_features(pd.DataFrame([txn.model_dump()]))
        p = float(bundle["model"].predict_proba(X[bundle["features"]])[0, 1])
    except Exception:
        log.exception("scoring failed")
        raise HTTPException(status_code=500, detail="scoring failed")
    return Score(fraud_probability=p, model_version=bundle["version"])


@app.get("/health")
def health() -> dict:
    return {"model_loaded": "bundle" in state, "version": VERSION}
