"""Train the delivery ETA network.

usage: python -m eta.train --config config.yaml
"""
from __future__ import annotations

import argparse
import logging
from pathlib import Path

import torch
import yaml
from torch import nn
from torch.utils.data import DataLoader, random_split

from eta.data import FEATURES, OrdersDataset, compute_norm_stats, load_orders, save_norm_stats
from eta.model import EtaNet

logger = logging.getLogger("eta.train")


def evaluate(model: nn.Module, loader: DataLoader, device: torch.device) -> float:
    """Mean absolute error in minutes."""
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            pred = model(xb.to(device))
            total += torch.abs(pred - yb.to(device)).sum().item()
            count += len(yb)
    return total / count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="config.yaml")
    args = parser.parse_args()
    cfg = yaml.safe_load(Path(args.config).read_text())
    train_cfg = cfg["training"]
    artifacts = Path(cfg["data"]["artifacts_dir"])
    artifacts.mkdir(parents=True, exist_ok=True)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    orders = load_orders(cfg["data"]["orders_path"])
    logger.info("%d orders from %s to %s", len(orders), orders["checkout_at"].min(), orders["checkout_at"].max())

    stats = compute_norm_stats(orders)
    save_norm_stats(stats, artifacts / "norm_stats.json")
    dataset = OrdersDataset(orders, stats)

    n_val = int(len(dataset) * train_cfg["val_fraction"])
    train_ds, val_ds = random_split(dataset, [len(dataset) - n_val, n_val])
    train_loader = DataLoader(train_ds, batch_size=train_cfg["batch_size"], shuffle=True, drop_last=True)
    val_loader = DataLoader(val_ds, batch_size=train_cfg["batch_size"] * 4)

    model = EtaNet(len(FEATURES), train_cfg["hidden_sizes"], train_cfg["dropout"]).to(device)
    optimiser = torch.optim.AdamW(model.parameters(), lr=train_cfg["learning_rate"],
                                  weight_decay=train_cfg["weight_decay"])
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=train_cfg["epochs"])
    loss_fn = nn.HuberLoss(delta=5.0)

    best_mae = float("inf")
    for epoch in range(train_cfg["epochs"]):
        model.train()
        running = 0.0
        for xb, yb in train_loader:
            xb, yb = xb.to(device), yb.to(device)
            optimiser.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimiser.step()
            running += loss.item() * len(yb)
        scheduler.step()

        mae = evaluate(model, train_loader, device)
        logger.info("epoch %02d loss %.3f mae %.2f min", epoch, running / len(train_ds), mae)
        if mae < best_mae:
            best_mae = mae
            torch.save(model, artifacts / "eta_model.pt")

    logger.info("best MAE %.2f minutes", best_mae)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    main()
