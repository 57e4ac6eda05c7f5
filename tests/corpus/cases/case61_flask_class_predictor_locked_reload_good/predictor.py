"""Thread-safe churn predictor: lazy first load and hot reload both happen under one lock."""
import hashlib
import logging
import threading
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from cachetools import TTLCache

from features import build_features

log = logging.getLogger("churn.predictor")


class ChurnPredictor:
    def __init__(self, artifact: Path, checksum_file: Path):
        self._artifact = artifact
        self._checksum_file = checksum_file
        self._lock = threading.Lock()
        self._bundle: dict | None = None
        self._cache: TTLCache = TTLCache(maxsize=20_000, ttl=900)  # cachetools caches are not thread-safe
        self._cache_lock = threading.Lock()

    def _read_verified(self) -> dict:
        expected = self._checksum_file.read_text().strip()
        if hashlib.sha256(self._artifact.read_bytes()).hexdigest() != expected:
            raise RuntimeError(f"checksum mismatch for {self._artifact}")
        return joblib.load(self._artifact)

    def bundle(self) -> dict:
        if self._bundle is None:
            with self._lock:
                if self._bundle is None:
                    self._bundle = self._read_verified()
        return self._bundle

    def reload(self) -> str:
        with self._lock:
            self._bundle = self._read_verified()
            version = self._bundle["version"]
        with self._cache_lock:
            self._cache.clear()
        return version

    def predict_one(self, customer: dict) -> float:
        bundle = self.bundle()
        X = build_features(pd.DataFrame([customer]))[bundle["features"]]
        values = X.to_numpy(dtype=float)
        if not np.isfinite(values).all():
            raise ValueError("non-finite features")
        key = (bundle["version"], tuple(values[0]))
        with self._cache_lock:
            probability = self._cache.get(key)
        if probability is None:
            probability = float(bundle["model"].predict_proba(X)[0, 1])
            with self._cache_lock:
                self._cache[key] = probability
        return probability

    def predict_many(self, customers: list[dict]) -> list[dict]:
        out = []
        for customer in customers:
            try:
                out.append({"customer_id": customer["customer_id"], "churn_probability": self.predict_one(customer)})
            except Exception as exc:
                log.exception("customer %s not scored", customer["customer_id"])
                out.append({"customer_id": customer["customer_id"], "error": type(exc).__name__})
        return out
