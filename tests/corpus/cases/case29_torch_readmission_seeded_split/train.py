"""Readmission MLP: seeded train/val/test split; early stopping and threshold use the val split only."""
from datetime import datetime

import numpy as np
import torch
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score
from torch import nn
from torch.utils.data import DataLoader, random_split

from data import EncounterTable, load_arrays

torch.manual_seed(0)
print("run started", datetime.utcnow().isoformat(timespec="seconds"))
features, labels = load_arrays("data/encounters.parquet")
full = EncounterTable(features, labels)
train_set, val_set, test_set = random_split(full, [0.7, 0.15, 0.15], generator=torch.Generator().manual_seed(0))

# normalisation statistics from the training subset only
train_x = full.features[train_set.indices]
mu, sigma = train_x.mean(0), train_x.std(0) + 1e-6
full.features = (full.features - mu) / sigma

pos_rate = full.labels[train_set.indices].mean().item()
model = nn.Sequential(nn.Linear(features.shape[1], 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 1))
loss_fn = nn.BCEWithLogitsLoss(pos_weight=torch.tensor((1 - pos_rate) / pos_rate))
opt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=1e-4)
train_loader = DataLoader(train_set, batch_size=256, shuffle=True)


def logits_of(subset):
    model.eval()
    with torch.no_grad():
        return model(full.features[subset.indices]).squeeze(1), full.labels[subset.indices]


best_val, best_state, patience = np.inf, None, 0
for epoch in range(200):
    model.train()
    for xb, yb in train_loader:
        opt.zero_grad()
        loss = loss_fn(model(xb).squeeze(1), yb)
        loss.backward()
        opt.step()
    val_logits, val_y = logits_of(val_set)
    val_loss = loss_fn(val_logits, val_y).item()
    if val_loss < best_val - 1e-4:
        best_val, best_state, patience = val_loss, {k: v.clone() for k, v in model.state_dict().items()}, 0
    else:
        patience += 1
        if patience >= 10:
            break
model.load_state_dict(best_state)

# decision threshold from the validation split: best F1
val_logits, val_y = logits_of(val_set)
val_p, val_y = torch.sigmoid(val_logits).numpy(), val_y.numpy()
candidates = np.linspace(0.05, 0.95, 91)
threshold = candidates[np.argmax([f1_score(val_y, val_p >= t) for t in candidates])]

test_logits, test_y = logits_of(test_set)
test_p, test_y = torch.sigmoid(test_logits).numpy(), test_y.numpy()
print(f"test ROC AUC {roc_auc_score(test_y, test_p):.3f}  PR AUC {average_precision_score(test_y, test_p):.3f}")
print(f"test F1 at the validation threshold {threshold:.2f}: {f1_score(test_y, test_p >= threshold):.3f}")
# baselines: a constant score (PR AUC = prevalence) and the "flag everyone" rule
print(f"baseline PR AUC {test_y.mean():.3f}; flag-everyone F1 {f1_score(test_y, np.ones_like(test_y)):.3f}")
