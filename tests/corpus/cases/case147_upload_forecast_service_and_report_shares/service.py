"""Upload last month's shop sales as CSV files; get each item's forecast back."""
import io
from typing import List

import pandas as pd
import skops.io as sio
from fastapi import FastAPI, File, Form, HTTPException, UploadFile

app = FastAPI()
forecaster = sio.load("weekly_units.skops", trusted=["sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingRegressor"])
COLUMNS = ["units_lag_1", "units_lag_7", "price", "promo"]


def _frames(uploads: List[UploadFile]) -> pd.DataFrame:
    parts = []
    for upload in uploads:
        try:
            parts.append(pd.read_csv(io.BytesIO(upload.file.read())))
        except (pd.errors.ParserError, UnicodeDecodeError) as err:
            raise HTTPException(status_code=422, detail=f"{upload.filename}: {err}") from err
    return pd.concat(parts, ignore_index=True)


@app.post("/forecast")
async def forecast(sheets: List[UploadFile] = File(...), horizon_days: int = Form(..., ge=1, le=28)):
    sales = _frames(sheets)
    missing = [c for c in COLUMNS if c not in sales.columns]
    if missing:
        raise HTTPException(status_code=422, detail=f"missing columns: {missing}")
    rows = sales[COLUMNS].apply(pd.to_numeric, errors="coerce").dropna()
    return {"horizon_days": horizon_days, "units": forecaster.predict(rows).round(1).tolist()}
