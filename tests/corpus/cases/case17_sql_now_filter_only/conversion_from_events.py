"""Trial-to-paid conversion model built from the trials of the last 90 days.

Every feature is measured over the first 7 days of each trial, so it means the same thing
for an old trial and for the one being scored tomorrow. NOW() only selects which trials to load.
"""
import logging
from datetime import datetime

import pandas as pd
import psycopg2
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_predict, cross_validate

RUN_ID = datetime.now().strftime("%Y%m%dT%H%M%S")
log = logging.getLogger(__name__)

TRIALS_SQL = """
SELECT t.account_id,
       t.converted,
       COUNT(*) FILTER (WHERE e.kind = 'login')                       AS logins,
       COUNT(DISTINCT e.user_id)                                       AS active_users,
       COUNT(*) FILTER (WHERE e.kind = 'invite')                      AS invites,
       MAX(e.created_at)::date - t.trial_started_on                    AS days_active
FROM trials t
JOIN events e ON e.account_id = t.account_id
             AND e.created_at < t.trial_started_on + INTERVAL '7 days'
WHERE t.trial_started_on >= NOW() - INTERVAL '90 days'
  AND t.trial_ended_on < NOW()
GROUP BY t.account_id, t.converted, t.trial_started_on
"""
FEATURES = ["logins", "active_users", "invites", "days_active"]


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    with psycopg2.connect("service=analytics") as conn:
        trials = pd.read_sql(TRIALS_SQL, conn)
    log.info("run %s: %d trials loaded, conversion rate %.3f", RUN_ID, len(trials), trials["converted"].mean())

    X, y = trials[FEATURES], trials["converted"]
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    forest = RandomForestClassifier(n_estimators=300, min_samples_leaf=5, class_weight="balanced_subsample", random_state=0)
    for name, est in (("forest", forest), ("prior", DummyClassifier(strategy="prior"))):
        res = cross_validate(est, X, y, cv=folds, scoring=("roc_auc", "average_precision"))
        log.info("%s: ROC AUC %.3f  PR AUC %.3f", name, res["test_roc_auc"].mean(), res["test_average_precision"].mean())

    # sales gets a ranked list, not yes/no labels
    trials["oof_score"] = cross_val_predict(forest, X, y, cv=folds, method="predict_proba")[:, 1]
    trials.sort_values("oof_score", ascending=False).to_csv(f"outputs/conversion_oof_{RUN_ID}.csv", index=False)


if __name__ == "__main__":
    main()
