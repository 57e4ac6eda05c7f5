"""Streamlit page for the lab: type a mix, read the predicted 28-day strength."""
import joblib
import numpy as np
import streamlit as st


@st.cache_resource
def artefacts():
    return joblib.load("forest.joblib"), joblib.load("standardiser.joblib")


forest, standardiser = artefacts()
cement = st.number_input("Cement (kg/m3)", min_value=100.0, max_value=600.0)
water = st.number_input("Water (kg/m3)", min_value=100.0, max_value=250.0)
plasticiser = st.number_input("Superplasticizer (kg/m3)", min_value=0.0, max_value=35.0)
days = st.slider("Age (days)", 1, 365, 28)
if st.button("Predict"):
    mix = np.array([[cement, water, plasticiser, days]])
    st.metric("Strength (MPa)", round(float(forest.predict(standardiser.transform(mix))[0]), 1))
