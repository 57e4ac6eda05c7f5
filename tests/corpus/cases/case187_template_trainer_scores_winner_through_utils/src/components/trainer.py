"""Picks the claims-triage model and stores it with its scores."""
import json

import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from src.helpers import compare_candidates, persist, score_sheet


def run(table_path: str, out_dir: str) -> dict:
    claims = pd.read_parquet(table_path)
    X = claims.drop(columns=["escalated"])
    y = claims["escalated"]
    X_fit, X_hold, y_fit, y_hold = train_test_split(X, y, test_size=0.2, stratify=y, random_state=21)
    candidates = {
        "forest": RandomForestClassifier(class_weight="balanced", random_state=21),
        "boosting": GradientBoostingClassifier(random_state=21),
        "logit": LogisticRegression(class_weight="balanced", max_iter=2000),
    }
    grids = {"forest": {"max_depth": [4, 8, None]}, "boosting": {"learning_rate": [0.05, 0.1]},
             "logit": {"C": [0.1, 1.0, 10.0]}}
    board = compare_candidates(X_fit, y_fit, X_hold, y_hold, candidates, grids)
    top = max(board, key=board.get)
    chosen = candidates[top]
    floor = DummyClassifier(strategy="stratified", random_state=21).fit(X_fit, y_fit)
    sheet = score_sheet(chosen, y_hold, chosen.predict(X_hold), X_hold)
    sheet["floor"] = score_sheet(floor, y_hold, floor.predict(X_hold), X_hold)
    persist(f"{out_dir}/triage_model.pkl", {"model": chosen, "name": top, "scores": sheet})
    with open(f"{out_dir}/scores.json", "w") as handle:
        json.dump(sheet, handle)
    return sheet
