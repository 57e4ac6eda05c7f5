"""Request and response models of the renewal API."""
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field


class Subscription(BaseModel):
    subscription_id: str = Field(min_length=1, max_length=64)
    as_of: date
    started_on: date
    last_login_on: date
    monthly_fee: float = Field(ge=0, le=100_000)
    logins_90d: int = Field(ge=0)
    seats_used: int = Field(ge=0)
    seats_purchased: int = Field(ge=1)
    tickets_90d: int = Field(ge=0)
    plan: Literal["starter", "team", "business", "enterprise"]
    billing_cycle: Literal["monthly", "annual"]


class ScoreRequest(BaseModel):
    subscriptions: list[Subscription] = Field(min_length=1, max_length=1000)


class SubscriptionScore(BaseModel):
    subscription_id: str
    churn_probability: float | None = None
    error: str | None = None


class ScoreResponse(BaseModel):
    model_version: str
    scores: list[SubscriptionScore]


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    model_loaded: bool
    model_version: str | None = None
    detail: str | None = None
