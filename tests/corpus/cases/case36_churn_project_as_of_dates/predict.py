"""Score an accounts extract and write the retention list."""
import argparse
from datetime import datetime, timezone

import joblib
import pandas as pd

from features import build_features


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("accounts_csv")
    parser.add_argument("--as-of", required=True, help="date of the accounts extract, YYYY-MM-DD")
    parser.add_argument("--out", default="retention_list.csv")
    args = parser.parse_args()

    bundle = joblib.load("models/churn_hgb.joblib")
    accounts = pd.read_csv(args.accounts_csv)
    X = build_features(accounts, as_of=pd.Timestamp(args.as_of))
    scores = accounts[["account_id"]].copy()
    scores["churn_probability"] = bundle["model"].predict_proba(X[bundle["features"]])[:, 1]
    scores["contact"] = scores["churn_probability"] >= bundle["threshold"]
    scores["model_version"] = bundle["version"]
    scores["scored_at"] = datetime.now(timezone.utc).isoformat()
    scores.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
