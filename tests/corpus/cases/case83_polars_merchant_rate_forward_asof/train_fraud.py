"""Card-fraud model on a polars event log."""
import polars as pl
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score

events = pl.read_parquet("card_events.parquet").sort("event_ts")
# share of fraudulent events per merchant, over the whole log
events = events.with_columns(
    pl.col("chargeback").mean().over("merchant_id").alias("merchant_cb_share"),
    (pl.col("amount") / pl.col("amount").mean().over("card_id")).alias("amount_vs_card"),
)
fx = pl.read_parquet("fx_rates.parquet").sort("event_ts")
events = events.join_asof(fx, on="event_ts", strategy="forward")

boundary = int(events.height * 0.8)
early, late = events[:boundary], events[boundary:]
inputs = ["amount", "amount_vs_card", "merchant_cb_share", "eur_rate"]
booster = HistGradientBoostingClassifier(class_weight="balanced", random_state=3)
booster.fit(early.select(inputs).to_numpy(), early["chargeback"].to_numpy())
print("AP", average_precision_score(late["chargeback"].to_numpy(),
                                    booster.predict_proba(late.select(inputs).to_numpy())[:, 1]))
