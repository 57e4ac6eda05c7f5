"""Next-day store sales forecast."""
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_absolute_percentage_error
from sklearn.model_selection import train_test_split

sales = pd.read_csv("data/store_daily_sales.csv", parse_dates=["date"])
sales = sales.sort_values(["store_id", "date"])

# a few stores have gaps in the feed
sales["units"] = sales.groupby("store_id")["units"].bfill()

by_store = sales.groupby("store_id")["units"]
sales["lag_1"] = by_store.shift(1)
sales["lag_7"] = by_store.shift(7)
sales["avg_7"] = by_store.transform(lambda s: s.rolling(7, center=True).mean())

sales["next_week_avg"] = by_store.transform(lambda s: s.shift(-7).rolling(7).mean())
sales["dow"] = sales["date"].dt.dayofweek
sales["promo"] = sales["promo"].astype(int)
sales = sales.dropna()

X = sales[["lag_1", "lag_7", "avg_7", "next_week_avg", "dow", "promo", "store_id"]]
y = sales["units"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)

rf = RandomForestRegressor(n_estimators=300, min_samples_leaf=5, random_state=0)
rf.fit(X_train, y_train)
print("MAPE:", mean_absolute_percentage_error(y_test, rf.predict(X_test)))
