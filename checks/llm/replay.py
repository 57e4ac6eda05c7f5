"""Record API exchanges to a JSON file and answer from it later, without a network or a key.

The file maps a hash of each request (method, path and canonical JSON body) to the answer:

    {"version": 1, "exchanges": {"<sha256>": {"request": {...}, "response":
        {"status": 200, "headers": {"content-type": ..., "request-id": ...}, "body": {...}}}}}

Request headers are never saved (the API key travels in them), and of the response headers only
the harmless ones in `KEPT_HEADERS`. Transient failures (429, 5xx) are not saved: the retry that
follows them records the answer.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import httpx2

KEPT_HEADERS = ("content-type", "request-id", "retry-after", "retry-after-ms")
FORMAT_VERSION = 1


class ReplayMiss(Exception):
    """The replay file has no answer for a request."""


def request_key(request: httpx2.Request) -> str:
    body = _decode(request.content)
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{request.method} {request.url.path}\n{canonical}".encode()).hexdigest()


class ReplayTransport(httpx2.BaseTransport):
    """Answers from `path`; with `record_through`, sends each request there and saves the answer."""

    def __init__(self, path: Path, *, record_through: httpx2.BaseTransport | None = None) -> None:
        self.path = path
        self.record_through = record_through
        self.exchanges: dict[str, dict[str, Any]] = _load(path)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        key = request_key(request)
        if self.record_through is not None:
            return self._record(key, request)
        exchange = self.exchanges.get(key)
        if exchange is None:
            raise ReplayMiss(f"no recorded answer for this request in {self.path} (key {key[:12]}); "
                             "record it again with record=True and an API key")
        saved = exchange["response"]
        body = saved["body"]
        content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        return httpx2.Response(saved["status"], headers=saved["headers"], content=content, request=request)

    def _record(self, key: str, request: httpx2.Request) -> httpx2.Response:
        response = self.record_through.handle_request(request)
        content = response.read()
        response.close()
        headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
        if response.status_code != 429 and response.status_code < 500:
            self.exchanges[key] = {
                "request": _decode(request.content),
                "response": {"status": response.status_code, "headers": headers, "body": _decode(content)},
            }
            _save(self.path, self.exchanges)
        return httpx2.Response(response.status_code, headers=headers, content=content, request=request)


def _decode(content: bytes) -> Any:
    """JSON when it is JSON (so the file stays readable), else the text."""
    text = content.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _load(path: Path) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("version") != FORMAT_VERSION:
        raise ValueError(f"{path}: not a replay file of version {FORMAT_VERSION}")
    return data["exchanges"]


def _save(path: Path, exchanges: dict[str, dict[str, Any]]) -> None:
    """Written whole and renamed into place, so an interrupted recording leaves a valid file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"version": FORMAT_VERSION, "exchanges": exchanges}, indent=2, sort_keys=True,
                      ensure_ascii=False)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False,
                                     suffix=".tmp") as tmp:
        tmp.write(text + "\n")
    os.replace(tmp.name, path)
