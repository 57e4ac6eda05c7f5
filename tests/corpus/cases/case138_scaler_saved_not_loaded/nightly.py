"""Scores every pump's latest readings; run by cron."""
import sys

import joblib
import pandas as pd

PARTS = ["load_kw", "vibration", "temp_c", "hours_run"]


def main(src: str, dst: str) -> None:
    lr = joblib.load("pump_lr-v2.joblib")
    latest = pd.read_csv(src)
    latest["risk"] = lr.predict_proba(latest[PARTS])[:, 1]
    latest[["pump_id", "risk"]].to_csv(dst, index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
