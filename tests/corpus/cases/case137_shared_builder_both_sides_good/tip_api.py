import joblib
import pandas as pd
from fastapi import FastAPI
from pydantic import BaseModel, Field

from tripfeats import shape

api = FastAPI()
held = joblib.load("tips-t3.joblib")


class Ride(BaseModel):
    km: float = Field(ge=0, le=500)
    minutes: float = Field(ge=0, le=1440)
    fare: float = Field(ge=0, le=5000)
    stops: int | None = Field(default=None, ge=0, le=50)


@api.post("/tip")
def tip(ride: Ride) -> dict:
    try:
        grid = shape(pd.DataFrame([ride.model_dump()]))[held["columns"]]
        value = float(held["model"].predict(grid)[0])
    except Exception:
        return {"error": "scoring failed", "version": held["version"]}
    return {"tip": value, "version": held["version"]}
