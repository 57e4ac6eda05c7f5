"""Adds derived columns to the policy extract before modelling."""
import os

import pandas as pd

OUT = os.environ.get("WORK_DIR", "work")

policies = pd.read_csv(os.path.join(OUT, "policies_raw.csv"))
last_year = pd.read_csv(os.path.join(OUT, "claims_previous_year.csv"))
share = last_year.groupby("postcode")["had_claim"].mean().rename("postcode_claim_share").reset_index()
policies = policies.merge(share, on="postcode", how="left")
policies["premium_per_year"] = policies["premium"] / policies["term_years"]
policies["young_driver"] = (policies["driver_age"] < 25).astype(int)
policies.to_csv(os.path.join(OUT, "policies_enriched.csv"), index=False)
