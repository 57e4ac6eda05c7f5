"""Where the pricing service finds its trained bundle."""
import hashlib
import os
import pickle
from pathlib import Path

BUNDLE = Path(os.environ.get("PRICER_BUNDLE", "/srv/pricer/bundle-2024-03.pkl"))
EXPECTED_SHA256 = os.environ["PRICER_BUNDLE_SHA256"]


def fetch():
    raw = BUNDLE.read_bytes()
    if hashlib.sha256(raw).hexdigest() != EXPECTED_SHA256:
        raise RuntimeError(f"{BUNDLE} does not match the recorded digest")
    return pickle.loads(raw)
