"""Trial-conversion scoring API.

The bundle is loaded once in the lifespan handler (after its checksum is verified), requests are
pydantic models, and a bad account in a batch is reported on its own without failing the others.
"""
import hashlib
import logging
import os
import time
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path

import joblib
import pandas as pd
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from features import build_features

log = logging.getLogger("trials.api")
MODEL_DIR = Path(os.environ.get("TRIALS_MODEL_DIR", "artifacts"))
VERSION = os.environ["TRIALS_MODEL_VERSION"]
state: dict = {}


def load_verified(directory: Path, version: str) -> dict:
    artifact = directory / f"trials-{version}.joblib"
    expected = (directory / f"trials-{version}.sha256").read_text().strip()
    if hashlib.sha256(artifact.read_bytes()).hexdigest() != expected:
        raise RuntimeError(f"checksum mismatch for {artifact}")
    return joblib.load(artifact)


@asynccontextmanager
async def lifespan(app: FastAPI):
    state["bundle"] = load_verified(MODEL_DIR, VERSION)
    yield
    state.clear()


app = FastAPI(title="trial-conversion", lifespan=lifespan)


class TrialAccount(BaseModel):
    account_id: str
    seats: int = Field(ge=1, le=10_000)
    events_14d: int = Field(ge=0)
    invites_sent: int = Field(ge=0)
    invites_accepted: int = Field(ge=0)
    integrations_connected: int = Field(ge=0)
    days_active_14d: int = Field(ge=0, le=14)
    support_tickets_14d: int = Field(ge=0)


class BatchRequest(BaseModel):
    accounts: list[TrialAccount] = Field(min_length=1, max_length=500)


class AccountScore(BaseModel):
    account_id: str
    conversion_probability: float | None = None
    error: str | None = None


class BatchResponse(BaseModel):
    model_version: str
    scores: list[AccountScore]


@lru_cache(maxsize=4096)
def _probability(model_version: str, features: tuple) -> float:
    bundle = state["bundle"]
    frame = pd.DataFrame([features], columns=bundle["features"])
    return float(bundle["model"].predict_proba(frame)[0, 1])


def score_account(account: TrialAccount) -> AccountScore:
    bundle = state["bundle"]
    try:
        row = build_features(pd.DataFrame([account.model_dump()]))[bundle["features"]].iloc[0]
        p = _probability(bundle["version"], tuple(row.tolist()))
    except Exception as exc:
        log.exception("account %s not scored", account.account_id)
        return AccountScore(account_id=account.account_id, error=str(exc))
    return AccountScore(account_id=account.account_id, conversion_probability=round(p, 4))


@app.post("/v1/score", response_model=BatchResponse)
def score(request: BatchRequest) -> BatchResponse:
    if "bundle" not in state:
        raise HTTPException(status_code=503, detail="model not loaded")
    started = time.perf_counter()
    scores = [score_account(account) for account in request.accounts]
    log.info("scored %d accounts (%d errors) in %.1f ms with %s", len(scores),
             sum(s.error is not None for s in scores), 1000 * (time.perf_counter() - started), VERSION)
    return BatchResponse(model_version=state["bundle"]["version"], scores=scores)


@app.get("/health")
def health() -> dict:
    bundle = state.get("bundle")
    return {"status": "ok" if bundle else "loading", "model_version": bundle["version"] if bundle else None}
