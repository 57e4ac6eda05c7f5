"""Cancellation features for hotel bookings, imported by the training notebook and the API.

lead_time_days and nights come from the booking engine; previous_cancellations counts the guest's
earlier cancelled stays; price_per_night is the total price over the number of nights (a day-use
booking with zero nights counts as one night). Categorical columns are passed as strings and
one-hot encoded inside the saved pipeline.
"""
import pandas as pd

NUMERIC = ["lead_time_days", "nights", "adults", "children", "previous_cancellations", "price_per_night"]
CATEGORICAL = ["channel", "room_type", "deposit_type"]


def booking_frame(bookings: pd.DataFrame) -> pd.DataFrame:
    """Columns the pipeline expects; price per night divides by nights of at least one."""
    out = bookings[["lead_time_days", "nights", "adults", "children", "previous_cancellations"]].astype(float)
    out["price_per_night"] = bookings["total_price"].astype(float) / out["nights"].clip(lower=1)
    for col in CATEGORICAL:
        out[col] = bookings[col].astype(str)
    return out[NUMERIC + CATEGORICAL]
