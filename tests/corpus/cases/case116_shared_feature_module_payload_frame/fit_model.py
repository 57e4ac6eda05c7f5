import joblib
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import cross_val_score

from member_features import add_ratios

COLUMNS = ["visits_90d", "spend_90d", "spend_per_visit", "complaints"]
members = add_ratios(pd.read_parquet("exports/members.parquet"))
hgb = HistGradientBoostingClassifier(random_state=2)
print(cross_val_score(hgb, members[COLUMNS], members["lapsed"], cv=5, scoring="roc_auc").mean())
hgb.fit(members[COLUMNS], members["lapsed"])
joblib.dump({"model": hgb, "columns": COLUMNS, "version": "2024.05"}, "artifacts/lapse-2024.05.joblib")
