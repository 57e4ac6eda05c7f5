import pandas as pd
import statsmodels.api as sm
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split

loans = pd.read_csv("loan_rates.csv")
design = sm.add_constant(loans[["ltv", "fico", "term_months"]])
spread = loans["spread_bp"]
ols = sm.OLS(spread, design).fit()
d_a, d_b, s_a, s_b = train_test_split(design, spread, test_size=0.25, random_state=2)
print("held-out MAE", mean_absolute_error(s_b, ols.predict(d_b)))
