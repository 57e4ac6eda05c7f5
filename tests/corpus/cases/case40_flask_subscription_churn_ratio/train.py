"""Train the subscription churn model from the nightly billing export."""
import pickle

import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

FEATURES = ["tenure_months", "total_spend", "spend_per_month", "support_calls", "seats"]

subs = pd.read_csv("/mnt/billing/exports/subscriptions.csv")
# monthly spend; a subscription in its first month counts as one month
subs["spend_per_month"] = subs["total_spend"] / subs["tenure_months"].clip(lower=1)

X = subs[FEATURES]
y = subs["cancelled"]
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=7
)

model = RandomForestClassifier(n_estimators=200, min_samples_leaf=5, class_weight="balanced", random_state=7)
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=7)
cv_auc = cross_val_score(model, X_train, y_train, cv=folds, scoring="roc_auc")
print(f"cv roc auc {cv_auc.mean():.3f} +/- {cv_auc.std():.3f}")

model.fit(X_train, y_train)
baseline = DummyClassifier(strategy="prior").fit(X_train, y_train)
print("test roc auc", roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]))
print("baseline roc auc", roc_auc_score(y_test, baseline.predict_proba(X_test)[:, 1]))

with open("churn_rf.pkl", "wb") as fh:
    pickle.dump(model, fh)
