from sklearn.dummy import DummyClassifier
import pandas as pd

from tariff.whatif import UsageSweep


def test_sweep_returns_one_score_per_value():
    frame = pd.DataFrame({"kwh_month": [1.0, 2.0], "peak_share": [0.1, 0.9]})
    model = DummyClassifier(strategy="prior").fit(frame, [0, 1])
    sweep = UsageSweep({"model": model, "columns": ["kwh_month", "peak_share"]})
    assert len(sweep.sweep({"kwh_month": 1.0, "peak_share": 0.5}, "kwh_month", [1, 2, 3])) == 3
