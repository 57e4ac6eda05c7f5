"""Cancellation-risk API; the pipeline is loaded once in the startup hook, after a checksum check."""
import hashlib
import json
import os
from pathlib import Path
from typing import Literal

import joblib
import pandas as pd
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from booking_features import booking_frame

MODEL_DIR = Path(os.environ.get("BOOKING_MODEL_DIR", "models"))
app = FastAPI()
MODEL: dict = {}


@app.on_event("startup")
def load_model() -> None:
    current = json.loads((MODEL_DIR / "current.json").read_text())
    artifact = MODEL_DIR / current["artifact"]
    if hashlib.sha256(artifact.read_bytes()).hexdigest() != current["sha256"]:
        raise RuntimeError(f"{artifact} failed its integrity check")
    MODEL.update(joblib.load(artifact))


class Booking(BaseModel):
    lead_time_days: int = Field(ge=0, le=730)
    nights: int = Field(ge=0, le=60)
    adults: int = Field(ge=1, le=10)
    children: int = Field(ge=0, le=10)
    previous_cancellations: int = Field(ge=0)
    total_price: float = Field(ge=0)
    channel: Literal["direct", "ota", "corporate", "group"]
    room_type: str = Field(min_length=1, max_length=8)
    deposit_type: Literal["none", "refundable", "non_refundable"]


@app.post("/cancellation-risk")
def cancellation_risk(booking: Booking) -> dict:
    try:
        X = booking_frame(pd.DataFrame([booking.model_dump()]))[MODEL["features"]]
        p = float(MODEL["pipeline"].predict_proba(X)[0, 1])
    except (KeyError, ValueError) as exc:
        raise HTTPException(status_code=503, detail=f"model unavailable: {exc}")
    return {"cancel_probability": p, "model_version": MODEL["version"]}
