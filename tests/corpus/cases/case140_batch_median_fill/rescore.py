"""Weekly re-scoring of open invoices."""
import sys

import joblib
import pandas as pd

FIELDS = ["amount", "days_open", "prior_late", "credit_limit"]


def rescore(path: str, bundle_path: str) -> pd.DataFrame:
    bundle = joblib.load(bundle_path)
    book = pd.read_csv(path)
    book["credit_limit"] = book["credit_limit"].fillna(book["credit_limit"].median())
    book["prior_late"] = book["prior_late"].fillna(bundle["fills"]["prior_late"])
    book["p_late"] = bundle["model"].predict_proba(book[FIELDS])[:, 1]
    return book[["invoice_id", "p_late"]]


if __name__ == "__main__":
    rescore(sys.argv[1], sys.argv[2]).to_csv(sys.argv[3], index=False)
