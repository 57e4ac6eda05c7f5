"""Split first, then learn the scaling and the balancing from the training part only."""
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split

from retention.prep import NUMERIC, balance, fit_scaler

subs = pd.read_parquet("exports/subscribers.parquet")
train_part, test_part = train_test_split(subs, test_size=0.25, stratify=subs["churned"], random_state=13)

scaler = fit_scaler(train_part)
x_train = pd.DataFrame(scaler.transform(train_part[NUMERIC]), columns=NUMERIC)
x_test = pd.DataFrame(scaler.transform(test_part[NUMERIC]), columns=NUMERIC)
x_bal, y_bal = balance(x_train, train_part["churned"].reset_index(drop=True))

clf = LogisticRegression(max_iter=500).fit(x_bal, y_bal)
prior = DummyClassifier(strategy="prior").fit(x_bal, y_bal)
print("ap", average_precision_score(test_part["churned"], clf.predict_proba(x_test)[:, 1]))
print("prior ap", average_precision_score(test_part["churned"], prior.predict_proba(x_test)[:, 1]))
