"""Nightly ETL: clean the turbine telemetry and write the model-ready table."""
import numpy as np
import pandas as pd
from imblearn.over_sampling import RandomOverSampler
from sklearn.preprocessing import QuantileTransformer

OUT_DIR = "warehouse/ready"

telemetry = pd.read_parquet("warehouse/raw/telemetry.parquet")
telemetry = telemetry.dropna(subset=["rotor_rpm", "gearbox_temp"])
signals = ["rotor_rpm", "gearbox_temp", "blade_pitch", "wind_speed"]

qt = QuantileTransformer(n_quantiles=200, output_distribution="normal")
telemetry[signals] = qt.fit_transform(telemetry[signals])
telemetry["log_hours"] = np.log1p(telemetry["hours_since_service"])
telemetry.to_csv(f"{OUT_DIR}/telemetry_ready.csv", index=False)

up_x, up_y = RandomOverSampler(random_state=21).fit_resample(telemetry[signals], telemetry["failed_30d"])
up_x.assign(failed_30d=up_y).to_parquet("warehouse/ready/telemetry_balanced.parquet")
