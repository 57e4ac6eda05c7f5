"""Clinic triage form: eight measurements straight from the HTML form into the model."""
import joblib
import numpy as np
from flask import Flask, render_template, request

app = Flask(__name__)
triage = joblib.load("models/triage-2025-03.joblib")


@app.route("/assess", methods=["POST"])
def assess():
    pulse = request.form["pulse"]
    systolic = request.form["systolic"]
    temperature = request.form["temperature"]
    row = np.array([[pulse, systolic, temperature]])
    return render_template("result.html", urgent=bool(triage.predict(row)[0]))
