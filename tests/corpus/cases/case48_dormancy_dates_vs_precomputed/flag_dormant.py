"""Flag accounts likely to go dormant; rows come from the CRM's daily view."""
import argparse
import json

import joblib
import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("crm_view_csv")
    parser.add_argument("--out", default="dormancy_flags.csv")
    args = parser.parse_args()

    settings = json.load(open("settings.json"))
    bundle = joblib.load(settings["model_file"])
    view = pd.read_csv(args.crm_view_csv)
    # the CRM view already carries account_age_days and days_since_last_txn
    X = view[bundle["features"]]
    view["dormancy_probability"] = bundle["model"].predict_proba(X)[:, 1]
    view["flag"] = view["dormancy_probability"] >= 0.5
    view[["account_id", "dormancy_probability", "flag"]].to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
