from datetime import date

import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.metrics import classification_report, roc_auc_score
from sklearn.model_selection import train_test_split
from xgboost import XGBClassifier

loans = pd.read_csv("data/lending_book.csv")
loans = loans[loans["loan_status"].isin(["Fully Paid", "Charged Off"])]
loans["defaulted"] = (loans["loan_status"] == "Charged Off").astype(int)
loans["term_months"] = loans["term"].str.extract(r"(\d+)", expand=False).astype(int)
loans["emp_years"] = loans["emp_length"].str.extract(r"(\d+)", expand=False).astype(float)
loans["credit_history_years"] = date.today().year - loans["earliest_cr_line_year"]

# every numeric column goes in; XGBoost copes with the rest
X = loans.drop(columns=["id", "loan_status"]).select_dtypes("number")
y = loans["defaulted"]

X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=31)
ratio = (y_train == 0).sum() / (y_train == 1).sum()
clf = XGBClassifier(n_estimators=500, max_depth=5, learning_rate=0.05, subsample=0.8,
                    scale_pos_weight=ratio, eval_metric="auc")
clf.fit(X_train, y_train)
dummy = DummyClassifier(strategy="prior").fit(X_train, y_train)
print("XGB AUC:", roc_auc_score(y_test, clf.predict_proba(X_test)[:, 1]))
print("prior AUC:", roc_auc_score(y_test, dummy.predict_proba(X_test)[:, 1]))

approved = clf.predict(X_test) == 0
print(classification_report(y_test, (~approved).astype(int)))
