"""Fit the ETA regressor; reports CV MAE against the 'median time of the city' rule."""
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import KFold, cross_val_predict

from prep import DeliveryPreprocessor

orders = pd.read_csv("data/orders_delivered.csv")
orders = orders.dropna(subset=["delivery_minutes"])

prep = DeliveryPreprocessor()
X = prep.fit_transform(orders)
y = orders["delivery_minutes"]

folds = KFold(n_splits=5, shuffle=True, random_state=4)
gbr = GradientBoostingRegressor(n_estimators=600, learning_rate=0.05, max_depth=4, random_state=4)
pred = cross_val_predict(gbr, X, y, cv=folds)

# baseline: median delivery time of the city, computed inside each training fold
baseline = pd.Series(index=orders.index, dtype=float)
for train_idx, test_idx in folds.split(orders):
    fold_train = orders.iloc[train_idx]
    medians = fold_train.groupby("city")["delivery_minutes"].median()
    city_median = orders["city"].iloc[test_idx].map(medians)
    baseline.iloc[test_idx] = city_median.fillna(fold_train["delivery_minutes"].median()).to_numpy()

print("GBR MAE", mean_absolute_error(y, pred))
print("city-median MAE", mean_absolute_error(y, baseline))
