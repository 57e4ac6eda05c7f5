"""Shape the store-day table for the sales model."""
import pandas as pd

KINDS = ["grocery", "hyper", "express"]
DAYS = ["none", "public", "school"]


def shape(raw: pd.DataFrame) -> pd.DataFrame:
    table = raw.copy()
    table["rival_km"] = table["rival_km"].fillna(table["rival_km"].median())
    return table
