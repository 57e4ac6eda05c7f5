"""Card-fraud MLP in Keras. Scaler and threshold come from training data only; the test split is used once."""
import numpy as np
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.metrics import average_precision_score, classification_report, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from tensorflow import keras

tx = pd.read_csv("data/transactions_features.csv")
feature_cols = [c for c in tx.columns if c not in ("transaction_id", "is_fraud")]
X_all = tx[feature_cols].to_numpy("float32")
y_all = tx["is_fraud"].to_numpy()

X_train, X_test, y_train, y_test = train_test_split(X_all, y_all, test_size=0.2, stratify=y_all, random_state=21)
X_fit, X_val, y_fit, y_val = train_test_split(X_train, y_train, test_size=0.2, stratify=y_train, random_state=21)

scaler = StandardScaler().fit(X_fit)
X_fit, X_val, X_test = scaler.transform(X_fit), scaler.transform(X_val), scaler.transform(X_test)

neg, pos = np.bincount(y_fit)
class_weight = {0: 1.0, 1: neg / pos}

model = keras.Sequential([
    keras.layers.Input(shape=(X_fit.shape[1],)),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dropout(0.3),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.compile(
    optimizer=keras.optimizers.Adam(1e-3),
    loss="binary_crossentropy",
    metrics=[keras.metrics.AUC(curve="PR", name="pr_auc")],
)
model.fit(
    X_fit, y_fit,
    validation_data=(X_val, y_val),
    epochs=50,
    batch_size=512,
    class_weight=class_weight,
    callbacks=[keras.callbacks.EarlyStopping(monitor="val_pr_auc", mode="max", patience=5, restore_best_weights=True)],
    verbose=2,
)

# operating point from the validation split: the analysts can review 0.5% of transactions
val_scores = model.predict(X_val, verbose=0).ravel()
threshold = np.quantile(val_scores, 0.995)

test_scores = model.predict(X_test, verbose=0).ravel()
dummy = DummyClassifier(strategy="prior").fit(X_fit, y_fit)
print("test ROC AUC", roc_auc_score(y_test, test_scores))
print("test PR AUC", average_precision_score(y_test, test_scores),
      "prior baseline PR AUC", average_precision_score(y_test, dummy.predict_proba(X_test)[:, 1]))
print(classification_report(y_test, (test_scores >= threshold).astype(int), digits=4))
