"""Hour-ahead load forecast evaluated with expanding-window time-series CV."""
import logging
import time

import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

log = logging.getLogger("load_forecast")

FEATURES = ["load_mw", "load_lag_1", "load_lag_24", "load_lag_168", "load_mean_24", "temperature", "hour", "weekday"]


def build_frame(path):
    grid = pd.read_csv(path, parse_dates=["timestamp"]).set_index("timestamp").sort_index()
    grid["temperature"] = grid["temperature"].ffill(limit=3)
    # the label: next hour's load
    grid["target_next_load"] = grid["load_mw"].shift(-1)
    for k in (1, 24, 168):
        grid[f"load_lag_{k}"] = grid["load_mw"].shift(k)
    grid["load_mean_24"] = grid["load_mw"].rolling(24).mean()  # trailing window, ends at the current hour
    grid["hour"] = grid.index.hour
    grid["weekday"] = grid.index.dayofweek
    return grid.dropna()


def evaluate(grid):
    X, y = grid[FEATURES], grid["target_next_load"]
    splitter = TimeSeriesSplit(n_splits=5, test_size=24 * 14)
    model_mae, persistence_mae = [], []
    for fold, (train_idx, test_idx) in enumerate(splitter.split(X)):
        started = time.time()
        model = make_pipeline(StandardScaler(), Ridge(alpha=1.0))
        model.fit(X.iloc[train_idx], y.iloc[train_idx])
        model_mae.append(mean_absolute_error(y.iloc[test_idx], model.predict(X.iloc[test_idx])))
        # persistence baseline: next hour's load equals the current load
        persistence_mae.append(mean_absolute_error(y.iloc[test_idx], X["load_mw"].iloc[test_idx]))
        log.info("fold %d done in %.1fs", fold, time.time() - started)
    return np.mean(model_mae), np.mean(persistence_mae)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    t0 = time.time()
    grid = build_frame("data/grid_load_hourly.csv")
    ridge_mae, naive_mae = evaluate(grid)
    print(f"ridge MAE {ridge_mae:.1f} MW vs persistence {naive_mae:.1f} MW")
    log.info("total runtime %.1fs", time.time() - t0)
