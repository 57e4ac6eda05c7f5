"""Score a day's transactions with the saved forest (run by the nightly scheduler)."""
import sys

import joblib
import numpy as np
import pandas as pd

bundle = joblib.load("card_forest.joblib")
forest = bundle["model"]


def _km(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = map(np.radians, [lat1, lon1, lat2, lon2])
    h = np.sin((lat2 - lat1) / 2.0) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2.0) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(h))


def _stamp(frame):
    column = "posted_at" if "posted_at" in frame.columns else "ts"
    return pd.to_datetime(frame[column], errors="coerce")


def shape(day):
    frame = day.copy()
    when = _stamp(frame)
    if when is None:
        frame["hr"] = 0.0
        frame["wd"] = 0.0
        frame["late"] = 0.0
        frame["off_day"] = 0.0
        frame["office"] = 1.0
    else:
        frame["hr"] = when.dt.hour.astype(float)
        frame["wd"] = when.dt.weekday.astype(float)
        frame["late"] = ((frame["hr"] < 6) | (frame["hr"] >= 22)).astype(float)
        frame["off_day"] = frame["wd"].isin([5, 6]).astype(float)
        frame["office"] = ((frame["hr"] >= 9) & (frame["hr"] < 17)).astype(float)
    frame["km_away"] = _km(frame["home_lat"], frame["home_lon"], frame["shop_lat"], frame["shop_lon"])
    frame["prior_avg"] = frame.groupby("card")["amount"].transform("mean").fillna(0.0)
    return frame[["amount", "hr", "wd", "late", "off_day", "office", "km_away", "prior_avg"]]


if __name__ == "__main__":
    day = pd.read_csv(sys.argv[1])
    try:
        day["fraud_score"] = forest.predict_proba(shape(day))[:, 1]
    except ValueError as err:
        sys.exit(f"cannot score {sys.argv[1]}: {err}")
    day.to_csv(sys.argv[2], index=False)
