"""Flask front end: one form, one decision."""
import pandas as pd
from flask import Flask, render_template, request

from service.scorer import ApplicantScorer

app = Flask(__name__)


@app.route("/decide", methods=["POST"])
def decide():
    applicant = pd.DataFrame([{"income": float(request.form["income"]), "sector": request.form["sector"]}])
    verdict = ApplicantScorer().rate(applicant)
    return render_template("decision.html", verdict=int(verdict[0]))
