"""Claim intake service: the same fills and the same log scaling as training, in training's order."""
import joblib
import numpy as np
import pandas as pd
from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI()
severity = joblib.load("severity.joblib")


class Claim(BaseModel):
    driver_age: float | None = Field(default=None, ge=16, le=100)
    prior_claims: float | None = Field(default=None, ge=0)
    garage_estimate: float = Field(ge=0)


@app.post("/severity")
def estimate(claim: Claim):
    row = pd.DataFrame([claim.model_dump()])
    row = row.fillna({"driver_age": 40, "prior_claims": 0})
    row["log_estimate"] = np.log1p(row["garage_estimate"])
    try:
        amount = severity.predict(row[["driver_age", "prior_claims", "log_estimate"]])[0]
    except ValueError as exc:
        return {"error": str(exc)}
    return {"settled_amount": float(amount), "model": "severity-2026-11"}
