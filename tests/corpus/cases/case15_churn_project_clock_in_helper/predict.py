"""Nightly scoring: writes the accounts the retention team should contact."""
import sys

import joblib
import pandas as pd

from features import build_features


def main(snapshot_path: str, out_path: str) -> None:
    bundle = joblib.load("artifacts/churn_hgb.joblib")
    model, columns = bundle["model"], bundle["features"]
    accounts = pd.read_parquet(snapshot_path)
    X = build_features(accounts)[columns]
    accounts["churn_risk"] = model.predict_proba(X)[:, 1]
    accounts["contact"] = model.predict(X)
    to_call = accounts.loc[accounts["contact"] == 1, ["account_id", "email", "churn_risk"]]
    to_call.sort_values("churn_risk", ascending=False).to_csv(out_path, index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
