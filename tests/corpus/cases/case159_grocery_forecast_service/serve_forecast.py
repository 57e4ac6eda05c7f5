"""Hourly basket-count forecast for one store, served over HTTP."""
import logging
import os
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import joblib
import pandas as pd
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

log = logging.getLogger("baskets")
held = {}


@asynccontextmanager
async def lifespan(app: FastAPI):
    held["bundle"] = joblib.load(os.environ["BASKET_BUNDLE"])
    yield


app = FastAPI(lifespan=lifespan)


class StoreHour(BaseModel):
    store_id: int = Field(ge=1)
    format: str = Field(pattern="^(hyper|super|express)$")
    region: str = Field(min_length=2, max_length=20)
    baskets_last_hour: float = Field(ge=0)
    baskets_same_hour_last_week: float = Field(ge=0)


@app.post("/forecast")
def forecast(item: StoreHour) -> dict:
    bundle = held["bundle"]
    try:
        row = pd.get_dummies(pd.DataFrame([item.model_dump()]), columns=["format", "region"])
        row = row.reindex(columns=bundle["columns"], fill_value=0)
        counts = bundle["model"].predict(row)
    except (KeyError, ValueError) as exc:
        log.warning("store %s not scored: %s", item.store_id, exc)
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    first = datetime.utcnow().replace(minute=0, second=0, microsecond=0)
    log.info("store %s forecast %s version %s", item.store_id, counts.tolist(), bundle["version"])
    return {"store_id": item.store_id, "model_version": bundle["version"],
            "hours": [(first + timedelta(hours=k + 1)).isoformat() for k in range(len(counts))],
            "baskets": counts.tolist()}
