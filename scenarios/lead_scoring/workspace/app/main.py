"""FastAPI application of the lead scoring service."""
import logging
import os
from pathlib import Path

import yaml
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.pipeline import init_pipeline
from app.routes import router

CONFIG_PATH = Path(os.environ.get("LEADSCORE_CONFIG", "config.yaml"))
with CONFIG_PATH.open() as fh:
    SETTINGS = yaml.safe_load(fh)

logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"))

app = FastAPI(title=SETTINGS["service"]["name"], version="2.3.0")
app.add_middleware(
    CORSMiddleware,
    allow_origins=os.environ.get("CORS_ORIGINS", "http://localhost:3000").split(","),
    allow_methods=["GET", "POST"],
    allow_headers=["*"],
)

init_pipeline(
    model_dir=Path(os.environ.get("MODEL_DIR", SETTINGS["model"]["directory"])),
    prefix=SETTINGS["model"]["prefix"],
)
app.include_router(router, prefix=SETTINGS["service"]["api_prefix"])
