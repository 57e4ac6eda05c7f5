"""Daily kiosk sales: a gradient-boosted regressor on calendar and lag features."""
import lightgbm as lgb
import numpy as np
import pandas as pd

sales = pd.read_parquet("kiosk_sales.parquet", columns=["day", "kiosk", "units", "lag_7", "lag_28", "dow"])
sales["day"] = pd.to_datetime(sales["day"])
inputs = ["kiosk", "lag_7", "lag_28", "dow"]

boundary = pd.Timestamp("2024-01-01")
early = sales[sales["day"] < boundary].copy()
late = sales[sales["day"] >= boundary].copy()


def pct_error(truth, guess):
    truth = np.asarray(truth, dtype=float)
    guess = np.asarray(guess, dtype=float)
    return 100 * np.mean(np.abs(guess - truth) / np.maximum(np.abs(truth), 1.0))


booster = lgb.LGBMRegressor(n_estimators=4000, learning_rate=0.03, random_state=3)
booster.fit(early[inputs], early["units"], eval_set=[(late[inputs], late["units"])],
            callbacks=[lgb.early_stopping(100)])
print("held-out error %:", pct_error(late["units"], booster.predict(late[inputs])))
