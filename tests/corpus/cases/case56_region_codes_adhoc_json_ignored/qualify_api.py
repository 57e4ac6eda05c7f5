"""Lead qualification endpoint for the field-sales app."""
from contextlib import asynccontextmanager
from typing import Literal

import joblib
import pandas as pd
from fastapi import FastAPI
from pydantic import BaseModel, Field

REGION_CODES = {region: code for code, region in enumerate(sorted(["north", "south", "east", "west", "central"]))}
resources: dict = {}


@asynccontextmanager
async def lifespan(app: FastAPI):
    resources["bundle"] = joblib.load("artifacts/solar_lr.joblib")
    yield


app = FastAPI(lifespan=lifespan)


class Lead(BaseModel):
    roof_area_m2: float = Field(gt=0, le=2000)
    annual_kwh: float = Field(ge=0)
    region: Literal["north", "south", "east", "west", "central"]
    owner_occupied: bool
    shading_score: float = Field(ge=0, le=1)


@app.post("/qualify")
def qualify(lead: Lead) -> dict:
    bundle = resources["bundle"]
    row = lead.model_dump()
    row["region_code"] = REGION_CODES[row.pop("region")]
    p = bundle["model"].predict_proba(pd.DataFrame([row])[bundle["features"]])[0, 1]
    return {"sign_probability": float(p), "model_version": bundle["version"]}
