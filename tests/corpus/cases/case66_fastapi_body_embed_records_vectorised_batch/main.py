"""Late-payment risk for the accounts-receivable dashboard."""
import hashlib
import logging
import os
from contextlib import asynccontextmanager
from typing import Any, Dict, List

import joblib
import pandas as pd
from fastapi import Body, FastAPI, HTTPException
from pydantic import BaseModel, Field

from features import invoice_features

log = logging.getLogger("ar-risk")
ARTIFACT = os.environ["AR_MODEL_PATH"]
ARTIFACT_SHA256 = os.environ["AR_MODEL_SHA256"]
state: Dict[str, Any] = {}


@asynccontextmanager
async def lifespan(app: FastAPI):
    with open(ARTIFACT, "rb") as fh:
        if hashlib.sha256(fh.read()).hexdigest() != ARTIFACT_SHA256:
            raise RuntimeError("AR model checksum mismatch")
    state["bundle"] = joblib.load(ARTIFACT)
    yield


app = FastAPI(title="ar-late-payment", lifespan=lifespan)


class Invoice(BaseModel):
    invoice_id: str
    amount: float = Field(gt=0)
    credit_limit: float = Field(gt=0)
    days_to_due: int
    invoices_paid: int = Field(ge=0)
    invoices_paid_late: int = Field(ge=0)
    open_invoices: int = Field(ge=0)


def score_frame(invoices: pd.DataFrame) -> List[dict]:
    bundle = state["bundle"]
    X = invoice_features(invoices)[bundle["features"]]
    probabilities = bundle["model"].predict_proba(X)[:, 1]
    return [{"invoice_id": i, "late_probability": round(float(p), 4)} for i, p in zip(invoices["invoice_id"], probabilities)]


@app.post("/invoices/score")
def score_invoice(invoice: Invoice):
    try:
        return {"model_version": state["bundle"]["version"], "results": score_frame(pd.DataFrame([invoice.model_dump()]))}
    except Exception:
        log.exception("scoring failed")
        raise HTTPException(status_code=500, detail="scoring failed")


@app.post("/invoices/score-batch")
def score_invoices(records: List[dict] = Body(..., embed=True)):
    try:
        return {"model_version": state["bundle"]["version"], "results": score_frame(pd.DataFrame(records))}
    except Exception:
        log.exception("batch scoring failed")
        raise HTTPException(status_code=500, detail="batch scoring failed")


@app.get("/health")
def health():
    bundle = state.get("bundle")
    return {"model_loaded": bundle is not None, "model_version": bundle["version"] if bundle else None}
