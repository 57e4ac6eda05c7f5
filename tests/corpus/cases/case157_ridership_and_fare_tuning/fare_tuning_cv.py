"""Tune the fare regressor by cross-validation on the learning part; the held part is scored once."""
import json

import optuna
import pandas as pd
from lightgbm import LGBMRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import KFold, cross_val_score, train_test_split

trips = pd.read_parquet("trips.parquet")
fare = trips.pop("fare")
inputs = trips[["km", "minutes", "pickup_hour", "zone_from", "zone_to"]]
learn_x, hold_x, learn_y, hold_y = train_test_split(inputs, fare, test_size=0.2, random_state=17)
folds = KFold(n_splits=5, shuffle=True, random_state=3)


def trial_error(trial):
    params = {"num_leaves": trial.suggest_int("num_leaves", 15, 255),
              "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.2, log=True)}
    model = LGBMRegressor(n_estimators=600, **params)
    return -cross_val_score(model, learn_x, learn_y, cv=folds, scoring="neg_mean_absolute_error").mean()


search = optuna.create_study(direction="minimize")
search.optimize(trial_error, n_trials=120)
chosen = LGBMRegressor(n_estimators=600, **search.best_params).fit(learn_x, learn_y)
with open("fare_metrics.json", "w") as out:
    json.dump({"mae": mean_absolute_error(hold_y, chosen.predict(hold_x)), "cv_mae": search.best_value}, out)
