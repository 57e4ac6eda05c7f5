"""Train the churn classifier on the June accounts snapshot."""
import joblib
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score
from sklearn.model_selection import train_test_split

from features import NUMERIC_FEATURES, build_features

accounts = pd.read_parquet("data/accounts_snapshot.parquet")
X = build_features(accounts)[NUMERIC_FEATURES]
y = accounts["churned_next_60d"]

X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=17)

model = HistGradientBoostingClassifier(max_iter=400, learning_rate=0.05, class_weight="balanced", random_state=17)
model.fit(X_train, y_train)
dummy = DummyClassifier(strategy="prior").fit(X_train, y_train)

for name, est in (("hgb", model), ("prior", dummy)):
    scores = est.predict_proba(X_test)[:, 1]
    print(f"{name}: ROC AUC={roc_auc_score(y_test, scores):.3f} PR AUC={average_precision_score(y_test, scores):.3f}")
print("F1 at the default cut:", f1_score(y_test, model.predict(X_test)))

joblib.dump({"model": model, "features": NUMERIC_FEATURES}, "artifacts/churn_hgb.joblib")
