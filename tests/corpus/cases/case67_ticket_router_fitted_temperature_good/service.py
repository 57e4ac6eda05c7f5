"""Ticket routing API: returns the queue and the (temperature-calibrated) probability of that queue."""
import hashlib
import logging
import os
from contextlib import asynccontextmanager
from pathlib import Path

import joblib
import numpy as np
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field
from scipy.special import softmax

log = logging.getLogger("router")
MODEL_DIR = Path(os.environ.get("ROUTER_MODEL_DIR", "artifacts"))
VERSION = os.environ["ROUTER_MODEL_VERSION"]
state: dict = {}


@asynccontextmanager
async def lifespan(app: FastAPI):
    artifact = MODEL_DIR / f"router-{VERSION}.joblib"
    if hashlib.sha256(artifact.read_bytes()).hexdigest() != (MODEL_DIR / f"router-{VERSION}.sha256").read_text().strip():
        raise RuntimeError("router model checksum mismatch")
    state["bundle"] = joblib.load(artifact)
    yield
    state.clear()


app = FastAPI(title="ticket-router", lifespan=lifespan)


class Ticket(BaseModel):
    ticket_id: str
    subject: str = Field(max_length=500)
    body: str = Field(max_length=20_000)


class Routing(BaseModel):
    ticket_id: str
    queue: str
    confidence: float
    model_version: str


@app.post("/route", response_model=Routing)
def route(ticket: Ticket) -> Routing:
    bundle = state["bundle"]
    try:
        logits = bundle["model"].decision_function([f"{ticket.subject} {ticket.body}"])[0]
    except Exception:
        log.exception("routing failed for %s", ticket.ticket_id)
        raise HTTPException(status_code=500, detail="routing failed")
    probabilities = softmax(logits / bundle["temperature"])
    best = int(np.argmax(probabilities))
    return Routing(ticket_id=ticket.ticket_id, queue=bundle["classes"][best],
                   confidence=round(float(probabilities[best]), 4), model_version=bundle["version"])


@app.get("/health")
def health() -> dict:
    bundle = state.get("bundle")
    return {"model_loaded": bundle is not None, "model_version": bundle["version"] if bundle else None}
