"""Train the attrition model with the settings file."""
import joblib
import numpy as np
import pandas as pd
import yaml
from sklearn.ensemble import GradientBoostingClassifier

settings = yaml.safe_load(open("settings.yaml"))


def stable_log_odds(p, threshold=1e-9):
    p = np.clip(p, threshold, 1 - threshold)
    return np.log(p / (1 - p))


staff = pd.read_csv("staff.csv")
model = GradientBoostingClassifier(n_estimators=settings["model"]["n_estimators"],
                                   learning_rate=settings["model"]["learning_rate"], random_state=0)
model.fit(staff[["tenure", "grade", "overtime"]], staff["left"])
print(stable_log_odds(model.predict_proba(staff[["tenure", "grade", "overtime"]])[:, 1], threshold=1e-9)[:5])
joblib.dump({"model": model, "trained_at": pd.Timestamp.utcnow().isoformat(), "version": "1.4.0"},
            "attrition.joblib")
