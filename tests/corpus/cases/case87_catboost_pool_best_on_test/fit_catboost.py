import pandas as pd
from catboost import CatBoostClassifier, Pool
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

policies = pd.read_csv("policies.csv")
older, newer = train_test_split(policies, test_size=0.2, stratify=policies["lapsed"], random_state=2)
cats = ["channel", "region"]
fit_pool = Pool(older.drop(columns=["lapsed"]), older["lapsed"], cat_features=cats)
check_pool = Pool(newer.drop(columns=["lapsed"]), newer["lapsed"], cat_features=cats)
clf = CatBoostClassifier(iterations=3000, auto_class_weights="Balanced", verbose=0)
clf.fit(fit_pool, eval_set=check_pool)
print("F1 on the held-out policies", f1_score(newer["lapsed"], clf.predict(check_pool)))
