"""A small, thread-safe model registry: at most MAX_MODELS bundles in memory, least recently used evicted."""
import hashlib
import threading
from collections import OrderedDict
from pathlib import Path

import joblib

MAX_MODELS = 4


class ModelRegistry:
    def __init__(self, root: Path, max_models: int = MAX_MODELS):
        self._root = root
        self._max = max_models
        self._models: OrderedDict[str, dict] = OrderedDict()
        self._lock = threading.Lock()

    def _read(self, version: str) -> dict:
        artifact = self._root / f"pricing-{version}.joblib"
        expected = (self._root / f"pricing-{version}.sha256").read_text().strip()
        if hashlib.sha256(artifact.read_bytes()).hexdigest() != expected:
            raise RuntimeError(f"checksum mismatch for {artifact}")
        return joblib.load(artifact)

    def get(self, version: str) -> dict:
        with self._lock:
            if version not in self._models:
                self._models[version] = self._read(version)
                while len(self._models) > self._max:
                    self._models.popitem(last=False)
            self._models.move_to_end(version)
            return self._models[version]

    def loaded_versions(self) -> list[str]:
        with self._lock:
            return list(self._models)
