"""Fits the weekly units model with the rounds the tuning run recorded."""
import json
from datetime import date

import lightgbm as lgb

from store import get_table

INPUTS = ["price_vs_item_mean", "price_vs_item_peak", "promo_depth", "week_of_year"]


def main():
    with open("configs/weekly_rounds.json") as handle:
        rounds = json.load(handle)
    table = get_table("feats/price_features.parquet")
    booster = lgb.train({"objective": "poisson", "learning_rate": rounds["learning_rate"]},
                        lgb.Dataset(table[INPUTS], label=table["units"]),
                        num_boost_round=rounds["num_boost_round"])
    booster.save_model(f"models/weekly_units_{date.today():%Y%m%d}.txt")


if __name__ == "__main__":
    main()
