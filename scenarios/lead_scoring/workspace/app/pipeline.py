"""AdvancedMLPipeline: lead rows -> features -> forest -> calibrated probability per lead."""
import logging
from pathlib import Path
from typing import Any, Dict, List

from cachetools import TTLCache, cached
from cachetools.keys import hashkey

from app import db
from app.calibration import calibrate_probability, confidence_score
from app.features import build_features
from app.registry import get_model, reload_model

logger = logging.getLogger(__name__)


class AdvancedMLPipeline:
    def __init__(self, model_dir: Path, prefix: str):
        self.model_dir = model_dir
        self.prefix = prefix

    @property
    def bundle(self) -> Dict[str, Any]:
        return get_model(self.model_dir, self.prefix)

    def reload(self) -> str:
        return reload_model(self.model_dir, self.prefix)["name"]

    def predict_batch(self, lead_ids: List[int]) -> Dict[str, Any]:
        bundle = self.bundle
        model, feature_names = bundle["model"], bundle["feature_names"]
        logger.info("scoring %d leads with %s", len(lead_ids), bundle["name"])

        rows = db.fetch_lead_rows(lead_ids)
        features = build_features(rows)

        predictions = []
        for lead_id in lead_ids:
            x = features.loc[[lead_id], feature_names]
            proba = model.predict_proba(x)[0]
            probability = calibrate_probability(proba[1])
            predictions.append(
                {
                    "lead_id": int(lead_id),
                    "prediction": probability >= 0.5,
                    "probability": round(probability, 4),
                    "confidence": round(confidence_score(probability), 4),
                }
            )

        return {
            "predictions": predictions,
            "model_used": bundle["name"],
            "total_processed": len(lead_ids),
            "successful_predictions": len(predictions),
        }


_pipeline: AdvancedMLPipeline | None = None


def init_pipeline(model_dir: Path, prefix: str) -> AdvancedMLPipeline:
    global _pipeline
    _pipeline = AdvancedMLPipeline(model_dir, prefix)
    return _pipeline


def current() -> AdvancedMLPipeline:
    if _pipeline is None:
        raise RuntimeError("init_pipeline() has not been called")
    return _pipeline


@cached(cache=TTLCache(maxsize=1024, ttl=300), key=lambda lead_ids: hashkey(tuple(sorted(lead_ids))))
def cached_batch_prediction(lead_ids: List[int]) -> Dict[str, Any]:
    return current().predict_batch(lead_ids)
