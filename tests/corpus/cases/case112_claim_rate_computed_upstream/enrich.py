"""Adds derived columns to the policy extract before modelling."""
import os

import pandas as pd

OUT = os.environ.get("WORK_DIR", "work")

policies = pd.read_csv(os.path.join(OUT, "policies_raw.csv"))
policies["premium_per_year"] = policies["premium"] / policies["term_years"]
policies["postcode_claim_share"] = policies.groupby("postcode")["had_claim"].transform("mean")
policies["young_driver"] = (policies["driver_age"] < 25).astype(int)
policies.to_csv(os.path.join(OUT, "policies_enriched.csv"), index=False)
