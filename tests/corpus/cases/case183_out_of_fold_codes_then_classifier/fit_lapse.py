"""Policy lapse classifier with out-of-fold mean codes for the agent and the region."""
import numpy as np
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score, train_test_split

policies = pd.read_csv("policies.csv")
coded = ["agent_id", "region"]
learn, hold = train_test_split(policies, test_size=0.25, stratify=policies["lapsed"], random_state=3)
learn, hold = learn.reset_index(drop=True), hold.reset_index(drop=True)
prior = learn["lapsed"].mean()

out_of_fold = np.zeros((len(learn), len(coded)))
for fit_rows, fill_rows in KFold(n_splits=5, shuffle=True, random_state=3).split(learn):
    part = learn.iloc[fit_rows]
    for k, column in enumerate(coded):
        rates = part.groupby(column)["lapsed"].mean()
        out_of_fold[fill_rows, k] = learn.iloc[fill_rows][column].map(rates).fillna(prior).to_numpy()
for k, column in enumerate(coded):
    learn[column + "_rate"] = out_of_fold[:, k]
    hold[column + "_rate"] = hold[column].map(learn.groupby(column)["lapsed"].mean()).fillna(prior)

inputs = ["premium", "tenure_months", "agent_id_rate", "region_rate"]
booster = HistGradientBoostingClassifier(random_state=3)
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=3)
print(cross_val_score(booster, learn[inputs], learn["lapsed"], cv=folds, scoring="average_precision").mean())
booster.fit(learn[inputs], learn["lapsed"])
floor = DummyClassifier(strategy="prior").fit(learn[inputs], learn["lapsed"])
print(average_precision_score(hold["lapsed"], booster.predict_proba(hold[inputs])[:, 1]),
      average_precision_score(hold["lapsed"], floor.predict_proba(hold[inputs])[:, 1]))
