"""Employee attrition model."""
import json

import joblib
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

staff = pd.read_csv("data/hr_attrition.csv")
y = staff.pop("Attrition").eq("Yes").astype(int)
X = staff.drop(columns=["EmployeeNumber", "EmployeeCount", "Over18", "StandardHours"])
categorical = X.select_dtypes("object").columns.tolist()
numeric = X.select_dtypes("number").columns.tolist()

model = make_pipeline(
    make_column_transformer((StandardScaler(), numeric), (OneHotEncoder(handle_unknown="ignore"), categorical)),
    LogisticRegression(class_weight="balanced", max_iter=3000),
)
cv = StratifiedKFold(n_splits=10, shuffle=True, random_state=5)
for name, est in (("logreg", model), ("prior", DummyClassifier())):
    res = cross_validate(est, X, y, cv=cv, scoring=("roc_auc", "average_precision", "recall"))
    print(name, {k: round(v.mean(), 3) for k, v in res.items() if k.startswith("test_")})

final = model.fit(X, y)
scores = final.predict_proba(X)[:, 1]
summary = {
    "roc_auc": roc_auc_score(y, scores),
    "report": classification_report(y, final.predict(X), output_dict=True),
}
with open("reports/attrition_final.json", "w") as fh:
    json.dump(summary, fh, indent=2)
joblib.dump(final, "models/attrition.joblib")
