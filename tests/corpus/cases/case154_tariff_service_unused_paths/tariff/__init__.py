"""Tariff-switch propensity: model bundle and scoring helpers."""
