"""Small helpers shared by the fraud notebooks and scripts."""
import pandas as pd
import sklearn.model_selection as ms


def read_claims(path: str) -> pd.DataFrame:
    claims = pd.read_csv(path)
    claims.columns = [c.strip().lower() for c in claims.columns]
    return claims


def make_split(frame: pd.DataFrame, target: str, holdout: float = 0.3):
    """Return X_train, X_test, y_train, y_test."""
    features = frame.drop(columns=[target])
    return ms.train_test_split(features, frame[target], test_size=holdout)


def top_k_precision(y_true, scores, k: int) -> float:
    order = scores.argsort()[::-1][:k]
    return float(y_true.to_numpy()[order].mean())
