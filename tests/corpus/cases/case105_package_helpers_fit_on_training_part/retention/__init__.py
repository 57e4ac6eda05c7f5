"""Helpers for the retention model."""
