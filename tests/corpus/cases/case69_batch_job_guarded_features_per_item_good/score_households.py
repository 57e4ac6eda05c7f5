"""Weekly job: arrears risk for every household account; bad rows are reported, not fatal."""
import hashlib
import logging
import os
import sys
from pathlib import Path

import joblib
import pandas as pd

from features import household_features

log = logging.getLogger("arrears")


def load_bundle(path: Path, checksum_path: Path) -> dict:
    if hashlib.sha256(path.read_bytes()).hexdigest() != checksum_path.read_text().strip():
        raise RuntimeError(f"{path} does not match its checksum")
    return joblib.load(path)


def score_accounts(bundle: dict, accounts: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    features = household_features(accounts)[bundle["features"]]
    scored, failed = [], []
    for account_id in features.index:
        try:
            p = float(bundle["model"].predict_proba(features.loc[[account_id]])[0, 1])
        except Exception:
            log.exception("account %s not scored", account_id)
            failed.append(account_id)
            continue
        scored.append({"account_id": account_id, "arrears_probability": p, "model_version": bundle["version"]})
    return pd.DataFrame(scored), failed


def main() -> int:
    try:
        bundle = load_bundle(Path(os.environ["ARREARS_MODEL"]), Path(os.environ["ARREARS_MODEL_SHA256_FILE"]))
        accounts = pd.read_parquet(os.environ["ACCOUNTS_PARQUET"]).set_index("account_id")
    except Exception:
        log.exception("could not start the arrears scoring run")
        return 2
    try:
        scored, failed = score_accounts(bundle, accounts)
    except KeyError:
        log.exception("input table is missing feature columns")
        return 2
    scored.to_parquet(os.environ["ARREARS_OUTPUT"], index=False)
    log.info("scored %d accounts, %d failed, model %s", len(scored), len(failed), bundle["version"])
    return 1 if len(failed) > 0.01 * len(accounts) else 0


if __name__ == "__main__":
    sys.exit(main())
