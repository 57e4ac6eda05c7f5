"""Django app config: the lapse model is loaded once per worker process when Django starts."""
import hashlib
from pathlib import Path

import joblib
from django.apps import AppConfig
from django.conf import settings


class LapseScoringConfig(AppConfig):
    name = "lapse_scoring"
    bundle: dict | None = None

    def ready(self) -> None:
        artifact = Path(settings.LAPSE_MODEL_PATH)
        digest = hashlib.sha256(artifact.read_bytes()).hexdigest()
        if digest != settings.LAPSE_MODEL_SHA256:
            raise RuntimeError(f"lapse model checksum mismatch: {digest}")
        LapseScoringConfig.bundle = joblib.load(artifact)
