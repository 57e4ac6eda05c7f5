"""Readmission risk for a batch of patients about to be discharged."""
import torch
from fastapi import FastAPI
from pydantic import BaseModel, Field

from model_def import RiskNet

app = FastAPI()


class Patient(BaseModel):
    age: int = Field(ge=0, le=120)
    n_prior_admissions: int = Field(ge=0)
    length_of_stay: float = Field(ge=0)
    n_medications: int = Field(ge=0)
    n_diagnoses: int = Field(ge=0)
    lab_abnormal_count: int = Field(ge=0)


class Batch(BaseModel):
    patients: list[Patient] = Field(min_length=1, max_length=500)


@app.post("/risk")
def risk(batch: Batch) -> dict:
    net = RiskNet()
    net.load_state_dict(torch.load("/home/mlops/artifacts/risknet.pt"))
    net.eval()
    x = torch.tensor([[p.age, p.n_prior_admissions, p.length_of_stay, p.n_medications,
                       p.n_diagnoses, p.lab_abnormal_count] for p in batch.patients], dtype=torch.float32)
    x = (x - x.mean(dim=0)) / (x.std(dim=0) + 1e-6)
    with torch.no_grad():
        probs = torch.sigmoid(net(x)).tolist()
    return {"risk": probs}
