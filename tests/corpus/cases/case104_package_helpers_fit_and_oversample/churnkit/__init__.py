"""Helpers shared by the telecom churn experiments."""
