"""Loads the renewal bundle once, after checking it against its recorded SHA-256."""
import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import joblib

log = logging.getLogger("renewal.model_store")


@dataclass(frozen=True)
class Settings:
    model_dir: Path
    model_version: str

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(Path(os.environ["RENEWAL_MODEL_DIR"]), os.environ["RENEWAL_MODEL_VERSION"])


class ModelStore:
    """Holds the one bundle this process serves. ``load`` is called from the app's lifespan."""

    def __init__(self, settings: Settings):
        self._settings = settings
        self._lock = threading.Lock()
        self._bundle: dict | None = None
        self.error: str | None = None

    def load(self) -> None:
        with self._lock:
            if self._bundle is not None:
                return
            directory, version = self._settings.model_dir, self._settings.model_version
            artifact = directory / f"renewal-{version}.joblib"
            expected = (directory / f"renewal-{version}.sha256").read_text().strip()
            actual = hashlib.sha256(artifact.read_bytes()).hexdigest()
            if actual != expected:
                self.error = f"checksum mismatch for {artifact.name}"
                raise RuntimeError(self.error)
            self._bundle = joblib.load(artifact)
            log.info("loaded %s (trained %s)", artifact.name, self._bundle["trained_at"])

    @property
    def ready(self) -> bool:
        return self._bundle is not None

    @property
    def bundle(self) -> dict:
        if self._bundle is None:
            raise RuntimeError("model not loaded")
        return self._bundle
