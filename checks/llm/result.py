"""What a structured call returns, and how it fails."""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel

from wicked_data.checks.llm.usage import Usage

T = TypeVar("T", bound=BaseModel)

ErrorKind = Literal["no-key", "unavailable", "timeout", "invalid-output", "refused"]


class LLMResult(BaseModel, Generic[T]):
    value: T
    usage: Usage
    model: str
    attempts: int  # HTTP attempts, retries included


class LLMError(Exception):
    """A call that gave no usable answer. Callers fall back to the deterministic text.

    `usage` is what was spent before failing; `raw` is the model's output when it did not validate
    (`invalid-output`), for a repair round.
    """

    def __init__(self, kind: ErrorKind, message: str = "", *, usage: Usage | None = None,
                 raw: str | None = None) -> None:
        super().__init__(f"{kind}: {message}" if message else kind)
        self.kind: ErrorKind = kind
        self.message = message
        self.usage = usage or Usage()
        self.raw = raw
