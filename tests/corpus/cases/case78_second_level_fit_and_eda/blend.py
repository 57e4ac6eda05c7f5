"""Blend three saved forecasts: weight each by how well a straight line maps it onto the truth."""
import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_squared_error, mutual_info_score

forecasts = pd.read_csv("forecasts_holdout.csv")
truth = pd.read_csv("actuals_holdout.csv")["units"].to_numpy().reshape(-1, 1)

errors = []
for col in ["arima", "gbm", "lstm"]:
    guess = forecasts[col].to_numpy().reshape(-1, 1)
    line = LinearRegression().fit(truth, guess)
    mapped = line.predict(guess)
    errors.append(mean_squared_error(guess, mapped))

weights = np.exp(-np.array(errors)) / np.exp(-np.array(errors)).sum()
print(dict(zip(["arima", "gbm", "lstm"], weights)))

calendar = pd.read_csv("calendar.csv")
print(mutual_info_score(calendar["weekday"], calendar["promo"]))
