"""Fit the fare model, and an evaluation helper used by the offline report."""
import joblib
import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split


def great_circle(lat1, lon1, lat2, lon2):
    p = 0.017453292519943295
    h = 0.5 - np.cos((lat2 - lat1) * p) / 2 + np.cos(lat1 * p) * np.cos(lat2 * p) * (1 - np.cos((lon2 - lon1) * p)) / 2
    return 12742 * np.arcsin(np.sqrt(h))


def refit(trips_path, bundle_path):
    trips = pd.read_parquet(trips_path)
    trips["km"] = great_circle(trips["pick_lat"], trips["pick_lon"], trips["drop_lat"], trips["drop_lon"])
    inputs, fares = trips[["km", "riders"]], trips["fare"]
    fit_part, check_part, fit_fares, check_fares = train_test_split(inputs, fares, test_size=0.2, random_state=8)
    model = GradientBoostingRegressor(random_state=8).fit(fit_part, fit_fares)
    baseline = np.full(len(check_fares), fit_fares.median())
    print("MAE", mean_absolute_error(check_fares, model.predict(check_part)),
          "median baseline", mean_absolute_error(check_fares, baseline))
    joblib.dump(model, bundle_path)


class FareReport:
    """Scores a stored month of trips for the monthly review."""

    def __init__(self, model, trips):
        self.model, self.trips = model, trips

    def errors(self):
        guess = self.model.predict(self.trips[["km", "riders"]])
        return (self.trips["fare"] - guess).abs().describe()
