import joblib
import pandas as pd
from fastapi import FastAPI
from pydantic import BaseModel, Field

api = FastAPI()
kit = joblib.load("lapse-8.joblib")


class Policy(BaseModel):
    premium: float = Field(gt=0, le=100_000)
    age: int = Field(ge=18, le=110)
    years_held: int = Field(ge=0, le=80)
    claims_3y: int = Field(ge=0, le=50)


@api.post("/lapse")
def lapse(policy: Policy) -> dict:
    row = pd.DataFrame([policy.model_dump()])[kit["cols"]]
    try:
        chance = float(kit["model"].predict_proba(row)[0, 1])
    except ValueError:
        return {"error": "bad input", "version": kit["version"]}
    return {"lapse_probability": chance, "version": kit["version"]}
