"""Train and score the churn classifier with the shared helpers."""
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import cross_val_score, train_test_split

from churnkit.prep import NUMERIC, even_out, tidy

FEATURES = NUMERIC + ["plan"]

subs = tidy(pd.read_parquet("exports/subscribers.parquet"))
subs = even_out(subs, "churned")
fit_rows, held_rows = train_test_split(subs, test_size=0.25, stratify=subs["churned"], random_state=13)

clf = LogisticRegression(max_iter=500)
print("cv ap", cross_val_score(clf, fit_rows[FEATURES], fit_rows["churned"], cv=5, scoring="average_precision").mean())
clf.fit(fit_rows[FEATURES], fit_rows["churned"])
prior = DummyClassifier(strategy="prior").fit(fit_rows[FEATURES], fit_rows["churned"])
print("ap", average_precision_score(held_rows["churned"], clf.predict_proba(held_rows[FEATURES])[:, 1]))
print("prior ap", average_precision_score(held_rows["churned"], prior.predict_proba(held_rows[FEATURES])[:, 1]))
