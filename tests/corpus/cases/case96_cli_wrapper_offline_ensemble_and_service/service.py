import logging
import os

import lightgbm as lgb
import pandas as pd
from fastapi import FastAPI
from pydantic import BaseModel, Field

COLUMNS = ["tenure_months", "monthly_spend", "support_calls"]
log = logging.getLogger("leave-api")
app = FastAPI()


class Account(BaseModel):
    tenure_months: int = Field(ge=0)
    monthly_spend: float = Field(ge=0)
    support_calls: int = Field(ge=0)


class Holder:
    def __init__(self):
        self.model = None

    def get(self):
        if self.model is None:
            self.model = lgb.Booster(model_file=os.environ["MODEL_FILE"])
        return self.model


holder = Holder()


@app.get("/health")
def health():
    return {"ok": True}


@app.post("/leave-probability")
def leave_probability(account: Account):
    try:
        p = float(holder.get().predict(pd.DataFrame([account.model_dump()])[COLUMNS])[0])
    except Exception:
        log.exception("scoring failed")
        raise
    log.info("p_leave=%.3f", p)
    return {"p_leave": p, "model_version": os.environ["MODEL_VERSION"]}
