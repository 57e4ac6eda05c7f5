"""Next-week loaves per bakery and product, from weekly sales and the order book."""
import lightgbm as lgb
import pandas as pd


class WeeklyDemand:
    def shape(self, sales: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
        weekly = sales.pivot_table(index=["bakery", "product"], columns="week", values="loaves", aggfunc="sum")
        weekly = weekly.fillna(0).stack().rename("loaves").reset_index()
        orders["units"] = pd.to_numeric(orders.get("units"), errors="coerce").fillna(0)
        for key in ["bakery", "product"]:
            orders[key] = pd.to_numeric(orders[key], errors="coerce").fillna(-1).astype(int)
        table = weekly.merge(orders.groupby(["bakery", "product", "week"], as_index=False)["units"].sum(),
                             on=["bakery", "product", "week"], how="left")
        table["units"] = table["units"].fillna(0)
        grouped = table.groupby(["bakery", "product"])["loaves"]
        table["loaves_lag1"] = grouped.shift(1)
        table["loaves_lag4_mean"] = grouped.transform(lambda s: s.shift(1).rolling(4).mean())
        table["loaves_next"] = grouped.shift(-1)
        return table.dropna(subset=["loaves_next", "loaves_lag4_mean"])

    def matrices(self, table: pd.DataFrame):
        leave_out = ["bakery", "product", "week", "loaves_next"]
        inputs = [c for c in table.columns if c not in leave_out]
        return table[inputs], table["loaves_next"]

    def fit(self, inputs, answers):
        self.model = lgb.LGBMRegressor(n_estimators=400, learning_rate=0.05).fit(inputs, answers)
        return self.model
