"""Reading and writing the pipeline's tables and run records."""
import json

import pandas as pd


def put_table(frame, where):
    frame.to_parquet(where, index=False)


def get_table(where):
    return pd.read_parquet(where)


def keep_record(values, where):
    with open(where, "w") as handle:
        json.dump(values, handle, indent=2)
