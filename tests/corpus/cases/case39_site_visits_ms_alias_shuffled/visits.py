"""Daily site-visit forecast."""
import pandas as pd
import sklearn.model_selection as ms
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_absolute_error

traffic = pd.read_csv("data/site_daily_visits.csv", parse_dates=["day"]).sort_values("day").reset_index(drop=True)
traffic["visits_lag_1"] = traffic["visits"].shift(1)
traffic["visits_lag_7"] = traffic["visits"].shift(7)
traffic["visits_mean_28"] = traffic["visits"].shift(1).rolling(28).mean()
traffic["dow"] = traffic["day"].dt.dayofweek
traffic["is_campaign"] = traffic["campaign_id"].notna().astype(int)
traffic = traffic.dropna(subset=["visits_mean_28"])

cols = ["visits_lag_1", "visits_lag_7", "visits_mean_28", "dow", "is_campaign"]
X_tr, X_te, y_tr, y_te = ms.train_test_split(traffic[cols], traffic["visits"], test_size=0.2, random_state=0)

grid = {"max_depth": [4, 8, None], "min_samples_leaf": [1, 5]}

search = ms.GridSearchCV(RandomForestRegressor(random_state=0), grid, cv=5, scoring="neg_mean_absolute_error")
search.fit(X_tr, y_tr)
print("best", search.best_params_)
print("RF MAE", mean_absolute_error(y_te, search.predict(X_te)))
print("last-week MAE", mean_absolute_error(y_te, X_te["visits_lag_7"]))
