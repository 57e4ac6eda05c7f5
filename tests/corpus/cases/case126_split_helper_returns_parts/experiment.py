"""Membership renewal: a forest scored on the part the helper held out."""
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import average_precision_score
from sklearn.model_selection import cross_val_score

from prep import tidy_and_split

members = pd.read_csv("members.csv")
first, second, third, fourth = tidy_and_split(members, ["visits", "tenure", "spend"])
forest = RandomForestClassifier(n_estimators=300, class_weight="balanced", random_state=9)
print(cross_val_score(forest, first, third, cv=5, scoring="average_precision").mean())
forest.fit(first, third)
print(average_precision_score(fourth, forest.predict_proba(second)[:, 1]))
print(average_precision_score(fourth, DummyClassifier(strategy="prior").fit(first, third).predict_proba(second)[:, 1]))
