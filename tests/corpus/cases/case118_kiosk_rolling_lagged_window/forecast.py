"""Daily kiosk demand: a random forest on calendar and history features."""
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import TimeSeriesSplit

tally = pd.read_csv("kiosk_daily.csv", parse_dates=["day"]).sort_values("day")
tally["weekday"] = tally["day"].dt.dayofweek
tally["drinks_prev_week"] = tally.groupby("kiosk")["drinks"].shift(7)
tally["drinks_mean_5"] = tally.groupby("kiosk")["drinks"].transform(lambda s: s.shift(1).rolling(5, min_periods=1).mean())
tally = tally.dropna()

inputs = ["kiosk", "weekday", "temperature"]
history = ["drinks_prev_week", "drinks_mean_5"]
inputs.extend(history)
grid = tally[inputs]
answer = tally["drinks"]

errors = []
for fit_rows, check_rows in TimeSeriesSplit(n_splits=4).split(grid):
    forest = RandomForestRegressor(n_estimators=200, random_state=11)
    forest.fit(grid.iloc[fit_rows], answer.iloc[fit_rows])
    errors.append(mean_absolute_error(answer.iloc[check_rows], forest.predict(grid.iloc[check_rows])))
print(sum(errors) / len(errors))
