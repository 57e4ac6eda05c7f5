"""Energy-use regression: standardise, then cut into fit and check sets by meter id."""
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.metrics import r2_score
from sklearn.model_selection import GroupShuffleSplit

NUMERIC = ["floor_area", "occupants", "hdd", "cdd", "age_years"]


def summarise(frame):
    centre = frame[NUMERIC].mean()
    spread = frame[NUMERIC].std().replace(0, 1)
    return {"centre": centre, "spread": spread}


def standardise(frame, s):
    out = frame.copy()
    out[NUMERIC] = (out[NUMERIC] - s["centre"]) / s["spread"]
    return out


usage = pd.read_csv("building_usage.csv")
s = summarise(usage)
usage = standardise(usage, s)
cutter = GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=5)
fit_idx, chk_idx = next(cutter.split(usage, groups=usage["meter_id"]))
gbr = GradientBoostingRegressor(random_state=0).fit(usage.iloc[fit_idx][NUMERIC], usage.iloc[fit_idx]["kwh"])
print(r2_score(usage.iloc[chk_idx]["kwh"], gbr.predict(usage.iloc[chk_idx][NUMERIC])))
