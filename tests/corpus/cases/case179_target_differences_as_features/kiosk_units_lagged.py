"""The same forecast with the week-on-week change taken from the weeks before the one predicted."""
import lightgbm as lgb
import pandas as pd
from sklearn.metrics import mean_absolute_error

weekly = pd.read_parquet("kiosk_weeks.parquet").sort_values(["kiosk", "week_start"])
per_kiosk = weekly.groupby("kiosk")["units"]
weekly["units_prev"] = per_kiosk.shift(1)
weekly["units_change"] = per_kiosk.diff(1).shift(1)
weekly["units_growth"] = per_kiosk.pct_change(1).shift(1)

inputs = weekly.columns.drop(["units", "week_start", "kiosk"])
early = weekly["week_start"] < "2024-07-01"
booster = lgb.LGBMRegressor(n_estimators=400, learning_rate=0.05)
booster.fit(weekly.loc[early, inputs], weekly.loc[early, "units"])
late_error = mean_absolute_error(weekly.loc[~early, "units"], booster.predict(weekly.loc[~early, inputs]))
naive_error = mean_absolute_error(weekly.loc[~early, "units"], weekly.loc[~early, "units_prev"])
print(f"MAE {late_error:.2f} against {naive_error:.2f} for last week's units")
