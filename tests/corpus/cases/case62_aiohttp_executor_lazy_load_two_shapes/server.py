"""Claims triage service (aiohttp): scores incoming insurance claims for the fraud desk."""
import asyncio
import logging
import os

import joblib
import pandas as pd
from aiohttp import web

log = logging.getLogger("claims")
MODEL_PATH = os.environ["CLAIMS_MODEL_PATH"]
FEATURES = ["claim_amount", "policy_age_days", "prior_claims", "hours_to_report", "third_party_involved"]

_bundle = None


async def get_bundle():
    global _bundle
    if _bundle is None:
        loop = asyncio.get_running_loop()
        _bundle = await loop.run_in_executor(None, joblib.load, MODEL_PATH)
        log.info("model %s loaded", _bundle["version"])
    return _bundle


def score_claim(bundle, claim: dict) -> dict:
    frame = pd.DataFrame([claim])[FEATURES].astype(float)
    p = float(bundle["model"].predict_proba(frame)[0, 1])
    return {"claim_id": claim["claim_id"], "fraud_score": round(p, 4)}


async def score_claims(request: web.Request) -> web.Response:
    payload = await request.json()
    bundle = await get_bundle()
    try:
        results = [score_claim(bundle, claim) for claim in payload["claims"]]
    except (KeyError, ValueError) as exc:
        return web.json_response({"error": f"could not score claims: {exc}"}, status=400)
    return web.json_response({"model_version": bundle["version"], "results": results})


async def score_claims_v0(request: web.Request) -> web.Response:
    """Endpoint kept for the old intake form, which posts a bare list of claims."""
    claims = await request.json()
    bundle = await get_bundle()
    try:
        results = [score_claim(bundle, claim) for claim in claims]
    except (KeyError, ValueError) as exc:
        return web.json_response({"error": f"could not score claims: {exc}"}, status=400)
    return web.json_response(results)


def make_app() -> web.Application:
    app = web.Application(client_max_size=2 * 1024 * 1024)
    app.add_routes([web.post("/v1/claims/score", score_claims), web.post("/claims/score", score_claims_v0)])
    return app


if __name__ == "__main__":
    web.run_app(make_app(), port=int(os.environ.get("PORT", "8080")))
