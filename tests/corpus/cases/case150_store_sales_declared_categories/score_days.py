"""Score tomorrow's store-days for the replenishment planner."""
import sys

import joblib
import pandas as pd

from prep import DAYS, KINDS, shape

bundle = joblib.load("sales_reg.joblib")


def score(path_in, path_out):
    days = pd.read_csv(path_in)
    days.fillna(0, inplace=True)
    days["kind"] = pd.Categorical(days["kind"], categories=KINDS)
    days["day_off"] = pd.Categorical(days["day_off"].astype(str), categories=DAYS)
    table = pd.get_dummies(shape(days).drop(columns=["day"]), drop_first=True)
    table = table.reindex(columns=bundle["columns"], fill_value=0)
    days["sales_forecast"] = bundle["model"].predict(table)
    days.to_csv(path_out, index=False)


if __name__ == "__main__":
    score(sys.argv[1], sys.argv[2])
