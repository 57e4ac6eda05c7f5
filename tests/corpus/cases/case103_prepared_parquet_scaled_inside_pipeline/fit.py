"""Fit the downgrade model; scaling and imputation are learned inside the pipeline, per fold."""
import json

import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

cols = ["seats_used", "api_calls", "seat_fill", "tenure_months"]
rows = pd.read_parquet("lake/model_input.parquet")
learn, hold = train_test_split(rows, test_size=0.2, stratify=rows["downgraded"], random_state=4)

pipe = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(class_weight="balanced"))
cv_auc = cross_val_score(pipe, learn[cols], learn["downgraded"], cv=5, scoring="roc_auc").mean()
pipe.fit(learn[cols], learn["downgraded"])
prior = DummyClassifier(strategy="prior").fit(learn[cols], learn["downgraded"])
scores = {"cv_auc": cv_auc,
          "holdout_auc": roc_auc_score(hold["downgraded"], pipe.predict_proba(hold[cols])[:, 1]),
          "prior_auc": roc_auc_score(hold["downgraded"], prior.predict_proba(hold[cols])[:, 1])}
json.dump(scores, open("scores.json", "w"))
