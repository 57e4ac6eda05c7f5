"""Calendar and lag features for one forecast day."""
import pandas as pd


def day_features(history: pd.DataFrame, day) -> pd.DataFrame:
    past = history[history["date"] < day]
    today = history[history["date"] == day].copy()
    last_week = past.groupby("id")["units"].apply(lambda s: s.iloc[-7:].mean())
    today["mean_7"] = today["id"].map(last_week)
    today["weekday"] = today["date"].dt.dayofweek
    return today[["mean_7", "weekday", "price"]]
