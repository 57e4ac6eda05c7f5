"""Malignancy classifier from a 60-marker blood panel."""
import pandas as pd
from sklearn import preprocessing
from sklearn.dummy import DummyClassifier
from sklearn.feature_selection import SelectKBest, mutual_info_classif
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score

panel = pd.read_csv("data/biomarker_panel.csv")
y = panel["diagnosis"].map({"benign": 0, "malignant": 1})
X_raw = panel.drop(columns=["patient_id", "diagnosis"])

# 1. impute missing lab values
X_imp = SimpleImputer(strategy="median").fit_transform(X_raw)

# 2. standardise
X_std = preprocessing.StandardScaler().fit_transform(X_imp)

# 3. keep the 20 most informative markers
selector = SelectKBest(mutual_info_classif, k=20)
X_sel = selector.fit_transform(X_std, y)

cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=3, random_state=1)
auc = cross_val_score(LogisticRegression(C=0.5, max_iter=1000), X_sel, y, cv=cv, scoring="roc_auc")
base = cross_val_score(DummyClassifier(strategy="prior"), X_sel, y, cv=cv, scoring="roc_auc")
print(f"ROC AUC {auc.mean():.3f} (+/- {auc.std():.3f}) vs prior {base.mean():.3f}")
