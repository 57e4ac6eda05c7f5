import pandas as pd

visits = pd.read_parquet("data/raw/visits.parquet")
visits["pages_per_minute"] = visits["pages"] / visits["minutes"].clip(lower=1)
visits.to_parquet("data/features.parquet")
