"""Helpers shared by the pipeline steps."""
import pickle

from sklearn.metrics import f1_score
from sklearn.model_selection import GridSearchCV


def keep(obj, path):
    with open(path, "wb") as handle:
        pickle.dump(obj, handle)


def score_each(first_x, first_y, second_x, second_y, families, grids):
    """Tune every family on the first rows and return its F1 on the second rows."""
    scores = {}
    for label, family in families.items():
        search = GridSearchCV(family, grids[label], cv=3, scoring="f1")
        search.fit(first_x, first_y)
        family.set_params(**search.best_params_)
        family.fit(first_x, first_y)
        scores[label] = f1_score(second_y, family.predict(second_x))
    return scores
