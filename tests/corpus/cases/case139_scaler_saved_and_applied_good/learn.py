import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.preprocessing import RobustScaler

PARTS = ["load_kw", "vibration", "temp_c", "hours_run"]
pumps = pd.read_csv("pump_history.csv")
norm = RobustScaler().fit(pumps[PARTS])
scaled = norm.transform(pumps[PARTS])
lr = LogisticRegression(max_iter=500, class_weight="balanced")
print(cross_val_score(lr, scaled, pumps["failed_30d"], cv=5, scoring="roc_auc").mean())
lr.fit(scaled, pumps["failed_30d"])
joblib.dump(norm, "pump_norm-v2.joblib")
joblib.dump(lr, "pump_lr-v2.joblib")
