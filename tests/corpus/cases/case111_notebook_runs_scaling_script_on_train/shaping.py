"""Column shaping shared by the loan notebooks."""
from sklearn.preprocessing import QuantileTransformer


def fit_shaper(block):
    return QuantileTransformer(n_quantiles=200, output_distribution="normal").fit(block)
