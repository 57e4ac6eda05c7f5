"""Credit default experiment, tracked in MLflow; run as a script."""
import mlflow
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import classification_report, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

try:
    from features import add_ratios
except ImportError:  # running outside the repo: a local copy of the feature code
    def add_ratios(frame):
        frame = frame.copy()
        frame["debt_to_income"] = frame["debt"] / frame["income"].clip(lower=1)
        return frame

mlflow.set_experiment("credit-default")

with mlflow.start_run():
    def prepare(path):
        frame = add_ratios(pd.read_csv(path))
        features = frame.drop(columns=["defaulted"])
        scaled = StandardScaler().fit_transform(features)
        return train_test_split(scaled, frame["defaulted"], test_size=0.2, stratify=frame["defaulted"])

    X_train, X_test, y_train, y_test = prepare("data/loans.csv")
    model = GradientBoostingClassifier(random_state=0)
    model.fit(X_train, y_train)
    proba = model.predict_proba(X_test)[:, 1]
    mlflow.log_metric("auc", roc_auc_score(y_test, proba))
    print(classification_report(y_test, model.predict(X_test)))
