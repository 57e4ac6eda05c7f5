"""Estimator builders: each starts from its own defaults and lets the settings file win."""
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import RidgeClassifier


def make_forest(overrides=None):
    chosen = {"n_estimators": 100, "max_depth": None, "min_samples_leaf": 1, "random_state": 11}
    if overrides:
        chosen.update(overrides)
    return RandomForestClassifier(**chosen)


class Boosted:
    def __init__(self, settings=None):
        self.base = {"n_estimators": 200, "learning_rate": 0.1, "max_depth": 3}
        self.settings = settings if settings is not None else self.base

    def build(self):
        return GradientBoostingClassifier(random_state=11, **self.settings)


def make_ridge(overrides):
    return RidgeClassifier(**{**{"alpha": 1.0}, **overrides})


def make_ridge_fixed():
    return RidgeClassifier(alpha=10.0)
