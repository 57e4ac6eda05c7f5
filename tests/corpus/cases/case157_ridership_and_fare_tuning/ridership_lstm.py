"""Next-day station ridership from the last four weeks of daily counts."""
import numpy as np
import pandas as pd
from sklearn.preprocessing import MinMaxScaler
from tensorflow import keras

daily = pd.read_csv("station_daily.csv", parse_dates=["day"]).sort_values("day")
squeeze = MinMaxScaler()
level = squeeze.fit_transform(daily[["riders"]])

span = 28
past = np.stack([level[i - span:i, 0] for i in range(span, len(level))])
upcoming = level[span:, 0]

net = keras.Sequential([keras.layers.Input((span, 1)), keras.layers.LSTM(32), keras.layers.Dense(1)])
net.compile(optimizer="adam", loss="mse")
net.fit(past[..., None], upcoming, epochs=60, batch_size=64, validation_split=0.15,
        callbacks=[keras.callbacks.EarlyStopping(patience=6, restore_best_weights=True)])
net.save("ridership_lstm.keras")
