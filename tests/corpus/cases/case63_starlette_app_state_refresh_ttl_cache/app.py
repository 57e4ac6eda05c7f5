"""Delivery-delay predictions for the dispatch board (Starlette).

A background task picks up the newest promoted model every ten minutes and swaps it into app.state.
"""
import asyncio
import contextlib
import hashlib
import logging
import os
from pathlib import Path

import joblib
import pandas as pd
from cachetools import TTLCache
from pydantic import BaseModel, Field, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

log = logging.getLogger("eta")
PROMOTED = Path(os.environ["ETA_PROMOTED_DIR"])
REFRESH_SECONDS = 600
FEATURES = ["distance_km", "stops", "vehicle_type", "hour", "weekday", "depot_backlog"]

predictions = TTLCache(maxsize=50_000, ttl=3600)


class DeliveryRoute(BaseModel):
    route_id: str
    distance_km: float = Field(gt=0, lt=2000)
    stops: int = Field(ge=1, le=200)
    vehicle_type: int = Field(ge=0, le=4)
    hour: int = Field(ge=0, le=23)
    weekday: int = Field(ge=0, le=6)
    depot_backlog: int = Field(ge=0)


def load_promoted() -> dict:
    artifact = PROMOTED / "model.joblib"
    expected = (PROMOTED / "model.sha256").read_text().strip()
    if hashlib.sha256(artifact.read_bytes()).hexdigest() != expected:
        raise RuntimeError("promoted model does not match its checksum")
    return joblib.load(artifact)


async def refresh_forever(app: Starlette) -> None:
    while True:
        await asyncio.sleep(REFRESH_SECONDS)
        try:
            app.state.bundle = await asyncio.to_thread(load_promoted)
        except Exception:
            log.exception("model refresh failed; keeping %s", app.state.bundle["version"])


@contextlib.asynccontextmanager
async def lifespan(app: Starlette):
    app.state.bundle = load_promoted()
    task = asyncio.create_task(refresh_forever(app))
    yield
    task.cancel()


async def predict_delay(request: Request) -> JSONResponse:
    try:
        route = DeliveryRoute.model_validate(await request.json())
    except (ValidationError, ValueError) as exc:
        return JSONResponse({"error": str(exc)}, status_code=422)
    bundle = request.app.state.bundle
    key = tuple(route.model_dump(exclude={"route_id"}).values())
    if key not in predictions:
        try:
            frame = pd.DataFrame([route.model_dump()])[FEATURES]
            predictions[key] = float(bundle["model"].predict(frame)[0])
        except Exception:
            log.exception("prediction failed for route %s", route.route_id)
            return JSONResponse({"error": "prediction failed"}, status_code=500)
    return JSONResponse({"route_id": route.route_id, "delay_minutes": predictions[key],
                         "model_version": bundle["version"]})


async def health(request: Request) -> JSONResponse:
    bundle = getattr(request.app.state, "bundle", None)
    return JSONResponse({"model_loaded": bundle is not None, "model_version": bundle and bundle["version"]},
                        status_code=200 if bundle else 503)


app = Starlette(
    routes=[Route("/predict/delay", predict_delay, methods=["POST"]), Route("/health", health)],
    lifespan=lifespan,
)
