"""Hourly footfall forecast: a small GRU against yesterday-same-hour, both scored on the last weeks."""
import numpy as np
import pandas as pd
import tensorflow as tf

HOURS_BACK = 48


class SameHourYesterday(tf.keras.Model):
    """Predicts the value seen 24 steps earlier: the rule the store managers use today."""

    def __init__(self, lag=24):
        super().__init__()
        self.lag = lag

    def call(self, window):
        return window[:, -self.lag:-self.lag + 1, :]


def windows(series, width):
    values = series.to_numpy(dtype="float32")
    starts = range(len(values) - width)
    inputs = np.stack([values[s:s + width] for s in starts])[..., np.newaxis]
    targets = np.array([values[s + width] for s in starts], dtype="float32")[:, np.newaxis, np.newaxis]
    return inputs, targets


counts = pd.read_parquet("door_counts.parquet").sort_values("hour_start")["visitors"]
cut = int(len(counts) * 0.85)
early_in, early_out = windows(counts.iloc[:cut], HOURS_BACK)
late_in, late_out = windows(counts.iloc[cut:], HOURS_BACK)

reference = SameHourYesterday()
reference.compile(loss="mse", metrics=["mae"])
gru = tf.keras.Sequential([tf.keras.layers.GRU(32), tf.keras.layers.Dense(1), tf.keras.layers.Reshape((1, 1))])
gru.compile(optimizer="adam", loss="mse", metrics=["mae"])
gru.fit(early_in, early_out, epochs=20, batch_size=64, verbose=0)

board = {
    "same hour yesterday": reference.evaluate(late_in, late_out, verbose=0),
    "gru": gru.evaluate(late_in, late_out, verbose=0),
}
print(pd.DataFrame(board, index=["mse", "mae"]).T)
