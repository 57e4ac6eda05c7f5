"""Defect classifier for solder-joint images (features already extracted)."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split

feats = torch.load("joint_features.pt")
flags = torch.load("joint_flags.pt")
pool = TensorDataset(feats, flags)
kept, spare = random_split(pool, [0.85, 0.15], generator=torch.Generator().manual_seed(3))
stream = DataLoader(kept, batch_size=128, shuffle=True)
net = nn.Sequential(nn.Linear(feats.shape[1], 32), nn.ReLU(), nn.Linear(32, 2))
opt = torch.optim.SGD(net.parameters(), lr=0.05)
crit = nn.CrossEntropyLoss()


def tally(m, batches):
    hits, seen = 0, 0
    with torch.no_grad():
        for xb, yb in batches:
            hits += (m(xb).argmax(dim=1) == yb).sum().item()
            seen += len(yb)
    return hits / seen


for rnd in range(20):
    for xb, yb in stream:
        opt.zero_grad()
        crit(net(xb), yb).backward()
        opt.step()
    print(rnd, tally(net, stream))
