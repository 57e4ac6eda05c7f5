"""Renewal-risk API: validated requests, one verified model per process, per-item errors, measured latency."""
import logging
import time
from contextlib import asynccontextmanager
from functools import lru_cache

import pandas as pd
from fastapi import FastAPI, HTTPException, Response

from features import build_features
from model_store import ModelStore, Settings
from schemas import Health, ScoreRequest, ScoreResponse, Subscription, SubscriptionScore

log = logging.getLogger("renewal.api")
store = ModelStore(Settings.from_env())


@asynccontextmanager
async def lifespan(app: FastAPI):
    store.load()
    yield


app = FastAPI(title="renewal-risk", lifespan=lifespan)


@lru_cache(maxsize=10_000)
def churn_probability(model_version: str, features: tuple) -> float:
    """Cached per (model version, feature values): a new model version never reuses old answers."""
    bundle = store.bundle
    frame = pd.DataFrame([features], columns=bundle["features"])
    return float(bundle["model"].predict_proba(frame)[0, 1])


def score_one(subscription: Subscription, bundle: dict) -> SubscriptionScore:
    try:
        row = build_features(pd.DataFrame([subscription.model_dump()]))[bundle["features"]].iloc[0]
        p = churn_probability(bundle["version"], tuple(row.tolist()))
    except Exception as exc:
        log.exception("subscription %s not scored", subscription.subscription_id)
        return SubscriptionScore(subscription_id=subscription.subscription_id, error=type(exc).__name__)
    return SubscriptionScore(subscription_id=subscription.subscription_id, churn_probability=round(p, 4))


@app.post("/v1/renewal-risk", response_model=ScoreResponse)
def renewal_risk(request: ScoreRequest) -> ScoreResponse:
    if not store.ready:
        raise HTTPException(status_code=503, detail="model not loaded")
    bundle = store.bundle
    started = time.perf_counter()
    scores = [score_one(s, bundle) for s in request.subscriptions]
    log.info(
        "renewal_risk model=%s n=%d errors=%d latency_ms=%.1f mean_p=%.4f",
        bundle["version"],
        len(scores),
        sum(s.error is not None for s in scores),
        1000 * (time.perf_counter() - started),
        sum(s.churn_probability or 0.0 for s in scores) / len(scores),
    )
    return ScoreResponse(model_version=bundle["version"], scores=scores)


@app.get("/health", response_model=Health)
def health(response: Response) -> Health:
    if store.ready:
        return Health(status="ok", model_loaded=True, model_version=store.bundle["version"])
    response.status_code = 503
    return Health(status="unavailable", model_loaded=False, detail=store.error)
