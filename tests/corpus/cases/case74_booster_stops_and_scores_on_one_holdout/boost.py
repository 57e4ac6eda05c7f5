"""Late-shipment model for the carrier desk."""
import pandas as pd
import xgboost as xgb
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

shipments = pd.read_csv("shipments.csv")
inputs = shipments.drop(columns=["late"])
outcome = shipments["late"]
a, b, c, d = train_test_split(inputs, outcome, test_size=0.2, stratify=outcome, random_state=11)
first = xgb.DMatrix(a, label=c)
second = xgb.DMatrix(b, label=d)
booster = xgb.train({"objective": "binary:logistic", "eta": 0.05, "max_depth": 5}, first, num_boost_round=3000,
                    evals=[(second, "hold")], early_stopping_rounds=60)
print("hold AUC", roc_auc_score(d, booster.predict(second)))
