"""Fit the daily-sales regressor on the store-day table."""
import joblib
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_absolute_error

from prep import DAYS, KINDS, shape

days = pd.read_csv("store_days.csv", parse_dates=["day"]).sort_values("day")
days["promo_days"].fillna(days["promo_days"].median(), inplace=True)
days.fillna(0, inplace=True)
days["kind"] = pd.Categorical(days["kind"], categories=KINDS)
days["day_off"] = pd.Categorical(days["day_off"].astype(str), categories=DAYS)
table = pd.get_dummies(shape(days).drop(columns=["day", "sales"]), drop_first=True)
cut = int(len(days) * 0.8)
reg = HistGradientBoostingRegressor(random_state=4).fit(table.iloc[:cut], days["sales"].iloc[:cut])
naive = days["sales"].iloc[:cut].mean()
print("MAE", mean_absolute_error(days["sales"].iloc[cut:], reg.predict(table.iloc[cut:])),
      "mean baseline", mean_absolute_error(days["sales"].iloc[cut:], [naive] * (len(days) - cut)))
joblib.dump({"model": reg, "columns": list(table.columns)}, "sales_reg.joblib")
