"""Hospital encounters for the 30-day readmission classifier."""
import numpy as np
import pandas as pd
import torch
from torch.utils.data import Dataset


class EncounterTable(Dataset):
    def __init__(self, features: np.ndarray, labels: np.ndarray):
        self.features = torch.as_tensor(features, dtype=torch.float32)
        self.labels = torch.as_tensor(labels, dtype=torch.float32)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.features[i], self.labels[i]


def load_arrays(path: str):
    frame = pd.read_parquet(path)
    cols = [c for c in frame.columns if c.startswith(("lab_", "dx_", "n_"))] + ["age", "length_of_stay"]
    return frame[cols].to_numpy(np.float32), frame["readmitted_30d"].to_numpy(np.float32)
