"""FastAPI pricing service: a list of listings in, prices out."""
from typing import List

import pandas as pd
from fastapi import FastAPI
from pydantic import BaseModel, Field

from pipeline.infer import price_rows

app = FastAPI()


class Listing(BaseModel):
    sqft: float = Field(gt=0)
    rooms: int = Field(ge=0)
    age: float = Field(ge=0)


@app.post("/price")
def price(listings: List[Listing]):
    frame = pd.DataFrame([listing.model_dump() for listing in listings])
    if frame.empty:
        return {"error": "no listings"}
    priced = price_rows(frame)
    return {"prices": priced["predicted_price"].astype(float).tolist()}
