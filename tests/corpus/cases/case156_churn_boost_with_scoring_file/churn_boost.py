"""Carrier churn: gradient boosting stopped on a part of the labelled file; the unlabelled file is scored for upload."""
import pandas as pd
from catboost import CatBoostClassifier
from sklearn.model_selection import train_test_split

labelled = pd.read_csv("lines_labelled.csv")
left = labelled.pop("left")
kinds = [c for c in labelled.columns if labelled[c].dtype == object]
labelled[kinds] = labelled[kinds].fillna("none")

fit_rows, stop_rows, fit_left, stop_left = train_test_split(labelled, left, test_size=0.2, stratify=left,
                                                            random_state=21)
booster = CatBoostClassifier(iterations=3000, learning_rate=0.03, cat_features=kinds, verbose=0)
booster.fit(fit_rows, fit_left, eval_set=(stop_rows, stop_left), early_stopping_rounds=150)
print("stopped at", booster.get_best_iteration())

unlabelled = pd.read_csv("lines_unlabelled.csv")
unlabelled[kinds] = unlabelled[kinds].fillna("none")
pd.DataFrame({"line_id": unlabelled["line_id"], "p_left": booster.predict_proba(unlabelled)[:, 1]}).to_csv(
    "upload.csv", index=False)
