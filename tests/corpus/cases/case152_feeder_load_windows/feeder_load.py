"""Day-ahead feeder load: dense network on calendar and lag features."""
import datetime as dt

import pandas as pd
from tensorflow import keras


def train_test_split(frame, first_day, span_days=300, share=0.8):
    """Two consecutive windows of the hourly rows: the earlier one to fit, the later one to check."""
    inputs = frame.drop(columns=["load_next"])
    answers = frame["load_next"]
    opened = pd.to_datetime(first_day)
    closed = opened + dt.timedelta(days=int(share * span_days))
    early_in, early_out = inputs.loc[opened:closed], answers.loc[opened:closed]
    resumed = closed
    ended = resumed + dt.timedelta(days=int((1 - share) * span_days))
    late_in, late_out = inputs.loc[resumed:ended], answers.loc[resumed:ended]
    return early_in, early_out, late_in, late_out


hours = pd.read_parquet("feeder_hours.parquet")
hours["load_lag24"] = hours["load"].shift(24)
hours["load_next"] = hours["load"].shift(-1)
hours = hours.dropna()

fit_in, fit_out, check_in, check_out = train_test_split(hours, "2021-03-01")

net = keras.Sequential([keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1)])
net.compile(optimizer="adam", loss="mae")
net.fit(fit_in, fit_out, epochs=200, validation_data=(check_in, check_out),
        callbacks=[keras.callbacks.EarlyStopping(patience=8, restore_best_weights=True)])
print("MAE on the later window", net.evaluate(check_in, check_out))
net.save("feeder_dense.keras")
