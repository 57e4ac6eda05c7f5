"""ETA prediction for one order, called by the checkout service."""
from __future__ import annotations

import os

import torch

from eta.data import FEATURES, load_norm_stats

ARTIFACTS = os.environ.get("ETA_ARTIFACTS", "artifacts")


def predict_eta(order: dict) -> float:
    """Minutes from checkout to delivery for ``order`` (a dict with every name in FEATURES)."""
    model = torch.load(os.path.join(ARTIFACTS, "eta_model.pt"), map_location="cpu")
    model.eval()
    stats = load_norm_stats(os.path.join(ARTIFACTS, "norm_stats.json"))

    x = [(float(order[name]) - stats["mean"][name]) / stats["std"][name] for name in FEATURES]
    with torch.no_grad():
        minutes = model(torch.tensor([x], dtype=torch.float32)).item()
    return round(minutes, 1)
