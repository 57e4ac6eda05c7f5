"""Late-delivery risk API for the dispatch console."""
import hashlib
import logging
import os
from pathlib import Path

import joblib
import pandas as pd
from flask import Flask, jsonify, request

from features import build_features

log = logging.getLogger(__name__)
RANGES = {"distance_km": (0, 300), "items": (1, 200), "driver_jobs_today": (0, 60), "rain_mm": (0, 500)}


def load_bundle(model_dir: Path) -> dict:
    path = model_dir / "late_delivery.joblib"
    expected = (model_dir / "late_delivery.sha256").read_text().strip()
    if hashlib.sha256(path.read_bytes()).hexdigest() != expected:
        raise RuntimeError("model artifact failed its checksum")
    return joblib.load(path)


def parse_order(body) -> dict:
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    order = {}
    for name, (low, high) in RANGES.items():
        value = body.get(name)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError(f"{name} must be a number in [{low}, {high}]")
        order[name] = float(value)
    order["is_weekend"] = float(bool(body.get("is_weekend", False)))
    return order


def create_app() -> Flask:
    app = Flask(__name__)
    bundle = load_bundle(Path(os.environ["LATE_MODEL_DIR"]))

    @app.post("/late-risk")
    def late_risk():
        try:
            order = parse_order(request.get_json(silent=True))
        except ValueError as exc:
            return jsonify({"error": str(exc)}), 400
        try:
            X = build_features(pd.DataFrame([order]))[bundle["features"]]
            p = float(bundle["pipeline"].predict_proba(X)[0, 1])
        except Exception:
            log.exception("prediction failed")
            return jsonify({"error": "prediction failed"}), 500
        per_item = order["distance_km"] / max(order["items"], 1)
        return jsonify({"late_probability": p, "km_per_item": per_item, "model_version": bundle["version"]})

    @app.get("/ready")
    def ready():
        return {"model_version": bundle["version"]}

    return app
