"""Fit a rent model on flats joined with their viewing counts."""
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import KFold, cross_val_score, train_test_split

flats = pd.read_parquet("flats.parquet")
visits = pd.read_parquet("visits.parquet")

per_flat = visits.groupby("flat_ref").agg(n_visits=("visit_ref", "count"), n_offers=("offer", "sum")).reset_index()
table = flats.merge(per_flat, on="flat_ref", how="left").fillna(0)

by_quarter = table.pivot_table(index="quarter", columns="district", values="rent", aggfunc="median").fillna(0)
by_quarter.plot(title="median rent by district")
plt.savefig("rent_by_district.png")

inputs = ["area_m2", "rooms", "floor", "n_visits", "n_offers"]
a_tr, a_te, b_tr, b_te = train_test_split(table[inputs], table["rent"], test_size=0.25, random_state=11)
reg = HistGradientBoostingRegressor(random_state=11)
print(cross_val_score(reg, a_tr, b_tr, cv=KFold(5, shuffle=True, random_state=11), scoring="r2").mean())
reg.fit(a_tr, b_tr)
guess = reg.predict(a_te)
print("MAE", mean_absolute_error(b_te, guess), "R2", r2_score(b_te, guess))
