"""Small network for the app-install propensity score."""
import numpy as np
import pandas as pd
import torch
from sklearn.metrics import average_precision_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

events = pd.read_parquet("install_events.parquet")
features = torch.tensor(events[["sessions_7d", "minutes_7d", "push_opt_in", "os_major"]].to_numpy(np.float32))
installed = torch.tensor(events["installed"].to_numpy(np.float32))

train_ds = TensorDataset(features, installed)
valid_ds = TensorDataset(features, installed)
train_dl = DataLoader(train_ds, batch_size=1024, shuffle=True)
valid_dl = DataLoader(valid_ds, batch_size=4096)

net = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 1))
optimiser = torch.optim.AdamW(net.parameters(), lr=3e-3)
criterion = nn.BCEWithLogitsLoss(pos_weight=torch.tensor(8.0))
best = 0.0
for epoch in range(30):
    net.train()
    for xb, yb in train_dl:
        optimiser.zero_grad()
        criterion(net(xb).squeeze(1), yb).backward()
        optimiser.step()
    net.eval()
    with torch.no_grad():
        probs = torch.cat([torch.sigmoid(net(xb).squeeze(1)) for xb, _ in valid_dl]).numpy()
        labels = torch.cat([yb for _, yb in valid_dl]).numpy()
    ap = average_precision_score(labels, probs)
    if ap > best:
        best = ap
        torch.save(net.state_dict(), "propensity_net.pt")
print("best validation AP", best)
