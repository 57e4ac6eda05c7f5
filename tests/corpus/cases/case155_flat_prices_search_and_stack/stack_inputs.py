"""Out-of-fold neighbour estimates, written as inputs for the price stacker."""
import pandas as pd
from sklearn.model_selection import KFold, cross_val_predict
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

flats = pd.read_csv("flats.csv")
where = flats[["lat", "lon"]]
neighbours = make_pipeline(StandardScaler(), KNeighborsRegressor(n_neighbors=15))
nearby = cross_val_predict(neighbours, where, flats["asking_price"], cv=KFold(5, shuffle=True, random_state=2))
pd.DataFrame({"flat_id": flats["flat_id"], "knn_price": nearby}).to_parquet("stack_knn.parquet")
