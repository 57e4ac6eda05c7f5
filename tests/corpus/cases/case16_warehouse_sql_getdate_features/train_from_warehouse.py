"""Pull the card customers from the warehouse and fit the default model."""
import pandas as pd
import sqlalchemy
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

QUERY = """
SELECT
    c.customer_id,
    c.credit_limit,
    c.balance,
    c.balance * 1.0 / NULLIF(c.credit_limit, 0)   AS utilization,
    DATEDIFF(day, c.opened_on, GETDATE())          AS account_age_days,

    DATEDIFF(day, c.last_payment_on, GETDATE())    AS days_since_payment,
    c.missed_payments_12m,
    c.defaulted
FROM dbo.card_customers AS c
WHERE c.product = 'classic'
  AND c.opened_on < DATEADD(month, -6, GETDATE())
"""

engine = sqlalchemy.create_engine("mssql+pyodbc://warehouse-dsn")
book = pd.read_sql(QUERY, engine)
book["utilization"] = book["utilization"].fillna(0.0)

features = ["credit_limit", "balance", "utilization", "account_age_days", "days_since_payment", "missed_payments_12m"]
X_train, X_test, y_train, y_test = train_test_split(
    book[features], book["defaulted"], test_size=0.25, stratify=book["defaulted"], random_state=8
)

model = make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=500))
cv_auc = cross_val_score(model, X_train, y_train, cv=StratifiedKFold(5, shuffle=True, random_state=8), scoring="roc_auc")
print("CV AUC", cv_auc.mean())
model.fit(X_train, y_train)
baseline = DummyClassifier(strategy="prior").fit(X_train, y_train)
print("test AUC", roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]),
      "baseline AUC", roc_auc_score(y_test, baseline.predict_proba(X_test)[:, 1]))

print(classification_report(y_test, model.predict(X_test)))
