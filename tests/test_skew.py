"""The feature-by-feature comparison as a library call."""
import pytest

from checks.skew import skew_diff
from tests.conftest import REPO

CHURN = REPO / "scenarios" / "churn_predictor" / "workspace"


def test_churn_comparison_feature_by_feature():
    [report] = skew_diff([CHURN])
    assert (report.training_file, report.serving_file) == ("model.py", "predict.py")
    status = {f.feature: f.status for f in report.features}
    assert status == {"tenure_months": "different", "order_count": "same", "total_revenue": "same",
                      "avg_order_value": "different", "days_since_last_order": "different",
                      "support_tickets": "same", "email_opens": "same"}
    avg = next(f for f in report.features if f.feature == "avg_order_value")
    assert avg.training == "total_revenue / order_count" and avg.serving == "total_revenue / order_count"
    assert (avg.training_line, avg.serving_line) == (13, 15)


def test_explicit_pair_and_unknown_file(tmp_path):
    assert skew_diff([CHURN], training="model.py", serving="predict.py")
    with pytest.raises(ValueError, match="nope.py"):
        skew_diff([CHURN], training="nope.py")
