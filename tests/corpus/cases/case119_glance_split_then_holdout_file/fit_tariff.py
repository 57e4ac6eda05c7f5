"""Tariff upgrade model: fit on this year's accounts, check on the frozen hold-out extract."""
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split

accounts = pd.read_csv("accounts_2024.csv", parse_dates=["opened"])
accounts["region"] = accounts["region"].fillna(accounts["region"].mode()[0])
accounts["tenure_days"] = (pd.Timestamp("2024-12-31") - accounts["opened"]).dt.days

cols = ["tenure_days", "monthly_bill", "support_calls"]
left, right = train_test_split(accounts, test_size=0.3, random_state=4)
print(left.shape, right.shape, left["upgraded"].mean(), right["upgraded"].mean())

booster = GradientBoostingClassifier(random_state=4).fit(accounts[cols], accounts["upgraded"])
frozen = pd.read_csv("holdout_2025q1.csv", parse_dates=["opened"])
frozen["tenure_days"] = (pd.Timestamp("2025-03-31") - frozen["opened"]).dt.days
print(average_precision_score(frozen["upgraded"], booster.predict_proba(frozen[cols])[:, 1]))
