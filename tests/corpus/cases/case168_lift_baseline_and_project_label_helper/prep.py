"""Small preparation helpers for the click model."""
from sklearn.preprocessing import LabelEncoder


def target_encode(frame, column):
    """Turns the outcome's class names into 0/1."""
    frame[column] = LabelEncoder().fit_transform(frame[column])
    return frame
