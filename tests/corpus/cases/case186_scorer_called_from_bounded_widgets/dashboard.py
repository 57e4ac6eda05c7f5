"""HR dashboard: a manager sets an employee's figures and sees the attrition risk."""
import streamlit as st

from scoring.model_runner import AttritionRunner

st.title("Attrition risk")
years = st.slider("Years at company", 0, 40, 3)
overtime = st.radio("Overtime", ["Yes", "No"])
level = st.selectbox("Job level", [1, 2, 3, 4, 5])
commute = st.number_input("Commute (km)", min_value=0.0, max_value=200.0, value=12.0)

if st.button("Estimate"):
    record = {"years": years, "overtime": overtime, "level": level, "commute_km": commute}
    risk = AttritionRunner().score(record)
    st.metric("Risk of leaving within a year", f"{risk:.0%}")
