"""Train the parcel-delay classifier and hand the held-out rows to the evaluation job."""
import joblib
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

parcels = pd.read_csv("parcels.csv")
parcels["route_delay_mean"] = parcels.groupby("route")["delay_min"].transform("mean")
feats = parcels[["distance_km", "stops", "depot_load", "route_delay_mean"]]
late = (parcels["delay_min"] > 30).astype(int)

f_a, f_b, l_a, l_b = train_test_split(feats, late, test_size=0.2, stratify=late, random_state=4)
forest = RandomForestClassifier(n_estimators=300, random_state=4).fit(f_a, l_a)
joblib.dump(forest, "parcel_delay.joblib")

scratch = parcels.copy()
scratch["speed"] = scratch["distance_km"] / scratch["delay_min"].clip(lower=1)
print(scratch.describe())
