"""Interactive what-if tool for the retention team: move the sliders, read the churn risk."""
import os

import pandas as pd
import streamlit as st
from skops.io import get_untrusted_types, load

MODEL_FILE = os.environ.get("RETENTION_MODEL", "models/retention-7.skops")


def fetch(path):
    unknown = get_untrusted_types(file=path)
    return load(path, trusted=[t for t in unknown if t.startswith("sklearn.")])


def sidebar():
    tenure = st.sidebar.slider("Tenure (months)", 0, 120, 12)
    tickets = st.sidebar.number_input("Support tickets last quarter", 0, 50, 1)
    plan = st.sidebar.selectbox("Plan", ["basic", "plus", "pro"])
    return pd.DataFrame([{"tenure": tenure, "tickets": tickets, "plan": plan}])


st.title("Retention what-if")
estimator = fetch(MODEL_FILE)
profile = sidebar()
risk = estimator.predict_proba(profile)[0, 1]
st.metric("Churn risk", f"{risk:.0%}")
