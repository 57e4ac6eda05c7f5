"""Charts for the monthly review: each item's share of its shop's sales, and how far the private
leaderboard drifts from the public one."""
import matplotlib.pyplot as plt
import pandas as pd


def item_shares(sales: pd.DataFrame) -> dict:
    per_item = sales.groupby(["shop", "item"])["units"].sum().reset_index()
    per_shop = per_item.groupby("shop")["units"].sum().reset_index()
    merged = per_item.merge(per_shop, on="shop", suffixes=("", "_shop"))
    merged["pct"] = merged["units"] / merged["units_shop"] * 100
    return {shop: part for shop, part in merged.groupby("shop")}


def board_drift(board: pd.DataFrame) -> pd.DataFrame:
    table = board.mean().to_frame("gain").reset_index()
    table["side"] = table["index"].str.split("_").str[0]
    table["cut"] = table["index"].str.split("_").str[1]
    table = table.pivot(index="cut", columns="side", values="gain").reset_index()
    table["drift_pct"] = 100 * (table["private"] - table["public"]) / table["public"]
    return table


def draw(shares: dict) -> None:
    for shop, part in shares.items():
        plt.figure()
        plt.pie(part["pct"], labels=part["item"])
        plt.title(shop)
        plt.savefig(f"share_{shop}.png")


if __name__ == "__main__":
    draw(item_shares(pd.read_parquet("/path/to/sales_export.parquet")))
