"""Monthly rent regressor for the listings form."""
import joblib
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import train_test_split

flats = pd.read_csv("listings.csv")
flats["balcony_m2"] = flats["balcony_m2"].fillna(0)
flats["floor"] = flats["floor"].fillna(flats["floor"].median())
table = pd.get_dummies(flats[["area_m2", "rooms", "balcony_m2", "floor", "district"]], columns=["district"])
a, b, c, d = train_test_split(table, flats["rent"], test_size=0.2, random_state=8)
forest = RandomForestRegressor(n_estimators=300, random_state=8).fit(a, c)
guess = forest.predict(b)
print(mean_absolute_error(d, guess), r2_score(d, guess))
joblib.dump({"model": forest, "trained_on": "listings.csv", "version": "2024-06"}, "rent_forest.joblib")
