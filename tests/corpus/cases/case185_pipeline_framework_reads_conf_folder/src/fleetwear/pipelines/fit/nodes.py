"""Nodes of the tyre-wear training pipeline; their settings arrive as `params:` inputs."""
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import train_test_split


def split_runs(runs: pd.DataFrame, split: dict):
    learn, check = train_test_split(runs, test_size=split["test_size"], random_state=split["random_state"])
    return learn, check


def fit_wear(learn: pd.DataFrame, wear_model: dict) -> RandomForestRegressor:
    inputs = learn[["km_since_fit", "axle_load", "road_class", "avg_speed"]]
    return RandomForestRegressor(**wear_model).fit(inputs, learn["tread_loss_mm"])


def report(model: RandomForestRegressor, check: pd.DataFrame) -> dict:
    guess = model.predict(check[["km_since_fit", "axle_load", "road_class", "avg_speed"]])
    return {"mae": mean_absolute_error(check["tread_loss_mm"], guess), "r2": r2_score(check["tread_loss_mm"], guess)}
