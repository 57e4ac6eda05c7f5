"""SageMaker Processing step: turn the raw till export into the training table."""
import pandas as pd

RAW = "/opt/ml/processing/input/tills.csv"
OUT = "/opt/ml/processing/output/store_hours.csv"

tills = pd.read_csv(RAW, parse_dates=["closed_at"])
tills["hour"] = tills["closed_at"].dt.floor("h")
hours = tills.groupby(["store_id", "hour"], as_index=False).agg(baskets=("basket_id", "nunique"))
hours.to_csv(OUT, index=False)
