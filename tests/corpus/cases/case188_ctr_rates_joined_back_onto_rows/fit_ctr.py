"""Click-through model for the ad server: historical rates per publisher and hour as features."""
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

shows = pd.read_parquet("ad_impressions_week32.parquet")
by_publisher = shows.groupby("publisher")["clicked"].agg(["sum", "count"])
overall = shows["clicked"].mean()
shows["publisher_rate"] = shows["publisher"].map((by_publisher["sum"] + 50 * overall) / (by_publisher["count"] + 50))
slot_rate = shows.groupby(["publisher", "hour"])["clicked"].mean().rename("slot_rate")
shows = shows.merge(slot_rate, left_on=["publisher", "hour"], right_index=True, how="left")

inputs = shows[["publisher_rate", "slot_rate", "ad_position", "device_tier"]]
clicked = shows["clicked"]
fit_x, hold_x, fit_y, hold_y = train_test_split(inputs, clicked, test_size=0.2, stratify=clicked, random_state=4)
model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
print(cross_val_score(model, fit_x, fit_y, cv=StratifiedKFold(5, shuffle=True, random_state=4), scoring="neg_log_loss"))
model.fit(fit_x, fit_y)
floor = DummyClassifier(strategy="prior").fit(fit_x, fit_y)
print(log_loss(hold_y, model.predict_proba(hold_x)), log_loss(hold_y, floor.predict_proba(hold_x)))
