"""Card-fraud model on a polars event log: every merchant statistic looks only at earlier events."""
import polars as pl
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score

events = pl.read_parquet("card_events.parquet").sort("event_ts")
events = events.with_columns([
    pl.col("chargeback").shift(1).over("merchant_id").alias("merchant_prev_cb"),
    pl.col("amount").log1p().alias("log_amount"),
])
fx = pl.read_parquet("fx_rates.parquet").sort("event_ts")
events = events.join_asof(fx, on="event_ts", strategy="backward")

boundary = int(events.height * 0.8)
early, late = events[:boundary], events[boundary:]
inputs = ["log_amount", "merchant_prev_cb", "eur_rate"]
X_early, X_late = early.select(inputs).to_numpy(), late.select(inputs).to_numpy()
y_early, y_late = early["chargeback"].to_numpy(), late["chargeback"].to_numpy()
booster = HistGradientBoostingClassifier(class_weight="balanced", random_state=3).fit(X_early, y_early)
floor = DummyClassifier(strategy="prior").fit(X_early, y_early)
for tag, est in (("model", booster), ("prior", floor)):
    print(tag, average_precision_score(y_late, est.predict_proba(X_late)[:, 1]))
