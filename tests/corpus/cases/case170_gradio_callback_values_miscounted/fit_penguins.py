"""Penguin sex classifier on three body measurements."""
import pickle

import pandas as pd
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

birds = pd.read_csv("penguins.csv").dropna()
MEASURES = ["bill_length_mm", "flipper_length_mm", "body_mass_g"]
knn = make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=7))
knn.fit(birds[MEASURES], birds["sex"])
with open("penguins.pkl", "wb") as out:
    pickle.dump(knn, out)
