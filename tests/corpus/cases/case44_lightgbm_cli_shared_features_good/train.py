"""Train the lapse model with LightGBM's native API; writes the model text file and its metadata."""
import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

import lightgbm as lgb
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from features import FEATURES, build_features

cfg = json.loads(Path("config.json").read_text())
policies = pd.read_parquet(cfg["data_path"])
X, y = build_features(policies), policies["lapsed"]
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=cfg["test_size"], stratify=y, random_state=cfg["seed"]
)

params = dict(cfg["params"], seed=cfg["seed"], verbose=-1)
cv = lgb.cv(params, lgb.Dataset(X_train, y_train), num_boost_round=cfg["num_boost_round"],
            nfold=5, stratified=True, seed=cfg["seed"], metrics="auc")
booster = lgb.train(params, lgb.Dataset(X_train, y_train), num_boost_round=cfg["num_boost_round"])
dummy = DummyClassifier(strategy="prior").fit(X_train, y_train)
metrics = {
    "cv_auc": float(cv["valid auc-mean"][-1]),
    "test_auc": float(roc_auc_score(y_test, booster.predict(X_test))),
    "baseline_auc": float(roc_auc_score(y_test, dummy.predict_proba(X_test)[:, 1])),
}

out = Path(cfg["model_dir"])
out.mkdir(parents=True, exist_ok=True)
booster.save_model(str(out / "model.txt"))
meta = {
    "version": cfg["model_version"],
    "trained_at": datetime.now(timezone.utc).isoformat(),
    "features": FEATURES,
    "metrics": metrics,
    "lightgbm_version": lgb.__version__,
    "sha256": hashlib.sha256((out / "model.txt").read_bytes()).hexdigest(),
}
(out / "metadata.json").write_text(json.dumps(meta, indent=2))
