"""The LLM path, the same for every generated text: render the prompt, ask for a structured answer,
validate it; on complaints, one repair round that shows the model its answer and the complaints;
if that fails too (or the model is unavailable), the caller uses its deterministic version and the
outcome says why in `notice`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Literal, TypeVar

from pydantic import BaseModel

from wicked_data.checks.remediate.prompts import render

T = TypeVar("T", bound=BaseModel)
Source = Literal["llm", "template"]


@dataclass(kw_only=True)
class Provenance:
    """Who wrote a text, the model or the template; for the template after asking the model, why
    the model's answer was not used. Every generated text (answer, model card, audit narrative)
    carries it."""

    source: Source = "template"
    notice: str | None = None
    usage: Any = None  # checks.llm.Usage, summed over every call made
    complaints: list[str] = field(default_factory=list)  # of the last rejected answer

    def provenance(self) -> dict[str, Any]:
        """These fields, to give a result built from this outcome: `Answer(..., **outcome.provenance())`."""
        return {"source": self.source, "notice": self.notice, "usage": self.usage, "complaints": list(self.complaints)}


@dataclass(kw_only=True)
class Outcome(Provenance, Generic[T]):
    """What the model produced (`value`, validated) or why it was not used (`notice`)."""

    value: T | None
    calls: int = 0
    error: str | None = None  # the LLMError kind that stopped the model, if one did

    @property
    def unreachable(self) -> bool:
        """The model cannot answer now (no key, unavailable, timeout): do not ask it again this run."""
        return self.error in ("no-key", "unavailable", "timeout")


def generate(client, *, task: str, schema: type[T], tool_name: str, tool_description: str,
             validate: Callable[[T], list[str]], max_tokens: int = 4096) -> Outcome[T]:
    """Ask `client` for a `schema` answer to `task`; at most two calls (the answer and one repair)."""
    from wicked_data.checks.llm import LLMError

    system = render("system")
    prompt = task
    outcome: Outcome[T] = Outcome(value=None, source="template")
    for attempt in (1, 2):
        outcome.calls += 1
        try:
            result = client.structured(system=system, prompt=prompt, schema=schema, tool_name=tool_name,
                                       tool_description=tool_description, max_tokens=max_tokens)
        except LLMError as exc:
            outcome.usage = _sum(outcome.usage, getattr(exc, "usage", None))
            if exc.kind == "invalid-output" and attempt == 1:
                outcome.complaints = [f"the answer did not match the tool's input schema: {exc.message}"]
                prompt = render("repair", task=task, previous=str(getattr(exc, "raw", "") or ""),
                                complaints=outcome.complaints)
                continue
            outcome.error = exc.kind
            outcome.notice = f"the model was not used ({exc.kind}: {exc.message or exc.kind}); this is the deterministic version"
            return outcome
        outcome.usage = _sum(outcome.usage, result.usage)
        complaints = validate(result.value)
        if not complaints:
            outcome.value, outcome.source, outcome.complaints = result.value, "llm", []
            return outcome
        outcome.complaints = complaints
        prompt = render("repair", task=task, previous=result.value.model_dump_json(indent=2), complaints=complaints)
    outcome.notice = (f"the model's answer failed validation after one repair round ({'; '.join(outcome.complaints)}); "
                      "this is the deterministic version")
    return outcome


def _sum(total, usage):
    if usage is None:
        return total
    return usage if total is None else total + usage
