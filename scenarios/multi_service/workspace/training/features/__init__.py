"""Customer features shared by training and scoring."""
from features.customer import FEATURES, build_features

__all__ = ["FEATURES", "build_features"]
