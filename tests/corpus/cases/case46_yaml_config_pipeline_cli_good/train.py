"""python train.py --config config.yaml : fit the warranty-claim triage pipeline."""
import argparse
import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

import joblib
import pandas as pd
import yaml
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

parser = argparse.ArgumentParser()
parser.add_argument("--config", default="config.yaml")
cfg = yaml.safe_load(Path(parser.parse_args().config).read_text())
num, cat = cfg["features"]["numeric"], cfg["features"]["categorical"]

claims = pd.read_csv(cfg["paths"]["training_data"])
X, y = claims[num + cat], claims[cfg["target"]]
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=cfg["split"]["test_size"], stratify=y, random_state=cfg["split"]["seed"]
)

pipeline = Pipeline([
    ("prep", ColumnTransformer([
        ("num", SimpleImputer(strategy="median"), num),
        ("cat", OneHotEncoder(handle_unknown="ignore"), cat),
    ])),
    ("rf", RandomForestClassifier(
        n_estimators=cfg["model"]["n_estimators"], max_depth=cfg["model"]["max_depth"],
        min_samples_leaf=cfg["model"]["min_samples_leaf"], random_state=cfg["split"]["seed"],
    )),
])
folds = StratifiedKFold(5, shuffle=True, random_state=cfg["split"]["seed"])
cv_auc = cross_val_score(pipeline, X_train, y_train, cv=folds, scoring="roc_auc")
pipeline.fit(X_train, y_train)
dummy = DummyClassifier(strategy="prior").fit(X_train, y_train)

model_dir = Path(cfg["paths"]["model_dir"])
model_dir.mkdir(parents=True, exist_ok=True)
artifact = model_dir / f"{cfg['model']['version']}.joblib"
joblib.dump({"pipeline": pipeline, "features": num + cat, "version": cfg["model"]["version"]}, artifact)
meta = {
    "version": cfg["model"]["version"],
    "trained_at": datetime.now(timezone.utc).isoformat(),
    "features": num + cat,
    "metrics": {
        "cv_roc_auc": float(cv_auc.mean()),
        "test_roc_auc": float(roc_auc_score(y_test, pipeline.predict_proba(X_test)[:, 1])),
        "baseline_roc_auc": float(roc_auc_score(y_test, dummy.predict_proba(X_test)[:, 1])),
    },
    "sha256": hashlib.sha256(artifact.read_bytes()).hexdigest(),
}
(model_dir / "metadata.json").write_text(json.dumps(meta, indent=2))
