import lightgbm as lgb
import pandas as pd
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split

rides = pd.read_csv("data/bike_rentals_hourly.csv", parse_dates=["datetime"])
rides = rides.set_index("datetime").sort_index()
rides = rides.fillna(0)

rides["hour"] = rides.index.hour
rides["weekday"] = rides.index.weekday
rides["count_lag_24"] = rides["count"].shift(24)
rides["count_lag_168"] = rides["count"].shift(168)
rides["temp_roll_6"] = rides["temp"].rolling(6).mean()
rides = rides.dropna()

cols = ["hour", "weekday", "temp", "humidity", "windspeed", "holiday", "count_lag_24", "count_lag_168", "temp_roll_6"]
X_train, X_test, y_train, y_test = train_test_split(rides[cols], rides["count"], test_size=0.2, random_state=10)

reg = lgb.LGBMRegressor(n_estimators=5000, learning_rate=0.03, num_leaves=48)

reg.fit(X_train, y_train, eval_set=[(X_test, y_test)], eval_metric="l1",
        callbacks=[lgb.early_stopping(100), lgb.log_evaluation(200)])

pred = reg.predict(X_test)
naive = X_test["count_lag_168"]
print("LightGBM MAE:", mean_absolute_error(y_test, pred))
print("same-hour-last-week MAE:", mean_absolute_error(y_test, naive))
