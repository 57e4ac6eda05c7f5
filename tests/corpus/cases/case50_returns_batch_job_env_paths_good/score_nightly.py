"""Nightly batch: score yesterday's order lines for return risk, chunk by chunk."""
import hashlib
import json
import logging
import os
from datetime import datetime, timezone
from pathlib import Path

import joblib
import pandas as pd

from features import build_features

log = logging.getLogger("returns-batch")
REQUIRED = ["line_id", "price", "list_price", "prior_orders_12m", "prior_returns_12m",
            "size_variants_in_basket", "is_marketplace"]


def load_model(model_dir: Path, version: str) -> dict:
    manifest = json.loads((model_dir / f"returns-{version}.json").read_text())
    artifact = model_dir / manifest["artifact"]
    if hashlib.sha256(artifact.read_bytes()).hexdigest() != manifest["sha256"]:
        raise RuntimeError(f"refusing to load {artifact}: checksum mismatch")
    return joblib.load(artifact)


def valid_rows(chunk: pd.DataFrame) -> pd.DataFrame:
    missing = set(REQUIRED) - set(chunk.columns)
    if missing:
        raise ValueError(f"input lacks {sorted(missing)}")
    numeric = chunk[REQUIRED[1:]].apply(pd.to_numeric, errors="coerce")
    ok = numeric.notna().all(axis=1) & (numeric >= 0).all(axis=1)
    if (~ok).any():
        log.warning("skipping %d malformed rows", int((~ok).sum()))
    return chunk[ok]


def main() -> None:
    bundle = load_model(Path(os.environ["RETURNS_MODEL_DIR"]), os.environ["RETURNS_MODEL_VERSION"])
    scored_at = datetime.now(timezone.utc).isoformat()
    out_path = Path(os.environ["RETURNS_OUTPUT"])
    for i, chunk in enumerate(pd.read_csv(os.environ["RETURNS_INPUT"], chunksize=20_000)):
        try:
            rows = valid_rows(chunk)
            X = build_features(rows)[bundle["features"]]
            result = rows[["line_id"]].assign(return_probability=bundle["model"].predict_proba(X)[:, 1],
                                              model_version=bundle["version"], scored_at=scored_at)
        except (ValueError, KeyError):
            log.exception("chunk %d failed; continuing", i)
            continue
        result.to_csv(out_path, mode="a", header=not out_path.exists(), index=False)


if __name__ == "__main__":
    main()
