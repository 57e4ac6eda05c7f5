"""Churn model training: time-based hold-out, pipeline inside cross-validation, honest metrics."""
import json
import logging
from datetime import datetime
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score, precision_recall_curve, roc_auc_score
from sklearn.model_selection import StratifiedKFold, TimeSeriesSplit, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

log = logging.getLogger(__name__)
NUMERIC = ["tenure_months", "order_count", "total_revenue", "days_since_last_order"]
CATEGORICAL = ["segment"]
TARGET = "churned"


def build_features(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["tenure_months"] = (out["snapshot_date"] - out["signup_date"]).dt.days / 30
    out["days_since_last_order"] = (out["snapshot_date"] - out["last_order_date"]).dt.days
    out["order_count"] = out["order_count"].fillna(0)
    return out


def make_pipeline() -> Pipeline:
    pre = ColumnTransformer([
        ("num", Pipeline([("impute", SimpleImputer(strategy="median", add_indicator=True)),
                          ("scale", StandardScaler())]), NUMERIC),
        ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
    ])
    return Pipeline([("pre", pre), ("clf", LogisticRegression(class_weight="balanced", max_iter=1000))])


def main(data_path: Path, out_dir: Path) -> None:
    started = datetime.now()
    df = pd.read_parquet(data_path)
    df = build_features(df).sort_values("snapshot_date")
    cutoff = df["snapshot_date"].quantile(0.8)
    train = df[df["snapshot_date"] < cutoff]
    test = df[df["snapshot_date"] >= cutoff]
    X_train, y_train = train[NUMERIC + CATEGORICAL], train[TARGET]
    X_test, y_test = test[NUMERIC + CATEGORICAL], test[TARGET]

    model = make_pipeline()
    cv = TimeSeriesSplit(n_splits=5)
    cv_auc = cross_val_score(model, X_train, y_train, cv=cv, scoring="roc_auc")
    model.fit(X_train, y_train)

    baseline = DummyClassifier(strategy="prior").fit(X_train, y_train)
    proba = model.predict_proba(X_test)[:, 1]
    precision, recall, thresholds = precision_recall_curve(y_train, model.predict_proba(X_train)[:, 1])
    threshold = float(thresholds[np.argmax(2 * precision * recall / (precision + recall + 1e-9))])
    metrics = {
        "cv_roc_auc": float(cv_auc.mean()),
        "roc_auc": roc_auc_score(y_test, proba),
        "pr_auc": average_precision_score(y_test, proba),
        "f1_at_threshold": f1_score(y_test, proba >= threshold),
        "baseline_pr_auc": average_precision_score(y_test, baseline.predict_proba(X_test)[:, 1]),
        "threshold": threshold,
    }
    importance = permutation_importance(model, X_test, y_test, scoring="average_precision", random_state=0)
    out_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump({"model": model, "features": NUMERIC + CATEGORICAL, "trained_at": started.isoformat()},
                out_dir / "model.joblib")
    (out_dir / "metrics.json").write_text(json.dumps({**metrics, "importance": importance.importances_mean.tolist()}))
    log.info("trained in %s: %s", datetime.now() - started, metrics)


if __name__ == "__main__":
    main(Path("data/customers.parquet"), Path("artifacts"))
