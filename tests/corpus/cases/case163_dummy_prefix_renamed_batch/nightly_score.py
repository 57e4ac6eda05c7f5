"""Nightly job: scores yesterday's visitors and writes the list for the mailing tool."""
import joblib
import pandas as pd

bundle = joblib.load("signups.joblib")
yesterday = pd.read_csv("visits_yesterday.csv")
encoded = pd.get_dummies(yesterday, columns=["referrer"], prefix="referrer")
encoded = encoded.reindex(columns=bundle["inputs"], fill_value=0)
yesterday["propensity"] = bundle["model"].predict_proba(encoded)[:, 1]
yesterday[["visitor_id", "propensity"]].to_csv("mailing_list.csv", index=False)
