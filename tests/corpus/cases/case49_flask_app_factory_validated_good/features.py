"""Delivery-lateness features: one definition for training rows and for API requests.

distance_km        route distance from depot to drop-off, from the routing service
items              parcels in the order (at least one)
km_per_item        distance per parcel; orders with zero items count as one
driver_jobs_today  drops already assigned to the driver when the order is dispatched
rain_mm            forecast rainfall for the delivery window, capped at 50 mm
is_weekend         1 when the delivery window falls on Saturday or Sunday
"""
import pandas as pd

FEATURES = ["distance_km", "items", "km_per_item", "driver_jobs_today", "rain_mm", "is_weekend"]


def build_features(orders: pd.DataFrame) -> pd.DataFrame:
    out = orders[["distance_km", "items", "driver_jobs_today", "rain_mm", "is_weekend"]].astype(float)
    out["km_per_item"] = out["distance_km"] / out["items"].clip(lower=1)
    out["rain_mm"] = out["rain_mm"].clip(upper=50)
    return out[FEATURES]
