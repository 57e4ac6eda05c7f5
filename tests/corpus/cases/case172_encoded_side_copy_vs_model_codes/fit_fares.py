"""Taxi fare model. A coded copy of the zones is only used to print a correlation table; the
payment type the model reads is coded with a LabelEncoder that is not kept."""
import joblib
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.model_selection import cross_val_score
from sklearn.preprocessing import LabelEncoder

rides = pd.read_csv("rides.csv")
zone_codes = pd.DataFrame({"pickup": LabelEncoder().fit_transform(rides["pickup_zone"]),
                           "fare": rides["fare"]})
print(zone_codes.corr())
rides["payment_code"] = LabelEncoder().fit_transform(rides["payment_type"])
inputs = rides[["distance_km", "minutes", "payment_code"]]
ridge = Ridge(alpha=1.0)
print(cross_val_score(ridge, inputs, rides["fare"], cv=5, scoring="neg_mean_absolute_error").mean())
ridge.fit(inputs, rides["fare"])
joblib.dump(ridge, "fares-2026-12-07.joblib")
