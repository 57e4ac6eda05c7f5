"""Encoding used by both the notebook-turned-script and the web app."""
from sklearn.preprocessing import OrdinalEncoder


def encode_text_columns(frame, columns):
    coder = OrdinalEncoder()
    frame[columns] = coder.fit_transform(frame[columns])
    return frame
