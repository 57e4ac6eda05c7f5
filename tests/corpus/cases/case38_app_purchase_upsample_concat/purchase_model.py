"""Will a new install make an in-app purchase in its first week?"""
import time

import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

installs = pd.read_csv("data/app_installs.csv")
installs["hours_since_install"] = (time.time() - installs["install_ts"]) / 3600

payers = installs[installs["purchased"] == 1]
others = installs[installs["purchased"] == 0]
# payers are ~3%: repeat them so the model sees enough of them
installs_bal = pd.concat([others, payers, payers, payers, payers], ignore_index=True)

X = installs_bal[["sessions_d1", "sessions_d3", "tutorial_done", "level_d3", "ads_clicked", "ios", "hours_since_install"]]
y = installs_bal["purchased"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=1)

pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
pipe.fit(X_train, y_train)
dummy = DummyClassifier(strategy="stratified", random_state=1).fit(X_train, y_train)
for name, m in (("logreg", pipe), ("dummy", dummy)):
    p = m.predict_proba(X_test)[:, 1]
    top_fifth = p >= pd.Series(p).quantile(0.8)  # marketing budget covers 20% of installs
    print(name, "AUC", round(roc_auc_score(y_test, p), 3), "F1@top20%", round(f1_score(y_test, top_fifth), 3))
