"""Score the leads that arrived from partner sites today (called by the hourly scheduler)."""
import argparse
import tomllib

import joblib
import pandas as pd
from sklearn.preprocessing import LabelEncoder


def score(csv_path: str, cfg: dict) -> pd.DataFrame:
    bundle = joblib.load(cfg["model"]["artifact"])
    leads = pd.read_csv(csv_path)
    X = leads[bundle["features"]].copy()
    for col in cfg["features"]["categorical"]:
        X[col] = LabelEncoder().fit_transform(X[col].astype(str))
    leads["conversion_probability"] = bundle["model"].predict_proba(X)[:, 1]
    return leads[["lead_id", "conversion_probability"]]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("csv_path")
    parser.add_argument("--config", default="pipeline.toml")
    args = parser.parse_args()
    with open(args.config, "rb") as fh:
        config = tomllib.load(fh)
    score(args.csv_path, config).to_csv("scored_leads.csv", index=False)
