"""Write the competition submission: 14 days ahead, each day's forecast feeding the next."""
from datetime import timedelta

import lightgbm as lgb
import pandas as pd

from shapes import day_features


def roll_forward(booster, history, first_day):
    for step in range(14):
        day = first_day + timedelta(days=step)
        rows = day_features(history, day)
        history.loc[history["date"] == day, "units"] = booster.predict(rows)
    return history[history["date"] >= first_day]


if __name__ == "__main__":
    booster = lgb.Booster(model_file="artifacts/units.txt")
    history = pd.read_parquet("data/history_with_blank_days.parquet")
    start = history.loc[history["units"].isna(), "date"].min()
    answer = roll_forward(booster, history, start)
    answer[["id", "units"]].to_csv("submission.csv", index=False)
