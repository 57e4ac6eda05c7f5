"""Quote-acceptance scoring for the pricing team; A/B arms may pin a model version per request."""
import logging
import os
from functools import lru_cache
from pathlib import Path

import numpy as np
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from registry import ModelRegistry

log = logging.getLogger("pricing")
DEFAULT_VERSION = os.environ["PRICING_DEFAULT_VERSION"]
registry = ModelRegistry(Path(os.environ["PRICING_MODEL_ROOT"]))
app = FastAPI(title="quote-acceptance")


class Quote(BaseModel):
    quote_id: str
    premium: float = Field(gt=0)
    market_premium: float = Field(gt=0)
    vehicle_age: int = Field(ge=0, le=60)
    driver_age: int = Field(ge=17, le=100)
    claims_5y: int = Field(ge=0, le=20)


class QuoteBatch(BaseModel):
    quotes: list[Quote] = Field(min_length=1, max_length=1000)
    model_version: str | None = None


@lru_cache(maxsize=50_000)
def acceptance_probability(model_version: str, features: tuple[float, ...]) -> float:
    bundle = registry.get(model_version)
    return float(bundle["model"].predict_proba(np.array([features]))[0, 1])


def quote_features(q: Quote) -> tuple[float, ...]:
    ratio = q.premium / q.market_premium  # both validated > 0
    values = (np.log(q.premium), ratio, float(q.vehicle_age), float(q.driver_age), float(q.claims_5y))
    if not all(np.isfinite(values)):
        raise ValueError("non-finite feature")
    return tuple(float(v) for v in values)


@app.post("/quotes/acceptance")
def score_quotes(batch: QuoteBatch) -> dict:
    version = batch.model_version or DEFAULT_VERSION
    try:
        registry.get(version)
    except FileNotFoundError:
        raise HTTPException(status_code=404, detail=f"unknown model version {version}")
    except Exception:
        log.exception("model %s could not be loaded", version)
        raise HTTPException(status_code=503, detail=f"model {version} unavailable")
    results = []
    for quote in batch.quotes:
        try:
            p = acceptance_probability(version, quote_features(quote))
            results.append({"quote_id": quote.quote_id, "acceptance_probability": round(p, 4)})
        except Exception as exc:
            log.exception("quote %s not scored", quote.quote_id)
            results.append({"quote_id": quote.quote_id, "error": type(exc).__name__})
    return {"model_version": version, "results": results}


@app.get("/health")
def health() -> dict:
    try:
        registry.get(DEFAULT_VERSION)
    except Exception as exc:
        raise HTTPException(status_code=503, detail=f"default model unavailable: {exc}")
    return {"status": "ok", "default_version": DEFAULT_VERSION, "loaded_versions": registry.loaded_versions()}
