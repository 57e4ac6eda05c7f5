"""JSON format: the contract of `shared/spec/output.md`, exactly as the data model dumps it."""
from __future__ import annotations

import json

from checks.models import Review


def render(review: Review) -> str:
    return json.dumps(review.to_json_dict(), indent=2)
