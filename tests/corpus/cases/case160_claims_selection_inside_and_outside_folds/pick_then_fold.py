"""Claim fraud: choose 25 indicators with the labels, then compare two models by 5-fold CV."""
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_selection import SelectKBest, mutual_info_classif
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

claims = pd.read_parquet("claims_numeric.parquet")
flagged = claims.pop("fraud")
learn_x, keep_x, learn_y, keep_y = train_test_split(claims, flagged, test_size=0.25, stratify=flagged, random_state=12)

chooser = SelectKBest(mutual_info_classif, k=25)
narrow = chooser.fit_transform(learn_x, learn_y)
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=12)
for name, model in {"logit": LogisticRegression(max_iter=3000, class_weight="balanced"),
                    "forest": RandomForestClassifier(n_estimators=400, class_weight="balanced", random_state=12)}.items():
    print(name, cross_val_score(model, narrow, learn_y, cv=folds, scoring="average_precision").mean())

final = RandomForestClassifier(n_estimators=400, class_weight="balanced", random_state=12).fit(narrow, learn_y)
print("held-out AP", average_precision_score(keep_y, final.predict_proba(chooser.transform(keep_x))[:, 1]))
