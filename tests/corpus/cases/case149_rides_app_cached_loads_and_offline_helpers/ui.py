"""Streamlit page: estimate a ride's fare; retrain on demand."""
import os

import joblib
import numpy as np
import streamlit as st

from fares import refit

BUNDLE = os.environ.get("FARE_BUNDLE", "fare_model.joblib")

if "model" not in st.session_state:
    st.session_state.model = None


def ensure_model():
    if os.path.exists(BUNDLE) and st.session_state.model is None:
        st.session_state.model = joblib.load(BUNDLE)
    return st.session_state.model


def great_circle(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = map(np.radians, [lat1, lon1, lat2, lon2])
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 6371 * 2 * np.arcsin(np.sqrt(h))


pick_lat = st.slider("pickup latitude", 40.5, 41.0, 40.75)
pick_lon = st.slider("pickup longitude", -74.3, -73.7, -73.98)
drop_lat = st.slider("drop-off latitude", 40.5, 41.0, 40.76)
drop_lon = st.slider("drop-off longitude", -74.3, -73.7, -73.97)
riders = st.number_input("riders", min_value=1, max_value=6, value=1)

model = ensure_model()
if model is not None:
    km = great_circle(pick_lat, pick_lon, drop_lat, drop_lon)
    st.metric("fare", f"{model.predict([[km, riders]])[0]:.2f}")

retrain = st.button("Retrain on the latest trips")
if retrain:
    refit("trips.parquet", BUNDLE)
    st.session_state.model = joblib.load(BUNDLE)
