"""Policy lapse model: about 4% of policies lapse within a year."""
import joblib
import pandas as pd
from imblearn.over_sampling import SMOTE
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split

COLS = ["premium", "age", "years_held", "claims_3y"]
book = pd.read_parquet("policies.parquet")
tr, te = train_test_split(book, test_size=0.25, stratify=book["lapsed"], random_state=8)
X_bal, y_bal = SMOTE(random_state=8).fit_resample(tr[COLS], tr["lapsed"])
forest = RandomForestClassifier(n_estimators=300, random_state=8).fit(X_bal, y_bal)
print(average_precision_score(te["lapsed"], forest.predict_proba(te[COLS])[:, 1]))
joblib.dump({"model": forest, "cols": COLS, "version": "lapse-7"}, "lapse-7.joblib")
