"""Train the readmission-risk network on the discharge extract."""
import numpy as np
import pandas as pd
import torch
from sklearn.dummy import DummyClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from model_def import RiskNet

COLS = ["age", "n_prior_admissions", "length_of_stay", "n_medications", "n_diagnoses", "lab_abnormal_count"]

df = pd.read_csv("data/discharges.csv")
X = df[COLS].to_numpy(dtype=np.float32)
y = df["readmitted_30d"].to_numpy(dtype=np.float32)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=2)

mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1e-6
torch.manual_seed(2)
net = RiskNet()
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor((1 - y_train.mean()) / y_train.mean()))
xt, yt = torch.from_numpy((X_train - mean) / std), torch.from_numpy(y_train)
for epoch in range(30):
    for idx in torch.randperm(len(xt)).split(256):
        opt.zero_grad()
        loss_fn(net(xt[idx]), yt[idx]).backward()
        opt.step()

net.eval()
with torch.no_grad():
    p = torch.sigmoid(net(torch.from_numpy((X_test - mean) / std))).numpy()
dummy = DummyClassifier(strategy="prior").fit(X_train, y_train)
print("test auc", roc_auc_score(y_test, p), "baseline", roc_auc_score(y_test, dummy.predict_proba(X_test)[:, 1]))

torch.save(net.state_dict(), "/home/mlops/artifacts/risknet.pt")
