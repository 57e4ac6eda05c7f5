"""Order history loading and the torch Dataset used for training."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch.utils.data import Dataset

TARGET = "delivery_minutes"

FEATURES = [
    "distance_km",          # road distance store -> customer (routing service, at checkout)
    "basket_items",         # number of items in the order
    "basket_weight_kg",     # estimated weight from the catalogue
    "open_orders_store",    # orders waiting to be picked at the store at checkout time
    "couriers_on_shift",    # couriers logged in for the store's zone at checkout time
    "hour",                 # local hour of checkout
    "weekday",              # 0 = Monday
    "rain_mm_h",            # rain intensity from the weather feed at checkout
    "is_promo",             # 1 if a delivery-fee promotion was active
]


def load_orders(path: str | Path) -> pd.DataFrame:
    df = pd.read_parquet(path)
    df["checkout_at"] = pd.to_datetime(df["checkout_at"])
    df["hour"] = df["checkout_at"].dt.hour
    df["weekday"] = df["checkout_at"].dt.weekday
    df["rain_mm_h"] = df["rain_mm_h"].fillna(0.0)  # no reading means no rain at the station
    # drop cancelled orders and scanner glitches (negative or > 4h deliveries)
    df = df[(df["status"] == "delivered") & df[TARGET].between(1, 240)]
    return df.sort_values("checkout_at").reset_index(drop=True)


def compute_norm_stats(df: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Per-feature mean and standard deviation used to standardise the inputs."""
    mean = df[FEATURES].mean()
    std = df[FEATURES].std().replace(0.0, 1.0)
    return {"mean": mean.to_dict(), "std": std.to_dict()}


def save_norm_stats(stats: dict, path: str | Path) -> None:
    Path(path).write_text(json.dumps(stats, indent=2))


def load_norm_stats(path: str | Path) -> dict:
    return json.loads(Path(path).read_text())


class OrdersDataset(Dataset):
    def __init__(self, df: pd.DataFrame, stats: dict):
        mean = pd.Series(stats["mean"])[FEATURES].to_numpy(dtype=np.float32)
        std = pd.Series(stats["std"])[FEATURES].to_numpy(dtype=np.float32)
        x = (df[FEATURES].to_numpy(dtype=np.float32) - mean) / std
        self.x = torch.from_numpy(x)
        self.y = torch.from_numpy(df[TARGET].to_numpy(dtype=np.float32)).unsqueeze(1)

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, idx):
        return self.x[idx], self.y[idx]
