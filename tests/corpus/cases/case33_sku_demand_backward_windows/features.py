"""Demand features for the SKU forecaster. Every window looks strictly backwards."""
import pandas as pd

FEATURES = ["lag_1", "lag_7", "lag_28", "mean_7", "mean_28", "std_28", "price", "on_promo",
            "dow", "month", "days_since_promo"]
FILL_VALUES = {"on_promo": 0, "std_28": 0.0, "days_since_promo": 365}


def add_calendar(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(dow=frame["day"].dt.dayofweek, month=frame["day"].dt.month)


def add_history(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.sort_values(["sku", "day"]).copy()
    by_sku = frame.groupby("sku")["units"]
    past = by_sku.shift(1)  # yesterday and earlier only
    frame["lag_1"] = past
    frame["lag_7"] = by_sku.shift(7)
    frame["lag_28"] = by_sku.shift(28)
    frame["mean_7"] = past.groupby(frame["sku"]).transform(lambda s: s.rolling(7, min_periods=3).mean())
    frame["mean_28"] = past.groupby(frame["sku"]).transform(lambda s: s.rolling(28, min_periods=7).mean())
    frame["std_28"] = past.groupby(frame["sku"]).transform(lambda s: s.rolling(28, min_periods=7).std())
    return frame


def add_promo_recency(frame: pd.DataFrame) -> pd.DataFrame:
    promo_days = frame["day"].where(frame["on_promo"] == 1)
    last_promo = promo_days.groupby(frame["sku"]).ffill().groupby(frame["sku"]).shift(1)
    frame["days_since_promo"] = (frame["day"] - last_promo).dt.days
    return frame


def fill_gaps(frame: pd.DataFrame) -> pd.DataFrame:
    frame["price"] = frame.groupby("sku")["price"].ffill()
    return frame.fillna(FILL_VALUES)


def build(raw: pd.DataFrame) -> pd.DataFrame:
    return fill_gaps(add_promo_recency(add_history(add_calendar(raw))))
