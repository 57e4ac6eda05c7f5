"""Fit the card-fraud forest on last quarter's transactions and save it with its feature list."""
import joblib
import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split
from sklearn.metrics import average_precision_score


def great_circle_km(lon_a, lat_a, lon_b, lat_b):
    lon_a, lat_a, lon_b, lat_b = map(np.radians, [lon_a, lat_a, lon_b, lat_b])
    half = np.sin((lat_b - lat_a) / 2.0) ** 2 + np.cos(lat_a) * np.cos(lat_b) * np.sin((lon_b - lon_a) / 2.0) ** 2
    arc = 2 * np.arcsin(np.sqrt(half))
    km = 6371 * arc
    return km


tx = pd.read_parquet("card_tx_q3.parquet")
tx["posted_at"] = pd.to_datetime(tx["posted_at"])
tx = tx.sort_values(["card", "posted_at"])
tx["hr"] = tx["posted_at"].dt.hour
tx["wd"] = tx["posted_at"].dt.dayofweek
tx["late"] = ((tx["hr"] >= 22) | (tx["hr"] <= 5)).astype(int)
tx["off_day"] = (tx["wd"] >= 5).astype(int)
tx["office"] = tx["hr"].between(9, 17).astype(int)
tx["km_away"] = great_circle_km(tx["home_lon"], tx["home_lat"], tx["shop_lon"], tx["shop_lat"])
tx["prior_avg"] = tx.groupby("card")["amount"].transform(lambda s: s.expanding().mean().shift(1)).fillna(0)

COLUMNS = ["amount", "hr", "wd", "late", "off_day", "office", "km_away", "prior_avg"]
fit_rows, check_rows = train_test_split(tx, test_size=0.25, stratify=tx["is_fraud"], random_state=3)
forest = RandomForestClassifier(n_estimators=400, class_weight="balanced", random_state=3)
forest.fit(fit_rows[COLUMNS], fit_rows["is_fraud"])
print("AP", average_precision_score(check_rows["is_fraud"], forest.predict_proba(check_rows[COLUMNS])[:, 1]))
joblib.dump({"model": forest, "columns": COLUMNS}, "card_forest.joblib")
