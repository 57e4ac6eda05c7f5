"""Rent estimate form."""
import joblib
import pandas as pd
from flask import Flask, render_template, request

app = Flask(__name__)
bundle = joblib.load("rent_forest.joblib")
forest = bundle["model"]


@app.route("/", methods=["GET", "POST"])
def estimate():
    rent = None
    if request.method == "POST":
        listing = {
            "area_m2": float(request.form["area_m2"]),
            "rooms": int(request.form["rooms"]),
            "balcony_m2": int(request.form["balcony_m2"]),
            "floor": int(request.form["floor"]),
            "district": request.form["district"],
        }
        row = pd.get_dummies(pd.DataFrame([listing]), columns=["district"])
        row = row.reindex(columns=forest.feature_names_in_, fill_value=0)
        rent = round(float(forest.predict(row)[0]), 2)
    return render_template("estimate.html", rent=rent, version=bundle["version"])
