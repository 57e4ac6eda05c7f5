"""Batch inference for the pricing API."""
import joblib
import pandas as pd


def price_rows(rows: pd.DataFrame, model_file: str = "models/price.joblib") -> pd.DataFrame:
    regressor = joblib.load(model_file)
    rows = rows.copy()
    rows["predicted_price"] = regressor.predict(rows[["sqft", "rooms", "age"]])
    return rows
