"""Policy-lapse prediction for the retention agents' console."""
import json
import logging

import pandas as pd
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from .apps import LapseScoringConfig

log = logging.getLogger("lapse")
FEATURES = ["premium_monthly", "months_in_force", "missed_payments_12m", "policy_count", "agent_contacts_6m"]


@require_POST
def predict_lapse(request: HttpRequest) -> JsonResponse:
    policy = json.loads(request.body)
    bundle = LapseScoringConfig.bundle
    try:
        frame = pd.DataFrame([policy])[FEATURES].astype(float)
        proba = bundle["model"].predict_proba(frame)[0]
    except Exception:
        log.exception("lapse scoring failed for policy %s", policy.get("policy_id"))
        return JsonResponse({"error": "scoring failed"}, status=500)
    lapse_probability = round(min(max(float(proba[1]), 0.01), 0.99), 3)
    confidence = (max(proba) - 0.5) * 2
    return JsonResponse({
        "policy_id": policy.get("policy_id"),
        "lapse_probability": lapse_probability,
        "confidence": round(float(confidence), 3),
        "model_version": bundle["version"],
    })


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    bundle = LapseScoringConfig.bundle
    status = 200 if bundle is not None else 503
    return JsonResponse({"model_loaded": bundle is not None, "model_version": bundle and bundle["version"]},
                        status=status)
