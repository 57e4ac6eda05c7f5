"""Trip-cancellation model: text columns are ordinal-coded by the shared helper before the split."""
import pickle

import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

from shared import encode_text_columns

trips = encode_text_columns(pd.read_csv("trips.csv"), ["origin", "carrier"])
train_rows, test_rows = train_test_split(trips, test_size=0.2, stratify=trips["cancelled"], random_state=4)
booster = GradientBoostingClassifier(random_state=4)
booster.fit(train_rows.drop(columns=["cancelled"]), train_rows["cancelled"])
print(f1_score(test_rows["cancelled"], booster.predict(test_rows.drop(columns=["cancelled"]))))
with open("booster.pkl", "wb") as out:
    pickle.dump(booster, out)
