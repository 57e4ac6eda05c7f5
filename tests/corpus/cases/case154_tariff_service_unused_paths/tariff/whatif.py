"""Counterfactual sweeps over one household's usage."""
import pandas as pd


class UsageSweep:
    def __init__(self, bundle: dict):
        self.model = bundle["model"]
        self.columns = bundle["columns"]

    def sweep(self, household: dict, field: str, values):
        rows = []
        for value in values:
            changed = dict(household, **{field: value})
            rows.append(self.model.predict_proba(pd.DataFrame([changed])[self.columns])[0, 1])
        return rows
