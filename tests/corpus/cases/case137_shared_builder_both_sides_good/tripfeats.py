"""Ride features, computed per row from the trip log."""
import numpy as np
import pandas as pd

COLUMNS = ["km", "pace", "log_fare", "stops"]


def shape(trips: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=trips.index)
    out["km"] = trips["km"].astype(float)
    minutes = trips["minutes"].astype(float)
    out["pace"] = np.where(minutes > 0, out["km"] / minutes.where(minutes > 0), 0.0)
    out["log_fare"] = np.log1p(trips["fare"])
    out["stops"] = trips["stops"].fillna(0)
    return out[COLUMNS]
