"""Campaign-response model (XGBoost, sklearn API). Test split scored once, at the end."""
import json

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.dummy import DummyClassifier
from sklearn.metrics import average_precision_score, f1_score, precision_recall_curve, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

FEATURES = ["recency_days", "frequency_12m", "monetary_12m", "email_clicks_90d", "age_band", "region_code", "has_app"]
TARGET = "responded"


def split(frame, seed=0):
    dev, test = train_test_split(frame, test_size=0.2, stratify=frame[TARGET], random_state=seed)
    fit, val = train_test_split(dev, test_size=0.2, stratify=dev[TARGET], random_state=seed)
    return dev, fit, val, test


def main():
    customers = pd.read_csv("data/campaign_q4.csv")
    dev, fit, val, test = split(customers)
    spw = float((fit[TARGET] == 0).sum() / max((fit[TARGET] == 1).sum(), 1))
    params = dict(learning_rate=0.03, max_depth=4, subsample=0.8, colsample_bytree=0.8,
                  scale_pos_weight=spw, eval_metric="aucpr", random_state=0)

    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    cv_ap = cross_val_score(xgb.XGBClassifier(n_estimators=400, **params), dev[FEATURES], dev[TARGET],
                            cv=cv, scoring="average_precision")
    print("dev CV PR AUC", round(cv_ap.mean(), 4))

    clf = xgb.XGBClassifier(n_estimators=2000, early_stopping_rounds=100, **params)
    clf.fit(fit[FEATURES], fit[TARGET], eval_set=[(val[FEATURES], val[TARGET])], verbose=False)

    # threshold: best F1 on the validation split
    val_p = clf.predict_proba(val[FEATURES])[:, 1]
    prec, rec, thr = precision_recall_curve(val[TARGET], val_p)
    f1s = 2 * prec[:-1] * rec[:-1] / np.clip(prec[:-1] + rec[:-1], 1e-9, None)
    threshold = float(thr[f1s.argmax()])

    test_p = clf.predict_proba(test[FEATURES])[:, 1]
    base_p = DummyClassifier(strategy="prior").fit(fit[FEATURES], fit[TARGET]).predict_proba(test[FEATURES])[:, 1]
    metrics = {
        "roc_auc": roc_auc_score(test[TARGET], test_p),
        "pr_auc": average_precision_score(test[TARGET], test_p),
        "prior_pr_auc": average_precision_score(test[TARGET], base_p),
        "f1_at_val_threshold": f1_score(test[TARGET], test_p >= threshold),
        "threshold": threshold,
        "best_iteration": int(clf.best_iteration),
    }
    print(json.dumps(metrics, indent=2))
    clf.save_model("models/campaign_xgb.json")


if __name__ == "__main__":
    main()
