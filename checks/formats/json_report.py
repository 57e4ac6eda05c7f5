"""JSON format: the contract of `shared/spec/output.md`, exactly as the data model dumps it.

Laid out one list item per line (each item written by the C encoder), which reads well in a
terminal and a diff and is several times faster on big reviews than `json.dumps(..., indent=2)`,
whose indentation runs the encoder in Python."""
from __future__ import annotations

import json

from wicked_data.checks.models import Review


def render(review: Review) -> str:
    parts = []
    for key, value in review.to_json_dict().items():
        name = json.dumps(key)
        if isinstance(value, list) and value:
            items = ",\n".join("    " + json.dumps(item) for item in value)
            parts.append(f"  {name}: [\n{items}\n  ]")
        else:
            parts.append(f"  {name}: {json.dumps(value)}")
    return "{\n" + ",\n".join(parts) + "\n}"
