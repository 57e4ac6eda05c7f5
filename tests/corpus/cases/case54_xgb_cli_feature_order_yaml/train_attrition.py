"""Employee attrition model (XGBoost native API)."""
import numpy as np
import pandas as pd
import xgboost as xgb
import yaml
from sklearn.dummy import DummyClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

FEATURES = ["age", "monthly_income", "years_at_company", "overtime_hours", "satisfaction_score", "promotions_5y"]

params_file = yaml.safe_load(open("params.yaml"))
staff = pd.read_csv("data/hr_snapshot.csv")
X, y = staff[FEATURES], staff["left_within_year"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=10)

params = {"objective": "binary:logistic", "eval_metric": "auc", "max_depth": 6,
          "eta": params_file["booster"]["eta"], "subsample": 0.8, "seed": 10}
dtrain = xgb.DMatrix(X_train, label=y_train, feature_names=FEATURES)
cv = xgb.cv(params, dtrain, num_boost_round=300, nfold=5, stratified=True, seed=10)
booster = xgb.train(params, dtrain, num_boost_round=300)
p = booster.predict(xgb.DMatrix(X_test, feature_names=FEATURES))
dummy = DummyClassifier(strategy="prior").fit(X_train, y_train)
print("cv auc", cv["test-auc-mean"].iloc[-1])
print("test auc", roc_auc_score(y_test, p), "baseline", roc_auc_score(y_test, dummy.predict_proba(X_test)[:, 1]))
print("positive rate", np.mean(y_train))
booster.save_model("artifacts/attrition.json")
