"""Join the subscription tables and write one row per account; no statistics are learned here."""
import pandas as pd

accounts = pd.read_parquet("lake/accounts.parquet")
usage = pd.read_parquet("lake/usage_monthly.parquet")
per_account = usage.groupby("account_id").agg(seats_used=("seats", "max"), api_calls=("calls", "sum")).reset_index()
table = accounts.merge(per_account, on="account_id", how="left")
table["seat_fill"] = table["seats_used"] / table["seats_bought"].where(table["seats_bought"] > 0)
table.to_parquet("lake/model_input.parquet", index=False)
