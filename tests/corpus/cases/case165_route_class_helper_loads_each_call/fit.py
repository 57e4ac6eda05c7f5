"""Training run, tracked in MLflow."""
import pickle

import mlflow
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.preprocessing import OneHotEncoder, StandardScaler

applicants = pd.read_csv("applicants.csv")
encoder = ColumnTransformer([("num", StandardScaler(), ["income"]),
                             ("cat", OneHotEncoder(handle_unknown="ignore"), ["sector"])])
features = encoder.fit_transform(applicants[["income", "sector"]])
classifier = LogisticRegression(max_iter=1000)
with mlflow.start_run():
    auc = cross_val_score(classifier, features, applicants["approved"], cv=5, scoring="roc_auc").mean()
    mlflow.log_metric("cv_auc", auc)
classifier.fit(features, applicants["approved"])
with open("artifacts/encoder.pkl", "wb") as stream:
    pickle.dump(encoder, stream)
with open("artifacts/classifier.pkl", "wb") as stream:
    pickle.dump(classifier, stream)
