"""Fits the chargeback model on oversampled, scaled rows and keeps the scaled hold-out for later."""
import joblib
import pandas as pd
from imblearn.over_sampling import RandomOverSampler
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

orders = pd.read_parquet("orders.parquet")
COLS = ["basket", "items", "account_days"]
tr, ho = train_test_split(orders, test_size=0.3, stratify=orders["chargeback"], random_state=4)
zs = StandardScaler().fit(tr[COLS])
X_up, y_up = RandomOverSampler(random_state=4).fit_resample(zs.transform(tr[COLS]), tr["chargeback"])
clf = LogisticRegression(max_iter=400).fit(X_up, y_up)
joblib.dump(zs, "out/zs.joblib")
joblib.dump(clf, "out/clf.joblib")
joblib.dump(zs.transform(ho[COLS]), "out/holdout_X.joblib")
joblib.dump(ho["chargeback"].to_numpy(), "out/holdout_y.joblib")
