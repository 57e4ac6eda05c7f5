import numpy as np
from sklearn.dummy import DummyRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split
from tensorflow import keras

readings = np.load("meter_readings.npy")
kwh = np.load("next_day_kwh.npy")
r_a, r_b, k_a, k_b = train_test_split(readings, kwh, test_size=0.2, shuffle=False)

norm = keras.layers.Normalization()
norm.adapt(r_a)
net = keras.Sequential([norm, keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1)])
net.compile(optimizer="adam", loss="mse")
net.fit(r_a, k_a, epochs=40, validation_split=0.15,
        callbacks=[keras.callbacks.EarlyStopping(patience=4, restore_best_weights=True)])
flat = DummyRegressor().fit(r_a, k_a)
print("MAE", mean_absolute_error(k_b, net.predict(r_b).ravel()), "flat", mean_absolute_error(k_b, flat.predict(r_b)))
