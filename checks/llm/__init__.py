"""The LLM client: structured answers from Claude, with retries, costs and record/replay.

Everything an LLM writes is optional: `LLMClient.from_env()` is None without a key, and every
failure is an `LLMError` whose `kind` says why, so callers fall back to their deterministic text.
"""

from checks.llm.client import LLMClient
from checks.llm.result import LLMError, LLMResult
from checks.llm.usage import Usage

__all__ = ["LLMClient", "LLMError", "LLMResult", "Usage"]
