"""Read the bookings export and cut it in two parts."""
import pandas as pd
from sklearn.model_selection import train_test_split


def cut(path="data/bookings.csv"):
    bookings = pd.read_csv(path).drop(columns=["booking_id"])
    head, tail = train_test_split(bookings, test_size=0.2, stratify=bookings["kept"], random_state=17)
    head.to_csv("artifacts/part_a.csv", index=False)
    tail.to_csv("artifacts/part_b.csv", index=False)
    return "artifacts/part_a.csv", "artifacts/part_b.csv"
