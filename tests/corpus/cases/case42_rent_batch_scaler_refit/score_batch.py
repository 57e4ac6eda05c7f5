"""Nightly job: estimate rents for the new listings dropped by the crawler."""
import os
import sys

import joblib
import pandas as pd
from sklearn.preprocessing import StandardScaler

MODEL_PATH = os.path.expanduser("~/models/rent_ridge.joblib")
INPUT_COLUMNS = ["rooms", "floor_area_m2", "floor", "building_age_years", "distance_to_metro_km"]


def main(in_path: str, out_path: str) -> None:
    ridge = joblib.load(MODEL_PATH)
    listings = pd.read_csv(in_path)
    X = listings[INPUT_COLUMNS].to_numpy()
    X_scaled = StandardScaler().fit_transform(X)
    listings["estimated_rent"] = ridge.predict(X_scaled).round(0)
    listings["rent_per_m2"] = listings["estimated_rent"] / listings["floor_area_m2"]
    listings.to_csv(out_path, index=False)
    print(f"scored {len(listings)} listings")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
