"""Loan default MLP."""
import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, random_split


class LoanDataset(Dataset):
    def __init__(self, csv_path):
        frame = pd.read_csv(csv_path)
        feats = frame.drop(columns=["loan_id", "defaulted"]).to_numpy(dtype=np.float32)
        self.x = torch.from_numpy((feats - feats.mean(0)) / (feats.std(0) + 1e-6))
        self.y = torch.tensor(frame["defaulted"].to_numpy(), dtype=torch.float32)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, idx):
        return self.x[idx], self.y[idx]


def make_model(n_in):
    return nn.Sequential(nn.Linear(n_in, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 1))


def accuracy(model, loader):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for xb, yb in loader:
            pred = (torch.sigmoid(model(xb).squeeze(1)) > 0.5).float()
            correct += (pred == yb).sum().item()
            total += len(yb)
    return correct / total


def main():
    data = LoanDataset("data/loans.csv")
    n_test = len(data) // 5
    train_set, test_set = random_split(data, [len(data) - n_test, n_test])
    train_loader = DataLoader(train_set, batch_size=256, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=1024)

    model = make_model(data.x.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    best_acc, bad_epochs = 0.0, 0
    for epoch in range(100):
        model.train()
        for xb, yb in train_loader:
            opt.zero_grad()
            loss = loss_fn(model(xb).squeeze(1), yb)
            loss.backward()
            opt.step()
        test_acc = accuracy(model, test_loader)
        print(f"epoch {epoch} loss {loss.item():.4f} test acc {test_acc:.4f}")
        if test_acc > best_acc:
            best_acc, bad_epochs = test_acc, 0
            torch.save(model.state_dict(), "best_mlp.pt")
        else:
            bad_epochs += 1
            if bad_epochs == 5:
                break

    print(f"best test accuracy: {best_acc:.4f}")


if __name__ == "__main__":
    main()
