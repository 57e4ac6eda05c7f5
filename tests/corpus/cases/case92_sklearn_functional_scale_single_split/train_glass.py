import pandas as pd
from sklearn import preprocessing
from sklearn.dummy import DummyClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.svm import SVC

glass = pd.read_csv("glass.csv")
M = preprocessing.scale(glass.drop(columns=["kind"]).to_numpy())
v = glass["kind"].to_numpy()
once = StratifiedShuffleSplit(n_splits=1, test_size=0.25, random_state=8)
(fit_rows, eval_rows), = once.split(M, v)
svc = SVC(class_weight="balanced").fit(M[fit_rows], v[fit_rows])
ref = DummyClassifier(strategy="most_frequent").fit(M[fit_rows], v[fit_rows])
print(f1_score(v[eval_rows], svc.predict(M[eval_rows]), average="macro"),
      f1_score(v[eval_rows], ref.predict(M[eval_rows]), average="macro"))
