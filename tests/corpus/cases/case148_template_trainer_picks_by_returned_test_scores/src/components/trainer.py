"""Pick the best family and keep it."""
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from src.common import keep, score_each


class Trainer:
    def run(self, block_a, block_b):
        xa, ya = block_a[:, :-1], block_a[:, -1]
        xb, yb = block_b[:, :-1], block_b[:, -1]
        families = {"forest": RandomForestClassifier(random_state=17),
                    "boosted": GradientBoostingClassifier(random_state=17),
                    "logit": LogisticRegression(max_iter=3000, class_weight="balanced")}
        grids = {"forest": {"n_estimators": [200, 400]}, "boosted": {"learning_rate": [0.05, 0.1]},
                 "logit": {"C": [0.1, 1.0]}}
        scores = score_each(xa, ya, xb, yb, families, grids)
        top = max(scores, key=scores.get)
        winner = families[top]
        keep(winner, "artifacts/model.pkl")
        return f1_score(yb, winner.predict(xb)), top
