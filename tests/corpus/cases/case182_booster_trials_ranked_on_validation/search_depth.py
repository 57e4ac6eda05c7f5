"""Pick booster settings for the parcel-delay model; the chosen settings go to a JSON file that the
training job reads."""
import json

import optuna
import pandas as pd
import xgboost as xgb
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split

parcels = pd.read_parquet("parcels_2024.parquet")
inputs = parcels[["distance_km", "weight_kg", "hub_load", "weekday", "carrier_rank"]]
late = parcels["arrived_late"]
fit_part, check_part, fit_late, check_late = train_test_split(
    inputs, late, test_size=0.2, stratify=late, random_state=11)
fit_matrix = xgb.DMatrix(fit_part, label=fit_late)
check_matrix = xgb.DMatrix(check_part, label=check_late)


def trial_score(trial):
    settings = {
        "objective": "binary:logistic",
        "eval_metric": "aucpr",
        "max_depth": trial.suggest_int("max_depth", 2, 9),
        "eta": trial.suggest_float("eta", 0.01, 0.3, log=True),
        "subsample": trial.suggest_float("subsample", 0.5, 1.0),
    }
    booster = xgb.train(settings, fit_matrix, num_boost_round=800,
                        evals=[(check_matrix, "check")], early_stopping_rounds=40, verbose_eval=False)
    return average_precision_score(check_late, booster.predict(check_matrix))


search = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=11))
search.optimize(trial_score, n_trials=40)
with open("booster_settings.json", "w") as handle:
    json.dump(search.best_params, handle, indent=2)
