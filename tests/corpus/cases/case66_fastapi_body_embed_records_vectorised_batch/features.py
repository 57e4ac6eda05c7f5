"""Invoice features (training imports the same module)."""
import numpy as np
import pandas as pd

FEATURES = ["log_amount", "amount_to_credit_limit", "days_to_due", "paid_late_ratio", "open_invoices"]


def invoice_features(invoices: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=invoices.index)
    out["log_amount"] = np.log(invoices["amount"])
    out["amount_to_credit_limit"] = invoices["amount"] / invoices["credit_limit"]
    out["days_to_due"] = invoices["days_to_due"]
    out["paid_late_ratio"] = invoices["invoices_paid_late"] / invoices["invoices_paid"]
    out["open_invoices"] = invoices["open_invoices"]
    return out[FEATURES]
