"""Watches a drop folder and scores each file that lands in it (run as `python watch_and_score.py`)."""
import logging
import time
from pathlib import Path

import joblib
import pandas as pd

log = logging.getLogger("scorer")
INBOX, OUTBOX = Path("inbox"), Path("outbox")
bundle = joblib.load("models/fraud-2024.06.joblib")


def drain():
    while True:
        for incoming in sorted(INBOX.glob("*.csv")):
            try:
                batch = pd.read_csv(incoming)
                batch["fraud_score"] = bundle["model"].predict_proba(batch[bundle["columns"]])[:, 1]
                batch.to_csv(OUTBOX / incoming.name, index=False)
                log.info("scored %d rows from %s with model %s", len(batch), incoming.name, bundle["version"])
            except (KeyError, ValueError) as exc:
                log.error("could not score %s: %s", incoming.name, exc)
            incoming.unlink()
        time.sleep(1.0)


if __name__ == "__main__":
    drain()
