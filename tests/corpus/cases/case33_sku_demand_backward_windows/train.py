"""Forecast daily units per SKU; the hold-out is the last 8 weeks, and CV folds follow time."""
import numpy as np
import pandas as pd
from lightgbm import LGBMRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import TimeSeriesSplit

from features import FEATURES, build

sales = build(pd.read_parquet("data/sku_daily.parquet"))
sales = sales.dropna(subset=["lag_28"]).sort_values("day").reset_index(drop=True)
cutoff = sales["day"].max() - pd.Timedelta(weeks=8)
history, holdout = sales[sales["day"] <= cutoff], sales[sales["day"] > cutoff]

params = dict(n_estimators=800, learning_rate=0.03, num_leaves=63, objective="poisson", random_state=0)
cv_mae = []
for tr_idx, va_idx in TimeSeriesSplit(n_splits=4).split(history):
    fold_train, fold_valid = history.iloc[tr_idx], history.iloc[va_idx]
    fold_model = LGBMRegressor(**params).fit(fold_train[FEATURES], fold_train["units"])
    cv_mae.append(mean_absolute_error(fold_valid["units"], fold_model.predict(fold_valid[FEATURES])))
print("time-series CV MAE per fold:", np.round(cv_mae, 2))

model = LGBMRegressor(**params).fit(history[FEATURES], history["units"])
holdout_mae = mean_absolute_error(holdout["units"], model.predict(holdout[FEATURES]))
naive_mae = mean_absolute_error(holdout["units"], holdout["lag_7"].fillna(holdout["mean_28"]))
print(f"hold-out MAE {holdout_mae:.2f} vs seasonal naive (same weekday last week) {naive_mae:.2f}")
model.booster_.save_model("models/sku_demand.txt")
