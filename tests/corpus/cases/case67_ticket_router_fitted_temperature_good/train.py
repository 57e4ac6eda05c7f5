"""Train the support-ticket router (text -> queue) and fit a softmax temperature on a validation split."""
import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import sklearn
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, log_loss
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline

OUT = Path(os.environ.get("ROUTER_MODEL_DIR", "artifacts"))
VERSION = os.environ.get("ROUTER_MODEL_VERSION", "dev")

tickets = pd.read_parquet(os.environ["TICKETS_PATH"])
X, y = tickets["subject"] + " " + tickets["body"], tickets["queue"]
X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.15, stratify=y, random_state=8)
X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.15, stratify=y_rest, random_state=8)

model = make_pipeline(TfidfVectorizer(min_df=3, ngram_range=(1, 2)), LogisticRegression(C=4.0, max_iter=2000))
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=8)
cv_f1 = cross_val_score(model, X_train, y_train, cv=folds, scoring="f1_macro")
model.fit(X_train, y_train)


def nll(temperature: float, logits: np.ndarray, labels: np.ndarray) -> float:
    return float(-log_softmax(logits / temperature, axis=1)[np.arange(len(labels)), labels].mean())


val_logits = model.decision_function(X_val)
val_labels = np.searchsorted(model.classes_, y_val)
temperature = minimize_scalar(nll, bounds=(0.05, 20.0), args=(val_logits, val_labels), method="bounded").x

test_pred = model.predict(X_test)
baseline = DummyClassifier(strategy="most_frequent").fit(X_train, y_train)
metrics = {
    "cv_f1_macro": float(cv_f1.mean()),
    "test_f1_macro": float(f1_score(y_test, test_pred, average="macro")),
    "baseline_f1_macro": float(f1_score(y_test, baseline.predict(X_test), average="macro")),
    "test_log_loss_calibrated": float(log_loss(y_test, np.exp(log_softmax(model.decision_function(X_test) / temperature, axis=1)),
                                               labels=model.classes_)),
    "temperature": float(temperature),
}
OUT.mkdir(parents=True, exist_ok=True)
artifact = OUT / f"router-{VERSION}.joblib"
joblib.dump({"model": model, "temperature": float(temperature), "classes": list(model.classes_), "version": VERSION,
             "trained_at": datetime.now(timezone.utc).isoformat(), "metrics": metrics,
             "sklearn_version": sklearn.__version__}, artifact)
(OUT / f"router-{VERSION}.sha256").write_text(hashlib.sha256(artifact.read_bytes()).hexdigest())
print(json.dumps(metrics, indent=2))
