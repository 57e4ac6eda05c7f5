import numpy as np
from sklearn.ensemble import GradientBoostingClassifier


def test_model_fits_small_data():
    rows = np.random.default_rng(0).normal(size=(40, 3))
    model = GradientBoostingClassifier(n_estimators=5, learning_rate=0.5).fit(rows, rows[:, 0] > 0)
    assert model.predict(rows).shape == (40,)
