"""Log-odds encoding of categorical columns for a default model, smoothed so that an unseen or
one-sided level never divides by zero or takes the log of zero."""
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin


class LogOddsCoder(BaseEstimator, TransformerMixin):
    def __init__(self, prior=0.5):
        self.prior = prior

    def fit(self, levels, outcome):
        frame = pd.DataFrame({"level": pd.Series(levels).astype(str), "hit": pd.Series(outcome)})
        tally = frame.groupby("level")["hit"].agg(["sum", "count"]).rename(columns={"sum": "hits", "count": "seen"})
        tally["misses"] = tally["seen"] - tally["hits"]
        pad = self.prior
        all_hits = max(frame["hit"].sum(), pad)
        all_misses = max((1 - frame["hit"]).sum(), pad)
        tally["hit_share"] = (tally["hits"] + pad) / all_hits
        tally["miss_share"] = (tally["misses"] + pad) / all_misses
        tally["odds"] = np.log(tally["hit_share"] / tally["miss_share"])
        self.codes_ = tally["odds"].to_dict()
        self.fallback_ = float(tally["odds"].median())
        return self

    def transform(self, levels):
        mapped = pd.Series(levels).astype(str).map(self.codes_)
        return mapped.fillna(self.fallback_).to_numpy().reshape(-1, 1)

