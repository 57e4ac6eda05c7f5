"""statsmodels and Prophet: models built from the data and fitted with `.fit()`."""
from wicked_data.checks.analysis.libraries.table import Library, rows

_API = "statsmodels.api."

LIBRARY = Library("statsmodels", "statsmodels models", (
    *rows("classifier", _API + "Logit", _API + "Probit", _API + "MNLogit",
          "statsmodels.formula.api.logit", "statsmodels.formula.api.probit"),
    *rows("regressor", _API + "OLS", _API + "WLS", _API + "GLS", _API + "GLM", _API + "QuantReg",
          "statsmodels.formula.api.ols", "statsmodels.formula.api.glm",
          "statsmodels.tsa.arima.model.ARIMA", "statsmodels.tsa.statespace.sarimax.SARIMAX",
          "statsmodels.tsa.holtwinters.ExponentialSmoothing", "statsmodels.tsa.api.VAR"),
), modelled="partial",
    unseen="the data a model is built from is taken from its constructor (sm.OLS(y, X)); formula models "
           "(smf.ols('y ~ x', data=df)) are read without their formula's columns")
PROPHET = Library("prophet", "Prophet forecasters", (
    *rows("regressor", "prophet.Prophet", "fbprophet.Prophet"),
), modelled="partial", unseen="make_future_dataframe and the forecast's columns are read as unknown calls")
# Models that take the label as a column of the frame given to `fit` (Prophet learns `y` over `ds`).
LABEL_COLUMNS = {"prophet.Prophet": "y", "fbprophet.Prophet": "y"}
