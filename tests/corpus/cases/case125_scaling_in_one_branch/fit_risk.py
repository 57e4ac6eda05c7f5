"""Credit risk: an option scales the features; both paths then split and score."""
import argparse

import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.preprocessing import RobustScaler

parser = argparse.ArgumentParser()
parser.add_argument("--robust", action="store_true")
opts = parser.parse_args()

loans = pd.read_parquet("loans.parquet")
grid = loans[["income", "debt", "utilisation", "age"]]
if opts.robust:
    grid = RobustScaler().fit_transform(grid)
else:
    grid = grid.to_numpy()
a, b, c, d = train_test_split(grid, loans["default"], test_size=0.25, stratify=loans["default"], random_state=5)
clf = LogisticRegression(max_iter=500, class_weight="balanced")
print(cross_val_score(clf, a, c, cv=StratifiedKFold(5, shuffle=True, random_state=5), scoring="roc_auc").mean())
print(roc_auc_score(d, clf.fit(a, c).predict_proba(b)[:, 1]))
