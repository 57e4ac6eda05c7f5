"""A small network that flags patients likely to come back within 30 days."""
import numpy as np
import pandas as pd
import torch
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn

stays = pd.read_csv("discharges.csv")
columns = ["age", "length_of_stay", "prior_visits", "n_medications", "n_diagnoses"]
fit_rows, held_rows = train_test_split(stays, test_size=0.25, random_state=3, stratify=stays["back_within_30d"])
scaler = StandardScaler().fit(fit_rows[columns])
x_fit = torch.tensor(scaler.transform(fit_rows[columns]), dtype=torch.float32)
x_held = torch.tensor(scaler.transform(held_rows[columns]), dtype=torch.float32)
t_fit = torch.tensor(fit_rows["back_within_30d"].to_numpy(), dtype=torch.long)
t_held = torch.tensor(held_rows["back_within_30d"].to_numpy(), dtype=torch.long)

torch.manual_seed(3)
clinic_net = nn.Sequential(nn.Linear(len(columns), 32), nn.ReLU(), nn.Linear(32, 2))
criterion = nn.CrossEntropyLoss()
step = torch.optim.Adam(clinic_net.parameters(), lr=1e-3)
for epoch in range(200):
    step.zero_grad()
    loss = criterion(clinic_net(x_fit), t_fit)
    loss.backward()
    step.step()
    if epoch % 50 == 0:
        seen = (clinic_net(x_fit).argmax(dim=1) == t_fit).float().mean()
        print(epoch, round(loss.item(), 4), round(seen.item(), 3))

clinic_net.eval()
with torch.no_grad():
    guesses = clinic_net(x_held).argmax(dim=1)
hits = (guesses == t_held).sum().item() / len(t_held)
print("held-out accuracy:", np.round(hits, 3))
