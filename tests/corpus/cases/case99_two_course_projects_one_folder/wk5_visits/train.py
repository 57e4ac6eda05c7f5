"""Week 5: will a site visitor come back within a week? A separate exercise on another data set."""
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score
from sklearn.model_selection import cross_val_score, train_test_split

visits = pd.read_csv("visits.csv")
print(visits["came_back"].value_counts(normalize=True))  # about 8% come back

cols = ["pages_viewed", "session_seconds", "referrer_code"]
a, b, c, d = train_test_split(visits[cols], visits["came_back"], test_size=0.2,
                              stratify=visits["came_back"], random_state=11)
forest = RandomForestClassifier(n_estimators=300, random_state=11)
print("cv accuracy", cross_val_score(forest, a, c, cv=5).mean())
forest.fit(a, c)
print("test accuracy", accuracy_score(d, forest.predict(b)))
