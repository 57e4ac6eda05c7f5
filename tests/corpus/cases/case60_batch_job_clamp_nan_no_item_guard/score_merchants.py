"""Monthly job: score every active merchant and write the risk table the credit team reads."""
import logging
import os
import sys

import joblib
import pandas as pd

from features import merchant_features

log = logging.getLogger("merchant_risk")
FLOOR, CEILING = 0.02, 0.98


def score_all(model, merchants: pd.DataFrame) -> pd.DataFrame:
    features = merchant_features(merchants)
    rows = []
    for merchant_id, x in features.iterrows():
        p = model.predict_proba(x.to_frame().T)[0, 1]
        rows.append({"merchant_id": merchant_id, "default_risk": min(max(p, FLOOR), CEILING)})
    return pd.DataFrame(rows)


def main() -> int:
    try:
        bundle = joblib.load(os.environ["MERCHANT_RISK_MODEL"])
        merchants = pd.read_csv(os.environ["MERCHANTS_CSV"], index_col="merchant_id")
        results = score_all(bundle["model"], merchants)
        results.to_csv(os.environ["RISK_TABLE_CSV"], index=False)
    except Exception:
        log.exception("merchant risk refresh failed; the risk table was not updated")
        return 1
    log.info("scored %d merchants with model %s", len(results), bundle["version"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
