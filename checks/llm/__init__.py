"""The LLM client: structured answers from Claude, with retries, costs and record/replay.

Everything an LLM writes is optional: `client_from_env()` (like `LLMClient.from_env()`) is None
without a key, and every failure is an `LLMError` whose `kind` says why, so callers fall back to
their deterministic text. The Anthropic SDK is a heavy import: it is loaded only when a client is
actually made (`LLMClient` is imported on first use).
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from wicked_data.checks.llm.result import LLMError, LLMResult
from wicked_data.checks.llm.usage import Usage

if TYPE_CHECKING:
    from wicked_data.checks.llm.client import LLMClient

__all__ = ["LLMClient", "LLMError", "LLMResult", "Usage", "client_from_env"]


def client_from_env(**kw: Any) -> "LLMClient | None":
    """A client when `ANTHROPIC_API_KEY` (or `api_key=`) or a replay file is given, else None,
    without importing the SDK in that case."""
    if not (kw.get("api_key") or os.environ.get("ANTHROPIC_API_KEY")) and kw.get("replay") is None:
        return None
    from wicked_data.checks.llm.client import LLMClient

    return LLMClient(**kw)


def __getattr__(name: str):
    if name == "LLMClient":
        from wicked_data.checks.llm.client import LLMClient

        return LLMClient
    raise AttributeError(f"module 'wicked_data.checks.llm' has no attribute {name!r}")
