"""Web form: one trip in, a cancellation warning out."""
import pickle

import pandas as pd
from flask import Flask, request

from shared import encode_text_columns

site = Flask(__name__)
with open("booster.pkl", "rb") as source:
    booster = pickle.load(source)


@site.post("/trip")
def trip():
    row = pd.DataFrame(request.form.to_dict(), index=[0])
    row = encode_text_columns(row, ["origin", "carrier"])
    return {"cancel_risk": float(booster.predict_proba(row)[0, 1])}
