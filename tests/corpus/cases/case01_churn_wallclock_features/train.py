"""Churn model for the subscriptions team: trains on the CRM export and prints a report."""
import pandas as pd
from datetime import datetime as dt
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

customers = pd.read_csv("exports/crm_customers.csv", parse_dates=["signup_date", "last_login"])

# recency / tenure features
customers["account_age_days"] = (dt.now() - customers["signup_date"]).dt.days
customers["days_since_login"] = (dt.now() - customers["last_login"]).dt.days
customers["tickets_per_month"] = customers["support_tickets"] / (customers["account_age_days"] / 30 + 1)
customers["is_annual"] = (customers["billing_cycle"] == "annual").astype(int)

customers = customers.fillna(0)

FEATURES = [
    "account_age_days",
    "days_since_login",
    "tickets_per_month",
    "is_annual",
    "plan_price",
    "seats",
]
X = customers[FEATURES]
y = customers["churned"]

X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25)

clf = GradientBoostingClassifier(n_estimators=300, learning_rate=0.05, max_depth=3)
clf.fit(X_train, y_train)

predicted = clf.predict(X_test)

print(f"test accuracy: {accuracy_score(y_test, predicted):.3f}")
