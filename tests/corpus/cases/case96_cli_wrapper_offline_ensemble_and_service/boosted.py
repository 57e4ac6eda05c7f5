"""A LightGBM model behind the fit/predict protocol, used by the training script and the service."""
import json

import lightgbm as lgb


class BoostedModel:
    def __init__(self, params: dict):
        self.params = params
        self.booster = None

    def fit(self, X, y):
        self.booster = lgb.train(self.params, lgb.Dataset(X, label=y), num_boost_round=300)
        return self

    def predict_proba(self, X):
        return self.booster.predict(X)

    def save(self, folder: str, version: str, columns: list[str]) -> None:
        self.booster.save_model(f"{folder}/booster-{version}.txt")
        with open(f"{folder}/booster-{version}.json", "w") as fh:
            json.dump({"version": version, "columns": columns, "params": self.params}, fh)

    @classmethod
    def load(cls, folder: str, version: str) -> "BoostedModel":
        made = cls({})
        made.booster = lgb.Booster(model_file=f"{folder}/booster-{version}.txt")
        return made
