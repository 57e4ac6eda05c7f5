import numpy as np
import pandas as pd
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import KFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, PolynomialFeatures, StandardScaler

plots = pd.read_csv("plots.csv")
raw = plots[["rain_mm", "sun_hours", "nitrogen"]].to_numpy()
# both steps are row by row: no statistic of the data is learned
expanded = PolynomialFeatures(degree=2, include_bias=False).fit_transform(raw)
expanded = FunctionTransformer(np.log1p).fit_transform(expanded)
tonnes = plots["yield_t"].to_numpy()
e_a, e_b, t_a, t_b = train_test_split(expanded, tonnes, test_size=0.2, random_state=6)
model = make_pipeline(StandardScaler(), Ridge(alpha=3.0)).fit(e_a, t_a)
print(mean_absolute_error(t_b, model.predict(e_b)), mean_absolute_error(t_b, DummyRegressor().fit(e_a, t_a).predict(e_b)))
print(cross_val_score(make_pipeline(StandardScaler(), Ridge()), e_a, t_a, cv=KFold(5, shuffle=True, random_state=6)))
