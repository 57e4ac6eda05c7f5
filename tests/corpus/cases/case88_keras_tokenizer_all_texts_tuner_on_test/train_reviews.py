import keras_tuner as kt
import numpy as np
import pandas as pd
from sklearn.metrics import classification_report
from sklearn.model_selection import train_test_split
from tensorflow import keras
from tensorflow.keras.preprocessing.sequence import pad_sequences
from tensorflow.keras.preprocessing.text import Tokenizer

reviews = pd.read_csv("reviews.csv")
vocab = Tokenizer(num_words=20000, oov_token="<unk>")
vocab.fit_on_texts(reviews["body"])
seqs = pad_sequences(vocab.texts_to_sequences(reviews["body"]), maxlen=200)
stars = (reviews["stars"] >= 4).astype(int).to_numpy()
s_a, s_b, t_a, t_b = train_test_split(seqs, stars, test_size=0.2, stratify=stars, random_state=4)


def make(hp):
    net = keras.Sequential([
        keras.layers.Embedding(20000, hp.Choice("dim", [32, 64])),
        keras.layers.GlobalAveragePooling1D(),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    net.compile(optimizer="adam", loss="binary_crossentropy", metrics=[keras.metrics.AUC()])
    return net


search = kt.Hyperband(make, objective="val_loss", max_epochs=10)
search.search(s_a, t_a, validation_data=(s_b, t_b))
winner = search.get_best_models(1)[0]
print(classification_report(t_b, (winner.predict(s_b) > 0.5).astype(int)))
