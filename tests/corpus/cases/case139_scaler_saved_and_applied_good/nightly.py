"""Scores every pump's latest readings; run by cron."""
import sys

import joblib
import pandas as pd

PARTS = ["load_kw", "vibration", "temp_c", "hours_run"]


def main(src: str, dst: str) -> None:
    norm = joblib.load("pump_norm-v2.joblib")
    lr = joblib.load("pump_lr-v2.joblib")
    latest = pd.read_csv(src)
    latest["risk"] = lr.predict_proba(norm.transform(latest[PARTS]))[:, 1]
    latest[["pump_id", "risk"]].to_csv(dst, index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
