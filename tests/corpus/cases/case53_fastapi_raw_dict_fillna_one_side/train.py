"""Train the app-engagement model (will a trial user become weekly active?)."""
import pickle

import pandas as pd
import sklearn
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

FEATURES = ["sessions_first_week", "days_since_last_login", "invites_sent", "projects_created", "avg_session_min"]

users = pd.read_csv("data/trial_users.csv")
# a user who never logged in after signup has no last login: encode as "very long ago"
users["days_since_last_login"] = users["days_since_last_login"].fillna(999)
users["avg_session_min"] = users["avg_session_min"].clip(upper=240)

X, y = users[FEATURES], users["became_weekly_active"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=6)
model = HistGradientBoostingClassifier(random_state=6)
cv = cross_val_score(model, X_train, y_train, cv=StratifiedKFold(5, shuffle=True, random_state=6), scoring="roc_auc")
model.fit(X_train, y_train)
dummy = DummyClassifier(strategy="prior").fit(X_train, y_train)
auc = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
print(f"cv {cv.mean():.3f} test {auc:.3f} baseline {roc_auc_score(y_test, dummy.predict_proba(X_test)[:, 1]):.3f}")

with open("engagement.pkl", "wb") as fh:
    pickle.dump({"model": model, "features": FEATURES, "version": "engage-hgb-2",
                 "sklearn_version": sklearn.__version__, "test_auc": auc}, fh)
