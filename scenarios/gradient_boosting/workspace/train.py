"""Train the SME default model.

usage: python train.py --config config.yaml [--model xgb|lgbm]
"""
from __future__ import annotations

import argparse
from pathlib import Path

import lightgbm as lgb
import xgboost as xgb
import yaml
from sklearn.metrics import average_precision_score, classification_report, roc_auc_score
from sklearn.model_selection import train_test_split

from prepare import build_matrix, load_loans

MODEL_DIR = "/home/rpatel/credit-models/sme_default"


def train_xgb(cfg, X_train, y_train, X_test, y_test):
    params = dict(cfg["xgboost"])
    model = xgb.XGBClassifier(
        **params,
        objective="binary:logistic",
        eval_metric="aucpr",
        scale_pos_weight=(y_train == 0).sum() / (y_train == 1).sum(),
        tree_method="hist",
    )
    model.fit(X_train, y_train, eval_set=[(X_test, y_test)], verbose=200)
    print(f"best iteration: {model.best_iteration}")
    return model


def train_lgbm(cfg, X_train, y_train, X_test, y_test):
    params = dict(cfg["lightgbm"])
    stopping = params.pop("early_stopping_rounds")
    model = lgb.LGBMClassifier(**params, is_unbalance=True, subsample_freq=1)
    model.fit(
        X_train,
        y_train,
        eval_set=[(X_test, y_test)],
        eval_metric="average_precision",
        callbacks=[lgb.early_stopping(stopping), lgb.log_evaluation(200)],
    )
    return model


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="config.yaml")
    parser.add_argument("--model", choices=["xgb", "lgbm"], default="xgb")
    args = parser.parse_args()
    cfg = yaml.safe_load(Path(args.config).read_text())

    loans = load_loans(cfg["data"]["path"])
    X, y = build_matrix(loans, cfg["target_encoding"]["smoothing"])
    print(f"{len(X)} loans, default rate {y.mean():.3%}")

    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=cfg["split"]["test_size"])

    if args.model == "xgb":
        model = train_xgb(cfg, X_train, y_train, X_test, y_test)
    else:
        model = train_lgbm(cfg, X_train, y_train, X_test, y_test)

    proba = model.predict_proba(X_test)[:, 1]
    print(f"ROC AUC: {roc_auc_score(y_test, proba):.4f}")
    print(f"PR AUC:  {average_precision_score(y_test, proba):.4f}")
    print(classification_report(y_test, model.predict(X_test), digits=3))

    out = Path(MODEL_DIR)
    out.mkdir(parents=True, exist_ok=True)
    if args.model == "xgb":
        model.save_model(out / "model.json")
    else:
        model.booster_.save_model(str(out / "model.txt"))
    print(f"saved to {out}")


if __name__ == "__main__":
    main()
