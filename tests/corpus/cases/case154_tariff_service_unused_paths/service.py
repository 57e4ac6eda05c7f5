"""HTTP service for tariff-switch propensity."""
import logging
import time
from contextlib import asynccontextmanager

import pandas as pd
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from tariff.bundle import open_bundle

log = logging.getLogger("tariff.service")
state = {}


@asynccontextmanager
async def lifespan(app: FastAPI):
    state["bundle"] = open_bundle()
    yield


app = FastAPI(lifespan=lifespan)


class Household(BaseModel):
    household_id: str
    kwh_month: float = Field(ge=0, le=20000)
    peak_share: float = Field(ge=0, le=1)
    months_on_tariff: int = Field(ge=0, le=600)
    complaints_year: int = Field(ge=0, le=100)


@app.post("/propensity")
def propensity(item: Household) -> dict:
    bundle = state["bundle"]
    started = time.perf_counter()
    try:
        row = pd.DataFrame([item.model_dump()])[bundle["columns"]]
        score = float(bundle["model"].predict_proba(row)[0, 1])
    except (KeyError, ValueError) as exc:
        log.warning("cannot score %s: %s", item.household_id, exc)
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    log.info("scored %s p=%.4f version=%s in %.1f ms", item.household_id, score, bundle["version"],
             1000 * (time.perf_counter() - started))
    return {"household_id": item.household_id, "propensity": score, "model_version": bundle["version"]}
