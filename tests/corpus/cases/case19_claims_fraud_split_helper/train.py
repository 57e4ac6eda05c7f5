"""Insurance-claim fraud model. The investigators review the top-ranked claims each week."""
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import ExtraTreesClassifier
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedKFold, cross_val_score

from utils import make_split, read_claims, top_k_precision

claims = read_claims("data/insurance_claims.csv")
claims = claims[["claim_amount", "policy_age_months", "prior_claims", "witness_count",
                 "police_report", "vehicle_age", "fraud_reported"]]
X_tr, X_te, y_tr, y_te = make_split(claims, "fraud_reported")

forest = ExtraTreesClassifier(n_estimators=500, class_weight="balanced", random_state=0)
cv_ap = cross_val_score(forest, X_tr, y_tr, cv=StratifiedKFold(5, shuffle=True, random_state=0),
                        scoring="average_precision")
print(f"CV PR AUC {cv_ap.mean():.3f} +/- {cv_ap.std():.3f}")

forest.fit(X_tr, y_tr)
prior = DummyClassifier(strategy="prior").fit(X_tr, y_tr)
for name, est in (("extra trees", forest), ("prior", prior)):
    scores = est.predict_proba(X_te)[:, 1]
    print(name, "PR AUC", round(average_precision_score(y_te, scores), 3),
          "precision@50", top_k_precision(y_te, scores, 50))
