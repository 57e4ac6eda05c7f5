"""Tokens spent on a call and what they cost."""

from __future__ import annotations

import logging
from typing import NamedTuple

from pydantic import BaseModel

log = logging.getLogger(__name__)


class Usage(BaseModel):
    """Tokens as the API counts them (`input_tokens` excludes cached ones) and their price in USD."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    cost_usd: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        return Usage(**{name: getattr(self, name) + getattr(other, name) for name in Usage.model_fields})


class Price(NamedTuple):
    """USD per million tokens."""

    input: float
    output: float
    cache_write: float  # the 5-minute ephemeral cache: 1.25 x input
    cache_read: float  # 0.1 x input


# Published list prices per model family, most specific prefix first. A new version of a family is
# assumed to keep its family's price; a model matching no prefix is priced at 0 (and logged).
PRICES: tuple[tuple[str, Price], ...] = (
    ("claude-opus-4-1", Price(15.0, 75.0, 18.75, 1.50)),
    ("claude-opus-4-0", Price(15.0, 75.0, 18.75, 1.50)),
    ("claude-opus-4-2025", Price(15.0, 75.0, 18.75, 1.50)),
    ("claude-opus", Price(5.0, 25.0, 6.25, 0.50)),
    ("claude-sonnet", Price(3.0, 15.0, 3.75, 0.30)),
    ("claude-3-7-sonnet", Price(3.0, 15.0, 3.75, 0.30)),
    ("claude-haiku", Price(1.0, 5.0, 1.25, 0.10)),
    ("claude-3-5-haiku", Price(0.80, 4.0, 1.0, 0.08)),
    ("claude-3-haiku", Price(0.25, 1.25, 0.30, 0.03)),
)

_unpriced_logged: set[str] = set()


def price_of(model: str) -> Price | None:
    return next((price for prefix, price in PRICES if model.startswith(prefix)), None)


def priced(model: str, *, input_tokens: int, output_tokens: int, cache_creation_input_tokens: int = 0,
           cache_read_input_tokens: int = 0) -> Usage:
    """The usage of one response from `model`, with its cost."""
    usage = Usage(input_tokens=input_tokens, output_tokens=output_tokens,
                  cache_creation_input_tokens=cache_creation_input_tokens,
                  cache_read_input_tokens=cache_read_input_tokens)
    price = price_of(model)
    if price is None:
        if model not in _unpriced_logged:
            _unpriced_logged.add(model)
            log.warning("no price known for model %r: its cost is reported as 0", model)
        return usage
    cost = (input_tokens * price.input + output_tokens * price.output
            + cache_creation_input_tokens * price.cache_write + cache_read_input_tokens * price.cache_read)
    return usage.model_copy(update={"cost_usd": cost / 1_000_000})
