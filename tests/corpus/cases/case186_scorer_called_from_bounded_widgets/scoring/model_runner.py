"""Loads the trained attrition pipeline and scores rows handed to it."""
import joblib
import pandas as pd


class AttritionRunner:
    def __init__(self, bundle_path: str = "artifacts/attrition_bundle.joblib"):
        bundle = joblib.load(bundle_path)
        self.pipeline = bundle["pipeline"]
        self.columns = bundle["columns"]

    def score(self, employee: dict) -> float:
        return float(self.pipeline.predict_proba(pd.DataFrame([employee])[self.columns])[0, 1])
