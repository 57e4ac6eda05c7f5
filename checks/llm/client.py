"""Structured answers from Claude: one forced tool call, validated with pydantic.

The SDK's own retries are off (`max_retries=0`): the loop here retries 429, 5xx, 529 and lost
connections and unreadable answers with exponential backoff and jitter, honours `retry-after(-ms)` up
to `MAX_WAIT` (a longer one ends the call with a message saying so), and counts the attempts it made.
Each request has a total deadline, answer included; after a timeout or an unreachable API the client
stops asking for `COOL_OFF` seconds (a circuit breaker: a server does not pay the timeout per call). The API key is handed to the SDK and kept nowhere else: not on this
object, not in its repr, not in an error or a log line.
"""

from __future__ import annotations

import email.utils
import itertools
import json
import logging
import os
import random
import time
from pathlib import Path
from typing import Any

import anthropic
import httpx2
from anthropic.types import Message
from pydantic import ValidationError

from wicked_data.checks.llm.replay import ReplayMiss, ReplayTransport
from wicked_data.checks.llm.result import LLMError, LLMResult, T
from wicked_data.checks.llm.usage import Usage, priced

log = logging.getLogger(__name__)

DEFAULT_MODEL = "claude-sonnet-5-5"
MAX_WAIT = 60.0  # seconds: the longest pause between two attempts; a longer retry-after ends the call
COOL_OFF = 120.0  # seconds a client stops asking after the API timed out or was unreachable
REPLAY_KEY = "replay-without-key"  # the SDK insists on a key; a replaying client never sends a request


class LLMClient:
    """A Messages API client for structured output.

    `model`: else `$WICKED_DATA_MODEL`, else `DEFAULT_MODEL`. `base_url`: else `$ANTHROPIC_BASE_URL`.
    `api_key`: else `$ANTHROPIC_API_KEY`. `replay`: a file of recorded exchanges to answer from (no
    network, no key needed); with `record=True` requests go to the API and their answers are saved
    there. `transport`: where requests go instead of the network (a test double); recording
    forwards to it. `backoff`: the first pause between retries, in seconds, doubled each time.
    """

    def __init__(self, model: str | None = None, *, api_key: str | None = None, base_url: str | None = None,
                 timeout: float = 60.0, max_retries: int = 3, replay: Path | None = None, record: bool = False,
                 transport: httpx2.BaseTransport | None = None, backoff: float = 1.0) -> None:
        if record and replay is None:
            raise ValueError("record=True needs a replay file to record into")
        self.model = model or os.environ.get("WICKED_DATA_MODEL") or DEFAULT_MODEL
        self.base_url = base_url or os.environ.get("ANTHROPIC_BASE_URL") or None
        self.timeout = timeout
        self.max_retries = max_retries
        self.replay = replay
        self.record = record
        self.backoff = backoff
        replaying = replay is not None and not record
        key = REPLAY_KEY if replaying else api_key or os.environ.get("ANTHROPIC_API_KEY")
        if not key:
            raise LLMError("no-key", "set ANTHROPIC_API_KEY, or give a replay file")
        if replay is not None:
            transport = ReplayTransport(replay, record_through=(transport or httpx2.HTTPTransport()) if record else None)
        # Every request goes through a total deadline (the SDK's timeout is per read: an answer
        # trickling a byte at a time would never end).
        http_client = anthropic.DefaultHttpxClient(transport=_Deadline(transport or httpx2.HTTPTransport(), timeout))
        self._sdk = anthropic.Anthropic(api_key=key, base_url=self.base_url, timeout=timeout, max_retries=0,
                                        http_client=http_client)
        self._broken: tuple[float, str] | None = None  # (until, why): the circuit is open

    @classmethod
    def from_env(cls, **kw: Any) -> LLMClient | None:
        """A client, or None when there is neither a key nor a replay file (callers then go deterministic)."""
        from wicked_data.checks.llm import client_from_env

        return client_from_env(**kw)

    def __repr__(self) -> str:
        mode = f", replay={str(self.replay)!r}, record={self.record}" if self.replay is not None else ""
        return f"LLMClient(model={self.model!r}, base_url={self.base_url!r}{mode})"

    def structured(self, *, system: str, prompt: str, schema: type[T], tool_name: str, tool_description: str = "",
                   max_tokens: int = 4096, history: list[dict] | None = None) -> LLMResult[T]:
        """Ask for one `schema` instance, through a forced call of the tool `tool_name`.

        `system` and the tool definition are the stable, cached prefix; `history` (earlier turns,
        e.g. a failed answer and the validation errors) goes before `prompt`.
        """
        tool: dict[str, Any] = {"name": tool_name, "input_schema": schema.model_json_schema()}
        if tool_description:
            tool["description"] = tool_description
        message, attempts = self._create(
            model=self.model,
            max_tokens=max_tokens,
            system=[{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}],
            tools=[tool],
            tool_choice={"type": "tool", "name": tool_name},
            messages=[*(history or []), {"role": "user", "content": prompt}],
        )
        usage = _usage(message)
        if message.stop_reason == "refusal":
            raise LLMError("refused", "the model declined to answer", usage=usage)
        value = _validated(message, schema, tool_name, usage)
        return LLMResult[schema](value=value, usage=usage, model=message.model, attempts=attempts)

    def _create(self, **request: Any) -> tuple[Message, int]:
        """One answer and the number of HTTP attempts it took. Errors are raised outside the `except`
        blocks so that they carry no SDK exception (whose request holds the key's header)."""
        if self._broken is not None:
            until, why = self._broken
            if time.monotonic() < until:
                raise LLMError("unavailable", f"{why}; the API is not asked again for {until - time.monotonic():.0f} s")
            self._broken = None
        try:
            return self._attempts(**request)
        except LLMError as exc:
            if self.replay is None and (exc.kind == "timeout" or exc.message.startswith("cannot reach")):
                self._broken = (time.monotonic() + COOL_OFF, f"the last call failed ({exc.message})")
            raise

    def _attempts(self, **request: Any) -> tuple[Message, int]:
        for attempt in itertools.count(1):
            wait: float | None = None
            try:
                answer = self._sdk.messages.create(**request)
            except (anthropic.APITimeoutError, httpx2.TimeoutException):
                failure = LLMError("timeout", f"no answer from the API within {self.timeout:g} s")
            except anthropic.APIConnectionError as err:
                if isinstance(err.__cause__, ReplayMiss):
                    failure = LLMError("unavailable", str(err.__cause__))
                else:
                    failure, wait = LLMError("unavailable", "cannot reach the API"), self._backoff(attempt)
            except anthropic.APIStatusError as err:
                failure = LLMError("unavailable", f"the API answered {err.status_code}: {_api_message(err)}")
                if err.status_code == 429 or err.status_code >= 500:
                    wait = _retry_after(err.response.headers)
                    if wait is not None and wait > MAX_WAIT:
                        raise LLMError("unavailable", f"the API answered {err.status_code} and asked to retry after "
                                                      f"{wait:.0f} s, longer than the {MAX_WAIT:.0f} s this tool waits") from None
                    wait = self._backoff(attempt) if wait is None else wait
            except anthropic.APIError as err:
                failure = LLMError("unavailable", f"unreadable answer from the API: {err.message}")
            except ValueError:  # a 200 whose body is not JSON (cut short, empty, an HTML page)
                failure, wait = LLMError("unavailable", "the API's answer is not readable JSON"), self._backoff(attempt)
            else:
                problem = _malformed(answer)
                if problem is None:
                    return answer, attempt
                failure, wait = LLMError("unavailable", f"the API's answer is not a proper message ({problem})"), \
                    self._backoff(attempt)
            if wait is None:
                raise failure
            if attempt > self.max_retries:
                raise LLMError("unavailable", f"{failure.message} (gave up after {attempt} attempts)")
            log.info("%s; retrying in %.1f s (attempt %d of %d)", failure.message, wait, attempt + 1,
                     self.max_retries + 1)
            time.sleep(wait)

    def _backoff(self, attempt: int) -> float:
        """Exponential, with jitter so that parallel clients do not retry in step."""
        ceiling = min(MAX_WAIT, self.backoff * 2 ** (attempt - 1))
        return ceiling * (0.5 + random.random() / 2)


def _malformed(answer: Any) -> str | None:
    """What makes a 200 answer unusable (the SDK builds its objects without validating them), or None."""
    if not isinstance(answer, Message):
        return f"not a message: {str(answer)[:200]!r}"
    content = answer.content
    if not isinstance(content, list) or not all(isinstance(getattr(b, "type", None), str) for b in content):
        return "no list of content blocks"
    usage = answer.usage
    if usage is None or not isinstance(getattr(usage, "input_tokens", None), int) \
            or not isinstance(getattr(usage, "output_tokens", None), int):
        return "no token usage"
    for block in content:
        if block.type == "tool_use" and not (isinstance(getattr(block, "name", None), str)
                                             and isinstance(getattr(block, "input", None), dict)):
            return "a tool call without a name or input"
        if block.type == "text" and not isinstance(getattr(block, "text", None), str):
            return "a text block without text"
    return None


class _Deadline(httpx2.BaseTransport):
    """Each request, answer body included, must end within `seconds` of being sent."""

    def __init__(self, inner: httpx2.BaseTransport, seconds: float) -> None:
        self.inner = inner
        self.seconds = seconds

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        deadline = time.monotonic() + self.seconds
        response = self.inner.handle_request(request)
        response.stream = _DeadlineStream(response.stream, deadline, self.seconds)
        return response

    def close(self) -> None:
        self.inner.close()


class _DeadlineStream(httpx2.SyncByteStream):
    def __init__(self, inner, deadline: float, seconds: float) -> None:
        self.inner = inner
        self.deadline = deadline
        self.seconds = seconds

    def __iter__(self):
        for chunk in self.inner:
            if time.monotonic() > self.deadline:
                raise httpx2.ReadTimeout(f"the answer took longer than {self.seconds:g} s in all")
            yield chunk

    def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if close is not None:
            close()


def _retry_after(headers: httpx2.Headers) -> float | None:
    """Seconds the API asks us to wait (`retry-after-ms`, else `retry-after` in seconds or as a date)."""
    try:
        seconds = float(headers["retry-after-ms"]) / 1000
    except (KeyError, ValueError):
        value = headers.get("retry-after")
        if value is None:
            return None
        try:
            seconds = float(value)
        except ValueError:
            date = email.utils.parsedate_tz(value)
            if date is None:
                return None
            seconds = email.utils.mktime_tz(date) - time.time()
    return max(seconds, 0.0)


def _api_message(err: anthropic.APIStatusError) -> str:
    body = err.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("message", ""))
    return str(body or "")[:200]


def _usage(message: Message) -> Usage:
    u = message.usage
    return priced(message.model, input_tokens=u.input_tokens, output_tokens=u.output_tokens,
                  cache_creation_input_tokens=u.cache_creation_input_tokens or 0,
                  cache_read_input_tokens=u.cache_read_input_tokens or 0)


def _validated(message: Message, schema: type[T], tool_name: str, usage: Usage) -> T:
    """The tool call's input as a `schema`; a text answer is accepted when it holds the JSON."""
    tool_input = next((block.input for block in message.content
                       if block.type == "tool_use" and block.name == tool_name), None)
    if tool_input is not None:
        raw = json.dumps(tool_input, ensure_ascii=False)
        candidate: Any = tool_input
    else:
        raw = "".join(block.text for block in message.content if block.type == "text")
        candidate = _json_in(raw)
        if candidate is None:
            raise LLMError("invalid-output", _cut_short("no tool call and no JSON in the answer", message),
                           usage=usage, raw=raw)
    try:
        return schema.model_validate(candidate)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in err.errors())
        raise LLMError("invalid-output", _cut_short(problems, message), usage=usage, raw=raw) from None


def _json_in(text: str) -> Any:
    """The JSON object in a text answer: the whole text, a fenced block, or from the first `{` to the last `}`."""
    stripped = text.strip().removeprefix("```json").removeprefix("```").removesuffix("```")
    start, end = text.find("{"), text.rfind("}")
    for candidate in (stripped, text[start:end + 1] if 0 <= start < end else ""):
        try:
            return json.loads(candidate)
        except json.JSONDecodeError:
            continue
    return None


def _cut_short(problem: str, message: Message) -> str:
    return f"{problem} (the answer was cut at max_tokens)" if message.stop_reason == "max_tokens" else problem
