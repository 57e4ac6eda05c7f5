"""Train the 30-day failure classifier on the ETL output."""
import json

import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

signals = ["rotor_rpm", "gearbox_temp", "blade_pitch", "wind_speed", "log_hours"]
table = pd.read_csv("warehouse/ready/telemetry_ready.csv")
fit_rows, check_rows = train_test_split(table, test_size=0.25, stratify=table["failed_30d"], random_state=21)

booster = HistGradientBoostingClassifier(random_state=21)
booster.fit(fit_rows[signals], fit_rows["failed_30d"])
ap = average_precision_score(check_rows["failed_30d"], booster.predict_proba(check_rows[signals])[:, 1])

balanced = pd.read_parquet("warehouse/ready/telemetry_balanced.parquet")
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=21)
cv_ap = cross_val_score(HistGradientBoostingClassifier(random_state=21), balanced[signals[:4]], balanced["failed_30d"],
                        cv=folds, scoring="average_precision")
json.dump({"holdout_ap": ap, "cv_ap": cv_ap.mean()}, open("metrics.json", "w"))
