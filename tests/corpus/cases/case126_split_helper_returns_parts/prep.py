"""Cleaning shared by the experiments: returns the four parts of a stratified split."""
from sklearn.model_selection import train_test_split


def tidy_and_split(frame, columns, share=0.3):
    frame = frame.dropna(subset=columns + ["renewed"])
    return train_test_split(frame[columns], frame["renewed"], test_size=share, stratify=frame["renewed"],
                            random_state=9)
