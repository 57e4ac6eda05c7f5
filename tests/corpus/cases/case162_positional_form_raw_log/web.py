"""Form front end for the clinic: values are typed in and classified at once."""
import pickle

import numpy as np
from flask import Flask, render_template, request

app = Flask(__name__)
with open("kidney.pkl", "rb") as handle:
    classifier = pickle.load(handle)


@app.route("/assess", methods=["POST"])
def assess():
    years = float(request.form["age"])
    row = np.array([[years, float(request.form["creatinine"]), float(request.form["urea"])]])
    return render_template("result.html", stage3=int(classifier.predict(row)[0]))
