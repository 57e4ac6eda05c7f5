import numpy as np


def add_ratios(frame):
    out = frame.copy()
    out["spend_per_visit"] = out["spend_90d"] / out["visits_90d"].replace(0, np.nan)
    return out
