"""Water-meter anomaly scores: the newer readings train, the older ones check the model."""
import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error
from sklearn.preprocessing import StandardScaler

readings = pd.read_parquet("meter_readings.parquet").sort_values("read_at")
cols = ["flow_lpm", "pressure_kpa", "temp_c", "night_share"]
grid = StandardScaler().fit_transform(readings[cols])
cut = int(len(readings) * 0.3)
newer, older = grid[cut:], grid[:cut]
newer_y, older_y = readings["leak_litres"].to_numpy()[cut:], readings["leak_litres"].to_numpy()[:cut]
reg = Ridge(alpha=3.0).fit(newer, newer_y)
print("MAE on the held-back readings", mean_absolute_error(older_y, reg.predict(older)))
print("mean-only MAE", mean_absolute_error(older_y, np.full(len(older_y), newer_y.mean())))
