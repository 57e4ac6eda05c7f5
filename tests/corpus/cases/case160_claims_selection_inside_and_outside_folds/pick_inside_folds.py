"""Claim fraud: the same choice of 25 indicators, made inside each fold by a pipeline."""
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_selection import SelectKBest, mutual_info_classif
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline

claims = pd.read_parquet("claims_numeric.parquet")
flagged = claims.pop("fraud")
learn_x, keep_x, learn_y, keep_y = train_test_split(claims, flagged, test_size=0.25, stratify=flagged, random_state=12)

chain = make_pipeline(SelectKBest(mutual_info_classif, k=25),
                      RandomForestClassifier(n_estimators=400, class_weight="balanced", random_state=12))
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=12)
print("cv AP", cross_val_score(chain, learn_x, learn_y, cv=folds, scoring="average_precision").mean())
chain.fit(learn_x, learn_y)
print("held-out AP", average_precision_score(keep_y, chain.predict_proba(keep_x)[:, 1]))
