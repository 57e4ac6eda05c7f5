"""The same claims with a linear model: the marker is read as a real, extreme value."""
import pandas as pd
from sklearn.linear_model import HuberRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

fit_part = pd.read_parquet("claims_fit.parquet").fillna(-1)
later_part = pd.read_parquet("claims_later.parquet").fillna(-1)
columns = ["vehicle_age", "driver_age", "prior_claims", "annual_km"]
line = make_pipeline(StandardScaler(), HuberRegressor()).fit(fit_part[columns], fit_part["amount"])
print(mean_absolute_error(later_part["amount"], line.predict(later_part[columns])))
