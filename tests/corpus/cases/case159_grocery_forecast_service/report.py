"""Weekly accuracy report of the basket forecasts, by store format."""
import pandas as pd


def accuracy_by_format(model, table: pd.DataFrame) -> pd.DataFrame:
    scored = table.assign(forecast=model.predict(table.drop(columns=["baskets", "format"])))
    scored["abs_err"] = (scored["forecast"] - scored["baskets"]).abs()
    rows = []
    for kind, part in scored.groupby("format"):
        rows.append({"format": kind, "mae": part["abs_err"].mean(),
                     "error_share": part["abs_err"].sum() / part["baskets"].sum(),
                     "bias": part["forecast"].mean() / part["baskets"].mean() - 1})
    return pd.DataFrame(rows)
