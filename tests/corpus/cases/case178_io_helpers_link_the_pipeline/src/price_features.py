"""Relative-price features for each product and week."""
import pandas as pd

from store import get_table, put_table


def main():
    weekly = get_table("data/weekly_prices.parquet")
    by_item = weekly.groupby("item_id")["price"]
    weekly["price_vs_item_mean"] = weekly["price"] / by_item.transform("mean")
    weekly["price_vs_item_peak"] = weekly["price"] / by_item.transform("max")
    weekly["promo_depth"] = (weekly["list_price"] - weekly["price"]) / weekly["list_price"]
    put_table(weekly, "feats/price_features.parquet")


if __name__ == "__main__":
    main()
