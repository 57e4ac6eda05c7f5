import joblib
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.model_selection import cross_val_score

from tripfeats import COLUMNS, shape

log = pd.read_parquet("trips.parquet")
grid = shape(log)
gbr = GradientBoostingRegressor(random_state=5)
print(cross_val_score(gbr, grid, log["tip"], cv=5).mean())
gbr.fit(grid, log["tip"])
joblib.dump({"model": gbr, "columns": COLUMNS, "version": "t-3"}, "tips-t3.joblib")
