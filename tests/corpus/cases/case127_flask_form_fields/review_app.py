"""Product review tagging: one text field, read by key, goes through the fitted vectoriser."""
import joblib
from flask import Flask, render_template, request
from sklearn.feature_extraction.text import TfidfVectorizer

app = Flask(__name__)
bundle = joblib.load("models/review-tagger-2025-03.joblib")
words: TfidfVectorizer = bundle["vectoriser"]
tagger = bundle["model"]


@app.route("/tag", methods=["POST"])
def tag():
    review = request.form["review"].strip()
    if not review:
        return render_template("tag.html", error="Write a review first"), 400
    return render_template("tag.html", tag=str(tagger.predict(words.transform([review]))[0]))
