"""Training features for the next-day demand model.

One row per (store_id, sku, date); the target is that day's ``units_sold``.
"""
from __future__ import annotations

import pandas as pd

KEYS = ["store_id", "sku"]
TARGET = "units_sold"
LAGS = [1, 7, 14, 28]

FEATURES = [
    "day_of_week", "month", "is_public_holiday", "is_school_holiday", "payday_week",
    "price", "on_promo", "price_vs_median_28d",
    "lag_1", "lag_7", "lag_14", "lag_28",
    "rolling_mean_7", "rolling_std_28",
    "stock_on_hand_next_day",
]


def add_calendar(df: pd.DataFrame, calendar: pd.DataFrame) -> pd.DataFrame:
    df = df.merge(calendar, on="date", how="left")
    df["day_of_week"] = df["date"].dt.dayofweek
    df["month"] = df["date"].dt.month
    return df


def add_sales_history(df: pd.DataFrame) -> pd.DataFrame:
    units = df.groupby(KEYS)[TARGET]
    for lag in LAGS:
        df[f"lag_{lag}"] = units.shift(lag)
    # weekly level, smoothed over the surrounding week
    df["rolling_mean_7"] = units.transform(lambda s: s.rolling(7, center=True, min_periods=1).mean())
    df["rolling_std_28"] = units.transform(lambda s: s.shift(1).rolling(28, min_periods=7).std())
    return df


def add_price_and_stock(df: pd.DataFrame) -> pd.DataFrame:
    prices = df.groupby(KEYS)["price"]
    median_28d = prices.transform(lambda s: s.shift(1).rolling(28, min_periods=1).median())
    df["price_vs_median_28d"] = df["price"] / median_28d
    # stock after the overnight replenishment tells us whether the shelf was full
    df["stock_on_hand_next_day"] = df.groupby(KEYS)["stock_on_hand"].shift(-1)
    return df


def build_training_frame(sales: pd.DataFrame, calendar: pd.DataFrame) -> pd.DataFrame:
    sales = sales.copy()
    sales["date"] = pd.to_datetime(sales["date"])
    calendar = calendar.assign(date=pd.to_datetime(calendar["date"]))
    df = sales.sort_values(KEYS + ["date"]).reset_index(drop=True)
    df = add_calendar(df, calendar)
    df = add_sales_history(df)
    df = add_price_and_stock(df)
    df = df.fillna(0)
    return df
