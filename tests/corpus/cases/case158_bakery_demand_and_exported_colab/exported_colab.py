!pip install -q lightgbm==4.3.0
%matplotlib inline
# Exported from a Colab notebook: used-car prices
import pandas as pd
from lightgbm import LGBMRegressor
from sklearn.model_selection import cross_val_score, train_test_split

cars = pd.read_csv("cars.csv")
ties = cars.corr(numeric_only=True)["price"].abs()
chosen = ties[ties > 0.25].index.drop("price")
fit_x, hold_x, fit_y, hold_y = train_test_split(cars[chosen], cars["price"], test_size=0.2, random_state=9)
booster = LGBMRegressor(n_estimators=500).fit(fit_x, fit_y)
print("held-out R2", cross_val_score(booster, hold_x, hold_y, cv=5).mean())
