"""Score a CSV of policies: python predict_cli.py policies.csv --out scores.csv"""
import argparse
import json
import sys
from pathlib import Path

import lightgbm as lgb
import pandas as pd

from features import FEATURES, build_features

REQUIRED = {"annual_income", "annual_premium", "n_claims", "policy_years", "payment_delays", "channel"}


def validate(policies: pd.DataFrame) -> pd.DataFrame:
    missing = REQUIRED - set(policies.columns)
    if missing:
        raise ValueError(f"missing columns: {sorted(missing)}")
    numeric = ["annual_income", "annual_premium", "n_claims", "policy_years", "payment_delays"]
    bad = policies[numeric].apply(pd.to_numeric, errors="coerce").lt(0).any(axis=1)
    if bad.any():
        raise ValueError(f"{int(bad.sum())} rows with negative values")
    return policies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("policies_csv")
    parser.add_argument("--out", required=True)
    parser.add_argument("--config", default="config.json")
    args = parser.parse_args()

    cfg = json.loads(Path(args.config).read_text())
    model_dir = Path(cfg["model_dir"])
    try:
        meta = json.loads((model_dir / "metadata.json").read_text())
        booster = lgb.Booster(model_file=str(model_dir / "model.txt"))
        policies = validate(pd.read_csv(args.policies_csv, sep=cfg["input"]["csv_separator"]))
        X = build_features(policies)[meta["features"]]
        scores = policies[[cfg["input"]["id_column"]]].assign(
            lapse_probability=booster.predict(X), model_version=meta["version"]
        )
    except (OSError, ValueError, KeyError) as exc:
        print(f"scoring failed: {exc}", file=sys.stderr)
        return 1
    scores.to_csv(args.out, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
