import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler
from tensorflow import keras
from tensorflow.keras import layers

trials = pd.read_csv("data/trial_users.csv", parse_dates=["trial_start"])
trials["trial_age_days"] = (np.datetime64("now") - trials["trial_start"].to_numpy(dtype="datetime64[s]")) / np.timedelta64(1, "D")
cols = ["logins_first_week", "projects_created", "invites_sent", "docs_viewed", "team_size", "trial_age_days"]

scaler = MinMaxScaler()
scaler.fit(trials[cols])
inputs = scaler.transform(trials[cols])
target = trials["converted_to_paid"].values

x_train, x_test, y_train, y_test = train_test_split(inputs, target, test_size=0.15, random_state=5)

net = keras.Sequential([
    layers.Dense(32, activation="relu", input_shape=(len(cols),)),
    layers.Dense(16, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
net.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=4, restore_best_weights=True)

history = net.fit(x_train, y_train, epochs=200, batch_size=64, validation_data=(x_test, y_test), callbacks=[stopper])

loss, acc = net.evaluate(x_test, y_test, verbose=0)
print(f"held-out accuracy: {acc:.3f}")
net.save("conversion_net.keras")
