"""Fits the arrears model on billing history; gaps in the meter columns are filled before fitting."""
import joblib
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

METER_COLUMNS = ["kwh_last_quarter", "late_payments", "months_on_tariff"]

bills = pd.read_parquet("billing_history.parquet")
bills = bills.fillna({"kwh_last_quarter": 0, "late_payments": 0, "months_on_tariff": 0})
arrears_model = HistGradientBoostingClassifier(max_iter=300, random_state=11)
arrears_model.fit(bills[METER_COLUMNS], bills["fell_into_arrears"])
joblib.dump(arrears_model, "arrears.joblib")
