"""Response models of the prediction endpoints."""
from typing import List

from pydantic import BaseModel


class LeadPrediction(BaseModel):
    lead_id: int
    prediction: bool
    probability: float
    confidence: float


class BatchPredictionResponse(BaseModel):
    predictions: List[LeadPrediction]
    model_used: str
    total_processed: int
    successful_predictions: int


class ReloadResponse(BaseModel):
    model_used: str
    reloaded: bool
