"""Preprocessing for the delivery-time model."""
import numpy as np
import pandas as pd
from sklearn.preprocessing import OneHotEncoder, StandardScaler


class DeliveryPreprocessor:
    numeric = ["distance_km", "items", "prep_minutes", "courier_rating"]
    categorical = ["city", "vehicle", "weather"]

    def __init__(self):
        self.scaler = StandardScaler()
        self.encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)

    def fit_transform(self, orders: pd.DataFrame) -> pd.DataFrame:
        num = self.scaler.fit_transform(orders[self.numeric])
        cat = self.encoder.fit_transform(orders[self.categorical])
        return self._frame(num, cat, orders.index)

    def transform(self, orders: pd.DataFrame) -> pd.DataFrame:
        num = self.scaler.transform(orders[self.numeric])
        cat = self.encoder.transform(orders[self.categorical])
        return self._frame(num, cat, orders.index)

    def _frame(self, num, cat, index) -> pd.DataFrame:
        columns = self.numeric + list(self.encoder.get_feature_names_out(self.categorical))
        return pd.DataFrame(np.hstack([num, cat]), columns=columns, index=index)
