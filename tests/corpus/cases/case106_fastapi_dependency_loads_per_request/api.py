import logging
import time
from typing import Annotated

import pandas as pd
from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel, Field

from artifacts import fetch

log = logging.getLogger("pricer")
app = FastAPI()


class Listing(BaseModel):
    surface_m2: float = Field(gt=5, lt=2000)
    bedrooms: int = Field(ge=0, le=20)
    floor: int = Field(ge=-2, le=120)


@app.get("/ready")
def ready():
    return {"status": "ok"}


@app.post("/quote")
def quote(listing: Listing, bundle: Annotated[dict, Depends(fetch)]):
    started = time.perf_counter()
    row = pd.DataFrame([listing.model_dump()])[bundle["columns"]]
    try:
        price = float(bundle["model"].predict(row)[0])
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    log.info("quote input=%s price=%.2f version=%s ms=%.1f", listing.model_dump(), price,
             bundle["version"], 1000 * (time.perf_counter() - started))
    return {"price": price, "model_version": bundle["version"]}
