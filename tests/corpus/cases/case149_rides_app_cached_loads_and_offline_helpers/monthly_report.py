"""python monthly_report.py trips-2024-05.parquet: print last month's fare errors."""
import sys

import joblib
import pandas as pd

from fares import FareReport, great_circle

if __name__ == "__main__":
    month = pd.read_parquet(sys.argv[1])
    month["km"] = great_circle(month["pick_lat"], month["pick_lon"], month["drop_lat"], month["drop_lon"])
    print(FareReport(joblib.load("fare_model.joblib"), month).errors())
