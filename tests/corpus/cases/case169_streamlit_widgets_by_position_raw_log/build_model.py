"""Concrete strength model: the admixture dose is log-scaled, then every input is standardised."""
import joblib
import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.preprocessing import StandardScaler

mixes = pd.read_csv("mixes.csv")
mixes["superplasticizer"] = np.log1p(mixes["superplasticizer"])
recipe = ["cement", "water", "superplasticizer", "age_days"]
standardiser = StandardScaler()
inputs = standardiser.fit_transform(mixes[recipe])
forest = RandomForestRegressor(n_estimators=300, random_state=2)
forest.fit(inputs, mixes["strength_mpa"])
joblib.dump(forest, "forest.joblib")
joblib.dump(standardiser, "standardiser.joblib")
