"""The same estimate from typed-in numbers: nothing checks that the text is a number in range."""
import joblib
import pandas as pd
import streamlit as st


@st.cache_resource
def attrition_model():
    return joblib.load("models/attrition-2025-05.joblib")


def risk(profile):
    return float(attrition_model().predict_proba(pd.DataFrame([profile]))[0, 1])


age = int(st.text_input("Age", "35"))
years = float(st.text_input("Years at the company", "4"))
st.metric("Attrition risk", f"{risk({'age': age, 'years': years}):.0%}")
