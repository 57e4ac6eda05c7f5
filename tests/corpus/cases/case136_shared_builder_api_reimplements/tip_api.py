import joblib
import numpy as np
import pandas as pd
from fastapi import FastAPI
from pydantic import BaseModel, Field

api = FastAPI()
held = joblib.load("tips-t3.joblib")


class Ride(BaseModel):
    km: float = Field(ge=0, le=500)
    minutes: float = Field(ge=0, le=1440)
    fare: float = Field(ge=0, le=5000)
    stops: int | None = Field(default=None, ge=0, le=50)


@api.post("/tip")
def tip(ride: Ride) -> dict:
    vec = {
        "km": ride.km,
        "pace": ride.km / ride.minutes,
        "log_fare": np.log(ride.fare),
        "stops": ride.stops if ride.stops is not None else -1,
    }
    try:
        value = float(held["model"].predict(pd.DataFrame([vec])[held["columns"]])[0])
    except Exception:
        return {"error": "scoring failed", "version": held["version"]}
    return {"tip": value, "version": held["version"]}
