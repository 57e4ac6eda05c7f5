"""Return-risk features for order lines (training and the nightly batch both call this)."""
import numpy as np
import pandas as pd

FEATURES = ["price", "discount_share", "customer_return_rate", "size_variants_in_basket", "is_marketplace"]


def build_features(lines: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=lines.index)
    out["price"] = lines["price"].astype(float)
    list_price = lines["list_price"].astype(float)
    out["discount_share"] = np.where(list_price > 0, 1 - out["price"] / list_price.replace(0, np.nan), 0.0)
    orders = lines["prior_orders_12m"].astype(float)
    out["customer_return_rate"] = lines["prior_returns_12m"] / orders.replace(0, np.nan)
    out["customer_return_rate"] = out["customer_return_rate"].fillna(0.0)
    out["size_variants_in_basket"] = lines["size_variants_in_basket"].astype(int)
    out["is_marketplace"] = lines["is_marketplace"].astype(int)
    return out[FEATURES]
