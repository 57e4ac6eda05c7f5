"""Week 3: default prediction, judged with F1 on a stratified hold-out."""
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import cross_val_score, train_test_split

loans = pd.read_csv("loans.csv")
inputs = loans[["income", "debt_ratio", "open_lines"]]
outcome = loans["defaulted"]
fit_part, eval_part, fit_y, eval_y = train_test_split(
    inputs, outcome, test_size=0.25, stratify=outcome, random_state=3)

clf = LogisticRegression(max_iter=400)
print("cv f1", cross_val_score(clf, fit_part, fit_y, cv=5, scoring="f1").mean())
clf.fit(fit_part, fit_y)
print("held-out f1", f1_score(eval_y, clf.predict(eval_part)))
