"""The ETA network: a plain MLP over the standardised features."""
from __future__ import annotations

import torch
from torch import nn


class EtaNet(nn.Module):
    def __init__(self, n_features: int, hidden_sizes: list[int], dropout: float = 0.1):
        super().__init__()
        layers: list[nn.Module] = []
        width = n_features
        for hidden in hidden_sizes:
            layers += [nn.Linear(width, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(dropout)]
            width = hidden
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # delivery times are positive: predict in log space would complicate the loss, so clamp
        return torch.clamp(self.net(x), min=1.0)
