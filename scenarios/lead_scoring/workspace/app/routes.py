"""Prediction endpoints used by the CRM frontend and the nightly re-scoring job."""
import logging
from typing import List

from fastapi import APIRouter, Body, HTTPException

from app import db
from app import pipeline
from app.schemas import BatchPredictionResponse, ReloadResponse

logger = logging.getLogger(__name__)

router = APIRouter()


@router.post("/leads/predict-batch", response_model=BatchPredictionResponse)
def predict_batch(lead_ids: List[int] = Body(...)):
    """Legacy contract of the lead list page: the body is a bare JSON array of lead ids."""
    try:
        return pipeline.cached_batch_prediction(lead_ids)
    except Exception as exc:
        logger.exception("batch prediction failed")
        raise HTTPException(status_code=500, detail=f"Batch prediction failed: {exc}")


@router.post("/advanced-ml/predict-batch", response_model=BatchPredictionResponse)
def advanced_predict_batch(payload: dict = Body(...)):
    """Same scoring for the lead detail page and the dashboards: ``{"lead_ids": [...]}``."""
    lead_ids = payload.get("lead_ids") or []
    if not lead_ids:
        raise HTTPException(status_code=400, detail="lead_ids is required")
    try:
        return pipeline.cached_batch_prediction([int(lead_id) for lead_id in lead_ids])
    except Exception as exc:
        logger.exception("batch prediction failed")
        raise HTTPException(status_code=500, detail=f"Batch prediction failed: {exc}")


@router.post("/advanced-ml/rescore-recent")
def rescore_recent():
    """Called by the nightly cron: scores every lead created in the last 90 days."""
    lead_ids = db.fetch_recent_lead_ids()
    result = pipeline.cached_batch_prediction(lead_ids)
    return {"rescored": result["successful_predictions"], "model_used": result["model_used"]}


@router.post("/advanced-ml/reload", response_model=ReloadResponse)
def reload_model():
    """Swap in the newest model file after a training run."""
    name = pipeline.current().reload()
    return {"model_used": name, "reloaded": True}
