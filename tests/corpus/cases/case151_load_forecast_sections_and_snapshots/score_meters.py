"""Nightly: score each meter's next day; meters without any reading yet are skipped."""
import sys

import joblib
import pandas as pd

bundle = joblib.load("load_model.joblib")


def run(path_in, path_out):
    meters = pd.read_parquet(path_in)
    meters = meters[meters["readings"] > 0]
    meters["load_per_reading"] = meters["load_mw"] / meters["readings"]
    meters["forecast"] = bundle["model"].predict(meters[bundle["features"]])
    meters.to_parquet(path_out)


if __name__ == "__main__":
    run(sys.argv[1], sys.argv[2])
