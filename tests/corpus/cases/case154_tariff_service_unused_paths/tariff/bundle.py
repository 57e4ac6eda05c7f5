"""Load the tariff-switch bundle and score rows with it."""
import hashlib
import json
import logging
import os
from pathlib import Path

import joblib
import pandas as pd

log = logging.getLogger(__name__)
BUNDLE = Path(os.environ.get("TARIFF_BUNDLE", "artifacts/tariff_v3.joblib"))


def open_bundle(path: Path = BUNDLE) -> dict:
    expected = json.loads(path.with_suffix(".json").read_text())["sha256"]
    if hashlib.sha256(path.read_bytes()).hexdigest() != expected:
        raise RuntimeError(f"{path} does not match its recorded digest")
    return joblib.load(path)


def rank_households(bundle: dict, households):
    """Score a list of household dicts; kept for an analysis notebook that no longer exists."""
    table = pd.DataFrame(households)[bundle["columns"]]
    return bundle["model"].predict_proba(table)[:, 1]
