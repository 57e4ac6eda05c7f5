"""Flat-price estimate behind a small HTML form."""
import hashlib
import logging
import os

import joblib
import pandas as pd
from flask import Flask, abort, request

log = logging.getLogger("flatprice")
app = Flask(__name__)

ARTIFACT = os.environ["FLATPRICE_MODEL"]
with open(ARTIFACT + ".sha256") as fh:
    DIGEST = fh.read().strip()
with open(ARTIFACT, "rb") as fh:
    blob = fh.read()
if hashlib.sha256(blob).hexdigest() != DIGEST:
    raise SystemExit("model digest mismatch")
estimator = joblib.load(ARTIFACT)


@app.get("/healthz")
def healthz():
    return {"ok": True}


@app.post("/estimate")
def estimate():
    try:
        district = request.form["district"]
        floor_area = float(request.form["floor_area"])
        storey = int(request.form["storey"])
        year_built = int(request.form["year_built"])
    except (KeyError, ValueError):
        abort(400)
    if not (10 <= floor_area <= 1000 and -1 <= storey <= 90 and 1800 <= year_built <= 2030):
        abort(422)
    row = pd.DataFrame([[district, floor_area, year_built, storey]],
                       columns=["district", "floor_area", "storey", "year_built"])
    try:
        value = float(estimator.predict(row)[0])
    except ValueError:
        log.exception("estimate failed")
        abort(500)
    log.info("estimate district=%s area=%.1f value=%.0f", district, floor_area, value)
    return {"estimate": value, "model": os.path.basename(ARTIFACT)}
