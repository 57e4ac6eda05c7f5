"""Shared helpers of the claims project."""
import pickle

from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score
from sklearn.model_selection import GridSearchCV


def persist(path, obj):
    with open(path, "wb") as handle:
        pickle.dump(obj, handle)


def compare_candidates(X_fit, y_fit, X_hold, y_hold, candidates, grids):
    """Tune each candidate on the fitting rows and return its hold-out recall."""
    board = {}
    for label, estimator in candidates.items():
        search = GridSearchCV(estimator, grids[label], cv=3, scoring="recall")
        search.fit(X_fit, y_fit)
        estimator.set_params(**search.best_params_)
        estimator.fit(X_fit, y_fit)
        board[label] = recall_score(y_hold, estimator.predict(X_hold))
    return board


def score_sheet(estimator, truth, guessed, rows):
    return {
        "precision": precision_score(truth, guessed),
        "recall": recall_score(truth, guessed),
        "f1": f1_score(truth, guessed),
        "pr_auc": average_precision_score(truth, estimator.predict_proba(rows)[:, 1]),
    }
