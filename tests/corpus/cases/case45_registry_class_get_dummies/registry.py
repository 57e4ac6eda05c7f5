"""A tiny file-system model registry shared by the training jobs and the API."""
import pickle
from pathlib import Path


class ModelRegistry:
    def __init__(self, root: str = "/opt/ml-registry"):
        self.root = Path(root)

    def save(self, name: str, model) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f"{name}.pkl"
        with path.open("wb") as fh:
            pickle.dump(model, fh)
        return path

    def load(self, name: str):
        with (self.root / f"{name}.pkl").open("rb") as fh:
            return pickle.load(fh)

    def names(self) -> list[str]:
        return sorted(p.stem for p in self.root.glob("*.pkl"))
