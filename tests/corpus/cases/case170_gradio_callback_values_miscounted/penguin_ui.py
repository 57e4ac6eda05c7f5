"""Gradio form for the field team."""
import pickle

import gradio as gr

with open("penguins.pkl", "rb") as source:
    knn = pickle.load(source)


def guess_sex(bill_length, bill_depth, flipper_length, body_mass):
    return str(knn.predict([[bill_length, bill_depth, flipper_length, body_mass]])[0])


gr.Interface(guess_sex, [gr.Number(label="Bill length (mm)"), gr.Number(label="Bill depth (mm)"),
                         gr.Number(label="Flipper length (mm)"), gr.Number(label="Body mass (g)")], "text").launch()
