"""Fit the rent estimator on last quarter's listings."""
import joblib
import pandas as pd
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import KFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

COLUMNS = ["floor_area_m2", "rooms", "floor", "distance_to_metro_km", "building_age_years"]

listings = pd.read_csv("data/listings_q3.csv")
X = listings[COLUMNS]
y = listings["monthly_rent"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=3)

cv_mae = -cross_val_score(make_pipeline(StandardScaler(), Ridge(alpha=1.0)), X_train, y_train,
                          cv=KFold(5, shuffle=True, random_state=3), scoring="neg_mean_absolute_error")
print(f"cv mae {cv_mae.mean():.1f}")

scaler = StandardScaler().fit(X_train)
ridge = Ridge(alpha=1.0).fit(scaler.transform(X_train), y_train)
baseline = DummyRegressor(strategy="median").fit(X_train, y_train)
print("test mae", mean_absolute_error(y_test, ridge.predict(scaler.transform(X_test))))
print("baseline mae", mean_absolute_error(y_test, baseline.predict(X_test)))

joblib.dump(ridge, "/srv/models/rent_ridge.joblib")
