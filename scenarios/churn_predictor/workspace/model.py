import pandas as pd
import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score
import pickle

# Load data
df = pd.read_csv("customer_data.csv")

# Feature engineering
df['tenure_months'] = (pd.Timestamp.now() - pd.to_datetime(df['signup_date'])).dt.days / 30
df['avg_order_value'] = df['total_revenue'] / df['order_count']
df['days_since_last_order'] = (pd.Timestamp.now() - pd.to_datetime(df['last_order_date'])).dt.days

# Handle missing values
df = df.fillna(0)

# Prepare features
feature_cols = ['tenure_months', 'order_count', 'total_revenue', 'avg_order_value',
                'days_since_last_order', 'support_tickets', 'email_opens']
X = df[feature_cols]
y = df['churned']

# Split data
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)

# Train model
model = RandomForestClassifier(n_estimators=100, max_depth=10)
model.fit(X_train, y_train)

# Evaluate
y_pred = model.predict(X_test)
print(f"Accuracy: {accuracy_score(y_test, y_pred):.2f}")

# Save model
with open("churn_model.pkl", "wb") as f:
    pickle.dump(model, f)

print("Model saved!")
