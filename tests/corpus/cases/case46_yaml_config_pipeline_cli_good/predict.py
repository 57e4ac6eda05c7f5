"""python predict.py claims.csv --out triage.csv [--config config.yaml]"""
import argparse
import hashlib
import json
import sys
from pathlib import Path

import joblib
import pandas as pd
import yaml


def load_bundle(model_dir: Path) -> dict:
    meta = json.loads((model_dir / "metadata.json").read_text())
    artifact = model_dir / f"{meta['version']}.joblib"
    if hashlib.sha256(artifact.read_bytes()).hexdigest() != meta["sha256"]:
        raise RuntimeError(f"{artifact} does not match the checksum in metadata.json")
    return joblib.load(artifact)


def check_input(claims: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    num, cat = cfg["features"]["numeric"], cfg["features"]["categorical"]
    missing = [c for c in num + cat if c not in claims.columns]
    if missing:
        raise ValueError(f"input lacks columns {missing}")
    values = claims[num].apply(pd.to_numeric, errors="coerce")
    if (values < 0).any().any():
        raise ValueError("negative values in numeric columns")
    return claims.assign(**{c: values[c] for c in num})


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("claims_csv")
    parser.add_argument("--out", required=True)
    parser.add_argument("--config", default="config.yaml")
    args = parser.parse_args()
    cfg = yaml.safe_load(Path(args.config).read_text())
    try:
        bundle = load_bundle(Path(cfg["paths"]["model_dir"]))
        claims = check_input(pd.read_csv(args.claims_csv), cfg)
        claims["rejection_probability"] = bundle["pipeline"].predict_proba(claims[bundle["features"]])[:, 1]
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"triage failed: {exc}", file=sys.stderr)
        return 2
    claims["model_version"] = bundle["version"]
    claims.to_csv(args.out, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
