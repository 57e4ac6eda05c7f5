"""Policy lapse model: about 4% of policies lapse within a year."""
import joblib
import pandas as pd
from imblearn.over_sampling import SMOTE
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import average_precision_score, brier_score_loss
from sklearn.model_selection import train_test_split

COLS = ["premium", "age", "years_held", "claims_3y"]
book = pd.read_parquet("policies.parquet")
tr, rest = train_test_split(book, test_size=0.4, stratify=book["lapsed"], random_state=8)
cal, te = train_test_split(rest, test_size=0.5, stratify=rest["lapsed"], random_state=8)
X_bal, y_bal = SMOTE(random_state=8).fit_resample(tr[COLS], tr["lapsed"])
forest = RandomForestClassifier(n_estimators=300, random_state=8).fit(X_bal, y_bal)
tuned = CalibratedClassifierCV(forest, method="isotonic", cv="prefit").fit(cal[COLS], cal["lapsed"])
p = tuned.predict_proba(te[COLS])[:, 1]
print(average_precision_score(te["lapsed"], p), brier_score_loss(te["lapsed"], p))
joblib.dump({"model": tuned, "cols": COLS, "version": "lapse-8"}, "lapse-8.joblib")
