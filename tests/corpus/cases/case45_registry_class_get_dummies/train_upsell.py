"""Train the upsell propensity model for the premium plan."""
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from registry import ModelRegistry

accounts = pd.read_csv("data/accounts.csv")
X = pd.get_dummies(accounts[["plan", "region", "seats", "monthly_active_users", "api_calls_k"]],
                   columns=["plan", "region"])
y = accounts["upgraded"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=17)

clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, class_weight="balanced"))
cv = cross_val_score(clf, X_train, y_train, cv=StratifiedKFold(5, shuffle=True, random_state=17), scoring="roc_auc")
clf.fit(X_train, y_train)
dummy = DummyClassifier(strategy="stratified", random_state=17).fit(X_train, y_train)
print("cv auc", cv.mean())
print("test auc", roc_auc_score(y_test, clf.predict_proba(X_test)[:, 1]))
print("test f1", f1_score(y_test, clf.predict(X_test)), "dummy f1", f1_score(y_test, dummy.predict(X_test)))

ModelRegistry().save("upsell", clf)
