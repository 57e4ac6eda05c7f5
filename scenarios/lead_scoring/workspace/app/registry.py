"""Model registry: trained bundles are joblib files named ``<prefix>_<YYYYmmdd_HHMMSS>.joblib``.

A bundle is the dict written by ``train/train_pipeline.py``: ``model`` (the fitted sklearn Pipeline),
``feature_names``, ``performance``, ``feature_importance`` and ``trained_at``.
"""
import logging
from pathlib import Path
from typing import Any, Dict

import joblib

logger = logging.getLogger(__name__)

_MODEL_REGISTRY: Dict[str, Dict[str, Any]] = {}


def _latest_artifact(model_dir: Path, prefix: str) -> Path:
    candidates = sorted(model_dir.glob(f"{prefix}_*.joblib"))
    if not candidates:
        raise FileNotFoundError(f"no {prefix}_*.joblib in {model_dir}")
    # the timestamp in the name sorts lexicographically, so the last file is the newest model
    return candidates[-1]


def _load_bundle(model_dir: Path, prefix: str) -> Dict[str, Any]:
    path = _latest_artifact(model_dir, prefix)
    bundle = joblib.load(path)
    bundle["name"] = path.stem
    logger.info("loaded model %s", path.name)
    return bundle


def get_model(model_dir: Path, prefix: str) -> Dict[str, Any]:
    """The newest bundle for ``prefix``, loaded on first use and kept for the life of the process."""
    if prefix not in _MODEL_REGISTRY:
        _MODEL_REGISTRY[prefix] = _load_bundle(model_dir, prefix)
    return _MODEL_REGISTRY[prefix]


def reload_model(model_dir: Path, prefix: str) -> Dict[str, Any]:
    """Pick up a newly trained file without restarting the workers."""
    _MODEL_REGISTRY[prefix] = _load_bundle(model_dir, prefix)
    return _MODEL_REGISTRY[prefix]
