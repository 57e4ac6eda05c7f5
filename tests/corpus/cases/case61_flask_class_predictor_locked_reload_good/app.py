"""Churn scoring service (Flask + gunicorn gthread workers)."""
import os
from datetime import date
from pathlib import Path

from flask import Flask, jsonify, request
from pydantic import BaseModel, Field, ValidationError

from predictor import ChurnPredictor

MODEL_DIR = Path(os.environ["CHURN_MODEL_DIR"])
predictor = ChurnPredictor(MODEL_DIR / "churn.joblib", MODEL_DIR / "churn.sha256")
app = Flask(__name__)


class Customer(BaseModel):
    customer_id: str
    snapshot_date: date
    signup_date: date
    last_order_date: date
    orders_90d: int = Field(ge=0)
    revenue_90d: float = Field(ge=0)
    support_tickets_90d: int = Field(ge=0)


class ScoreRequest(BaseModel):
    customers: list[Customer] = Field(min_length=1, max_length=1000)


@app.post("/churn/score")
def score():
    try:
        body = ScoreRequest.model_validate(request.get_json(silent=True) or {})
    except ValidationError as exc:
        return jsonify(error="invalid request", details=exc.errors(include_url=False)), 422
    try:
        version = predictor.bundle()["version"]
    except Exception:
        app.logger.exception("model unavailable")
        return jsonify(error="model unavailable"), 503
    customers = [c.model_dump(mode="json") for c in body.customers]
    return jsonify(model_version=version, results=predictor.predict_many(customers))


@app.post("/admin/reload")
def reload():
    return jsonify(model_version=predictor.reload())


@app.get("/health")
def health():
    """Readiness probe: the first call loads the model, so a pod only gets traffic once it can score."""
    try:
        version = predictor.bundle()["version"]
    except Exception as exc:
        return jsonify(model_loaded=False, error=str(exc)), 503
    return jsonify(model_loaded=True, model_version=version)
