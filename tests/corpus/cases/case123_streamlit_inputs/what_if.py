"""What-if page: pick an employee profile, see the attrition risk."""
import joblib
import pandas as pd
import streamlit as st


@st.cache_resource
def attrition_model():
    return joblib.load("models/attrition-2025-05.joblib")


def risk(profile):
    return float(attrition_model().predict_proba(pd.DataFrame([profile]))[0, 1])


side = st.sidebar
age = side.slider("Age", 18, 67, 35)
unit = side.selectbox("Department", ["Sales", "Research", "People"])
years = side.number_input("Years at the company", min_value=0, max_value=45, value=4)
overtime = side.checkbox("Works overtime")
if st.button("Estimate"):
    st.metric("Attrition risk", f"{risk({'age': age, 'unit': unit, 'years': years, 'overtime': overtime}):.0%}")
