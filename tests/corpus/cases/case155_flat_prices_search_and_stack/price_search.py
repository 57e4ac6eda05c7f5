"""Flat asking prices: a straight-line fit to see how far off it is, then a tuned forest."""
import json

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import GridSearchCV

flats = pd.read_csv("flats.csv")
asking = flats.pop("asking_price")
rooms = flats[["floor_m2", "rooms", "floor", "year_built", "metro_min"]]

straight = LinearRegression().fit(rooms, asking)
straight_rmse = np.sqrt(mean_squared_error(asking, straight.predict(rooms)))
straight_rmse

grid = GridSearchCV(RandomForestRegressor(random_state=8), {"n_estimators": [200, 400], "max_features": [2, 3, 4]},
                    cv=5, scoring="neg_root_mean_squared_error")
grid.fit(rooms, asking)
for rmse, params in zip(grid.cv_results_["mean_test_score"], grid.cv_results_["params"]):
    print(-rmse, params)
with open("search.json", "w") as out:
    json.dump({"best_rmse": -grid.best_score_, "best": grid.best_params_}, out)
