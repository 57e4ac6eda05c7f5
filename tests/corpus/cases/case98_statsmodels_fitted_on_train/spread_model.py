import pandas as pd
import statsmodels.api as sm
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import KFold, train_test_split

loans = pd.read_csv("loan_rates.csv")
design = sm.add_constant(loans[["ltv", "fico", "term_months"]])
spread = loans["spread_bp"]
d_a, d_b, s_a, s_b = train_test_split(design, spread, test_size=0.25, random_state=2)
ols = sm.OLS(s_a, d_a).fit()
flat = pd.Series(s_a.mean(), index=s_b.index)
print("MAE", mean_absolute_error(s_b, ols.predict(d_b)), "flat", mean_absolute_error(s_b, flat))
fold_errors = []
for fit_rows, check_rows in KFold(5, shuffle=True, random_state=2).split(d_a):
    fold = sm.OLS(s_a.iloc[fit_rows], d_a.iloc[fit_rows]).fit()
    fold_errors.append(mean_absolute_error(s_a.iloc[check_rows], fold.predict(d_a.iloc[check_rows])))
print("cv", fold_errors)
