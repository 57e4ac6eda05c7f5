"""Claim size with LightGBM: gaps marked with a value no real feature takes."""
import lightgbm as lgb
import pandas as pd
from sklearn.metrics import mean_absolute_error

fit_part = pd.read_parquet("claims_fit.parquet").fillna(-1)
later_part = pd.read_parquet("claims_later.parquet").fillna(-1)
columns = ["vehicle_age", "driver_age", "prior_claims", "annual_km"]
regressor = lgb.LGBMRegressor(n_estimators=600, learning_rate=0.03, random_state=2)
regressor.fit(fit_part[columns], fit_part["amount"])
print(mean_absolute_error(later_part["amount"], regressor.predict(later_part[columns])))
