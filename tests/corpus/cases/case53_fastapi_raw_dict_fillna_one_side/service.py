"""Engagement score for the onboarding team's nudges."""
import pickle

import pandas as pd
from fastapi import Body, FastAPI

app = FastAPI(title="engagement")

with open("engagement.pkl", "rb") as fh:
    BUNDLE = pickle.load(fh)


@app.post("/engagement")
def engagement(user: dict = Body(...)):
    frame = pd.DataFrame([user]).reindex(columns=BUNDLE["features"])
    probability = BUNDLE["model"].predict_proba(frame)[0, 1]
    return {"user_id": user.get("user_id"), "p_weekly_active": float(probability), "model": BUNDLE["version"]}


@app.get("/healthz")
def healthz():
    return {"ok": True, "model": BUNDLE["version"]}
