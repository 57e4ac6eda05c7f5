"""Thirty-day demand forecast with Prophet (the library reads the history as columns ds and y),
compared with a boosted model on calendar features."""
import pandas as pd
from prophet import Prophet
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_absolute_error

orders = pd.read_csv("daily_orders.csv", parse_dates=["day"])
orders["dow"], orders["month"] = orders["day"].dt.dayofweek, orders["day"].dt.month
cal_fit, cal_last = orders.iloc[:-30], orders.iloc[-30:]
booster = HistGradientBoostingRegressor(random_state=0).fit(cal_fit[["dow", "month"]], cal_fit["units"])
print("boosted MAE:", mean_absolute_error(cal_last["units"], booster.predict(cal_last[["dow", "month"]])))

history = orders[["day", "units"]].rename(columns={"day": "ds"})
history["y"] = history["units"]
history = history[["ds", "y"]]
fit_part, last_part = history.iloc[:-30], history.iloc[-30:]
forecaster = Prophet(weekly_seasonality=True)
forecaster.fit(fit_part)
ahead = forecaster.make_future_dataframe(periods=30)
predicted = forecaster.predict(ahead)["yhat"].tail(30).to_numpy()
print("Prophet MAE:", mean_absolute_error(last_part["y"], predicted))
print("seasonal naive MAE:", mean_absolute_error(last_part["y"], fit_part["y"].tail(30).to_numpy()))
