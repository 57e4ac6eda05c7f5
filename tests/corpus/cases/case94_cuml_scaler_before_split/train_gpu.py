import cudf
from cuml.ensemble import RandomForestRegressor
from cuml.metrics import mean_squared_error
from cuml.model_selection import train_test_split
from cuml.preprocessing import StandardScaler

trips = cudf.read_parquet("taxi_trips.parquet")
X = trips[["distance_km", "pickup_hour", "passengers"]]
fare = trips["fare"]
X = StandardScaler().fit_transform(X)
X_a, X_b, fare_a, fare_b = train_test_split(X, fare, test_size=0.2, random_state=0)
forest = RandomForestRegressor(n_estimators=200).fit(X_a, fare_a)
print(mean_squared_error(fare_b, forest.predict(X_b)))
