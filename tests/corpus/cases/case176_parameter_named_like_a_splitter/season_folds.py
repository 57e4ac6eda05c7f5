"""Folds that keep each season's weeks together and stratify inside them."""
import numpy as np
from sklearn.model_selection import StratifiedKFold


class SeasonFolds:
    def __init__(self, n_splits=4):
        self.n_splits = n_splits

    def split(self, frame, labels):
        inner = StratifiedKFold(n_splits=self.n_splits, shuffle=True, random_state=7)
        for season in frame["season"].unique():
            rows = np.flatnonzero(frame["season"].to_numpy() == season)
            for fit_at, hold_at in inner.split(rows, labels.iloc[rows]):
                yield rows[fit_at], rows[hold_at]
