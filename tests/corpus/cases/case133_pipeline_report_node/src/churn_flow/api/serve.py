"""Serves the classifier the pipeline trained."""
import logging

import joblib
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

log = logging.getLogger("api")
app = FastAPI()
state = {}


class Member(BaseModel):
    tenure_days: int = Field(ge=0)
    visits_90d: int = Field(ge=0)
    plan_price: float = Field(gt=0)


@app.on_event("startup")
def load_model() -> None:
    state["model"] = joblib.load("data/06_models/classifier-v2.joblib")


@app.post("/score")
def score(member: Member) -> dict:
    try:
        row = [[member.tenure_days, member.visits_90d, member.plan_price]]
        value = float(state["model"].predict_proba(row)[0, 1])
    except (KeyError, ValueError) as exc:
        log.exception("scoring failed")
        raise HTTPException(status_code=500, detail="scoring failed") from exc
    log.info("scored member: %.3f", value)
    return {"churn_probability": value}
