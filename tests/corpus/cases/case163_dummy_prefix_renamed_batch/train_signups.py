"""Newsletter sign-up propensity: one-hot source channel, boosted trees, bundle with the column list."""
import joblib
import pandas as pd
from lightgbm import LGBMClassifier

visits = pd.read_csv("site_visits.csv")
visits = pd.get_dummies(visits, columns=["referrer"], prefix="ref")
inputs = [c for c in visits.columns if c not in ("signed_up", "visitor_id")]
propensity = LGBMClassifier(n_estimators=400, learning_rate=0.05)
propensity.fit(visits[inputs], visits["signed_up"])
joblib.dump({"model": propensity, "inputs": inputs}, "signups.joblib")
