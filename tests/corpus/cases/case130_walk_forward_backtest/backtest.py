"""Daily load forecast: expanding-window backtest over five origins, then a final fit."""
import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.metrics import mean_absolute_error


def expanding_origins(feats, target, origins=5):
    block = len(feats) // (origins + 1)
    for k in range(origins):
        edge = block * (k + 1)
        seen_x, next_x = feats[:edge], feats[edge:edge + block]
        seen_y, next_y = target[:edge], target[edge:edge + block]
        yield seen_x, next_x, seen_y, next_y


def main():
    load = pd.read_parquet("hourly_load.parquet").sort_values("hour")
    feats = load[["temp", "dow", "lag_24", "lag_168"]].to_numpy()
    target = load["mw"].to_numpy()
    errors = []
    for seen_x, next_x, seen_y, next_y in expanding_origins(feats, target):
        fitted = GradientBoostingRegressor(random_state=0).fit(seen_x, seen_y)
        errors.append(mean_absolute_error(next_y, fitted.predict(next_x)))
        errors.append(mean_absolute_error(next_y, np.repeat(seen_y[-24:].mean(), len(next_y))))
    print("model and naive MAE per origin:", errors)
    cut = int(len(feats) * 0.9)
    early_x, late_x = feats[:cut], feats[cut:]
    early_y, late_y = target[:cut], target[cut:]
    final = GradientBoostingRegressor(random_state=0).fit(early_x, early_y)
    print("last-month MAE:", mean_absolute_error(late_y, final.predict(late_x)))


if __name__ == "__main__":
    main()
