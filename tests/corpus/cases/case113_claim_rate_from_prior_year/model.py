"""Claim-propensity model over the enriched extract."""
import json
import os

import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

OUT = os.environ.get("WORK_DIR", "work")
COLUMNS = ["premium_per_year", "postcode_claim_share", "young_driver", "vehicle_value"]

book = pd.read_csv(os.path.join(OUT, "policies_enriched.csv"))
inputs, outcome = book[COLUMNS], book["had_claim"]
fit_x, hold_x, fit_y, hold_y = train_test_split(inputs, outcome, test_size=0.2, stratify=outcome, random_state=5)
booster = HistGradientBoostingClassifier(random_state=5, class_weight="balanced")
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=5)
cv_ap = cross_val_score(booster, fit_x, fit_y, cv=folds, scoring="average_precision").mean()
booster.fit(fit_x, fit_y)
prior = DummyClassifier(strategy="prior").fit(fit_x, fit_y)
report = {"cv_ap": cv_ap,
          "holdout_ap": average_precision_score(hold_y, booster.predict_proba(hold_x)[:, 1]),
          "prior_ap": average_precision_score(hold_y, prior.predict_proba(hold_x)[:, 1])}
with open(os.path.join(OUT, "metrics.json"), "w") as fh:
    json.dump(report, fh)
