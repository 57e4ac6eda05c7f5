"""Score a CSV of accounts in one call and write the scores next to it (run by hand or from cron)."""
import argparse
import os

import pandas as pd

from boosted import BoostedModel

COLUMNS = ["tenure_months", "monthly_spend", "support_calls"]


def run(source: str, target: str, version: str) -> None:
    accounts = pd.read_csv(source)
    model = BoostedModel.load(os.environ["MODEL_DIR"], version)
    accounts["p_leave"] = model.predict_proba(accounts[COLUMNS])
    accounts[["account_id", "p_leave"]].to_csv(target, index=False)


if __name__ == "__main__":
    cli = argparse.ArgumentParser()
    cli.add_argument("source")
    cli.add_argument("target")
    cli.add_argument("--version", required=True)
    opts = cli.parse_args()
    run(opts.source, opts.target, opts.version)
