"""Finds how many boosting rounds the weekly model needs, by cross-validation over past years."""
import lightgbm as lgb

from store import get_table, keep_record

INPUTS = ["price_vs_item_mean", "price_vs_item_peak", "promo_depth", "week_of_year"]


def main():
    table = get_table("feats/price_features.parquet")
    past = table[table["year"] < 2024]
    folds = [(past.index[past["year"] < y], past.index[past["year"] == y]) for y in (2021, 2022, 2023)]
    data = lgb.Dataset(past[INPUTS], label=past["units"])
    history = lgb.cv({"objective": "poisson", "learning_rate": 0.05}, data, num_boost_round=5000,
                     folds=folds, callbacks=[lgb.early_stopping(100)])
    best = len(next(iter(history.values())))
    keep_record({"num_boost_round": best, "learning_rate": 0.05}, "configs/weekly_rounds.json")


if __name__ == "__main__":
    main()
