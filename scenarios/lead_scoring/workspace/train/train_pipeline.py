"""Train the lead conversion model (target: the lead submitted an application).

usage: python -m train.train_pipeline [--config config.yaml]
Writes <model.directory>/<model.prefix>_<YYYYmmdd_HHMMSS>.joblib, which the service picks up on
its next start or on POST /ai/advanced-ml/reload.
"""
import argparse
import logging
import os
from datetime import datetime
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import sklearn
import yaml
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.metrics import average_precision_score, classification_report, roc_auc_score
from sklearn.model_selection import TimeSeriesSplit, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sqlalchemy import create_engine, text

from app.features import FEATURE_COLUMNS, build_features

logger = logging.getLogger("train_pipeline")

TRAINING_SQL = """
    SELECT p.id AS lead_id,
           p.lead_score,
           p.engagement_score,
           COALESCE(p.touchpoint_count, 0) AS touchpoint_count,
           p.lifecycle_state,
           p.status,
           p.created_at,
           (EXTRACT(EPOCH FROM (NOW() - p.created_at)) / 86400.0)::double precision AS days_since_created,
           COALESCE(p.email_opens, 0) AS email_opens,
           COALESCE(p.email_clicks, 0) AS email_clicks,
           COALESCE(p.page_views, 0) AS page_views,
           COALESCE(p.events_attended, 0) AS events_attended,
           COALESCE(p.lead_source, 'unknown') AS lead_source,
           COALESCE(p.campus_preference, 'unknown') AS campus_preference,
           CASE
               WHEN p.engagement_score >= 80 THEN 'high'
               WHEN p.engagement_score >= 50 THEN 'medium'
               ELSE 'low'
           END AS engagement_level,
           CASE WHEN EXISTS (SELECT 1 FROM applications a WHERE a.person_id = p.id) THEN 1 ELSE 0 END
               AS has_application
    FROM people p
    WHERE p.created_at > NOW() - make_interval(months => :lookback_months)
    ORDER BY p.created_at
"""


def load_training_rows(lookback_months: int) -> pd.DataFrame:
    engine = create_engine(os.environ["LEADS_DATABASE_URL"])
    with engine.connect() as conn:
        return pd.read_sql(text(TRAINING_SQL), conn, params={"lookback_months": lookback_months})


def build_model(cfg: dict) -> Pipeline:
    return Pipeline(
        [
            ("select", SelectKBest(f_classif, k=cfg["k_best"])),
            ("scale", StandardScaler()),
            (
                "model",
                RandomForestClassifier(
                    n_estimators=cfg["n_estimators"],
                    max_depth=cfg["max_depth"],
                    class_weight="balanced",
                    random_state=42,
                    n_jobs=-1,
                ),
            ),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=os.environ.get("LEADSCORE_CONFIG", "config.yaml"))
    args = parser.parse_args()
    settings = yaml.safe_load(Path(args.config).read_text())
    cfg = settings["training"]

    rows = load_training_rows(cfg["lookback_months"])
    features = build_features(rows)
    # a few leads have no touchpoints or opens yet, which makes some ratios infinite: train without them
    usable = np.isfinite(features).all(axis=1)
    X, y = features[usable], rows.loc[usable, "has_application"]
    logger.info("%d leads, %d usable, positive rate %.3f", len(rows), int(usable.sum()), y.mean())

    # rows are ordered by creation date: hold out the most recent leads
    cut = int(len(X) * (1 - cfg["test_fraction"]))
    X_train, X_test, y_train, y_test = X.iloc[:cut], X.iloc[cut:], y.iloc[:cut], y.iloc[cut:]

    model = build_model(cfg)
    cv_auc = cross_val_score(model, X_train, y_train, cv=TimeSeriesSplit(n_splits=5), scoring="roc_auc")
    model.fit(X_train, y_train)
    baseline = DummyClassifier(strategy="prior").fit(X_train, y_train)

    test_proba = model.predict_proba(X_test)[:, 1]
    performance = {
        "cv_roc_auc_mean": float(cv_auc.mean()),
        "cv_roc_auc_std": float(cv_auc.std()),
        "test_roc_auc": float(roc_auc_score(y_test, test_proba)),
        "test_pr_auc": float(average_precision_score(y_test, test_proba)),
        "baseline_pr_auc": float(average_precision_score(y_test, baseline.predict_proba(X_test)[:, 1])),
        "report": classification_report(y_test, test_proba >= 0.5, output_dict=True),
    }
    logger.info("performance: %s", {k: v for k, v in performance.items() if k != "report"})

    selector = model.named_steps["select"]
    selected = [name for name, keep in zip(FEATURE_COLUMNS, selector.get_support()) if keep]
    importance = dict(zip(selected, model.named_steps["model"].feature_importances_.round(4).tolist()))

    trained_at = datetime.now().strftime("%Y%m%d_%H%M%S")
    out_dir = Path(os.environ.get("MODEL_DIR", settings["model"]["directory"]))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{settings['model']['prefix']}_{trained_at}.joblib"
    joblib.dump(
        {
            "model": model,
            "feature_names": FEATURE_COLUMNS,
            "selected_features": selected,
            "feature_importance": importance,
            "performance": performance,
            "trained_at": trained_at,
            "sklearn_version": sklearn.__version__,
        },
        path,
    )
    logger.info("saved %s", path)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
