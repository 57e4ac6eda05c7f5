"""A scripted stand-in for the Anthropic Messages API, served over HTTP on 127.0.0.1.

    with FakeAnthropic([[{"type": "text", "text": "hello"}]]) as fake:
        client = anthropic.Anthropic(api_key="any", base_url=fake.url)
        ...
        fake.requests  # the JSON body of every POST /v1/messages, in order

The script is a list of replies, used in order, or a callable(request_json) -> reply. A reply is a
list of content blocks (`{"type": "text", "text": ...}` or `{"type": "tool_use", "name": ...,
"input": {...}}`), or a dict `{"content": [...], "stop_reason": ...}` to choose the stop reason
(default: `tool_use` if a tool is called, else `end_turn`), or `{"status": 529}` for an API error.
A request with `"stream": true` gets the answer as server-sent events, as the API sends them.
`POST /v1/messages/count_tokens` answers an estimate; any other path is a 404.
Request headers (where the key travels) are never kept.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

Reply = list[dict[str, Any]] | dict[str, Any]
Script = list[Reply] | Callable[[dict[str, Any]], Reply]

ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 404: "not_found_error",
               429: "rate_limit_error", 500: "api_error", 529: "overloaded_error"}


class FakeAnthropic:
    def __init__(self, script: Script, *, model: str | None = None) -> None:
        self.script = script
        self.model = model  # the model named in answers; default: the one asked for
        self.requests: list[dict[str, Any]] = []  # bodies of POST /v1/messages
        self.all_requests: list[tuple[str, str, Any]] = []  # (method, path, body) of every request
        self._replies = iter(script) if isinstance(script, list) else None
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-anthropic", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeAnthropic:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def answer(self, method: str, path: str, body: Any) -> tuple[int, str, bytes]:
        """(status, content type, body) for one request."""
        with self._lock:
            self.all_requests.append((method, path, body))
            if method != "POST" or path not in ("/v1/messages", "/v1/messages/count_tokens"):
                return _error(404, f"{method} {path} is not part of the fake API")
            if not isinstance(body, dict):
                return _error(400, "the request body is not a JSON object")
            if path == "/v1/messages/count_tokens":
                return 200, "application/json", json.dumps({"input_tokens": _estimate(body)}).encode()
            self.requests.append(body)
            reply = self._next_reply(body)
            n = next(self._ids)
        if reply is None:
            return _error(400, f"the fake's script has no reply for request {n}")
        if "status" in reply:
            return _error(reply["status"], reply.get("message", "scripted error"))
        message = self._message(n, body, reply)
        if body.get("stream"):
            return 200, "text/event-stream", "".join(_sse(message)).encode()
        return 200, "application/json", json.dumps(message).encode()

    def _next_reply(self, body: dict[str, Any]) -> dict[str, Any] | None:
        reply = next(self._replies, None) if self._replies is not None else self.script(body)
        if reply is None or isinstance(reply, dict):
            return reply
        return {"content": reply}

    def _message(self, n: int, request: dict[str, Any], reply: dict[str, Any]) -> dict[str, Any]:
        content = [_block(n, i, block) for i, block in enumerate(reply["content"])]
        called = any(block["type"] == "tool_use" for block in content)
        return {
            "id": f"msg_fake{n:020d}",
            "type": "message",
            "role": "assistant",
            "model": self.model or request.get("model", "claude-fake"),
            "content": content,
            "stop_reason": reply.get("stop_reason", "tool_use" if called else "end_turn"),
            "stop_sequence": None,
            "usage": {"input_tokens": _estimate(request), "output_tokens": max(1, len(json.dumps(content)) // 4),
                      "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
        }


def _block(n: int, i: int, block: dict[str, Any]) -> dict[str, Any]:
    if block["type"] == "tool_use":
        return {"type": "tool_use", "id": block.get("id", f"toolu_fake{n:08d}{i:04d}"), "name": block["name"],
                "input": block.get("input", {})}
    return block


def _sse(message: dict[str, Any]) -> Iterator[str]:
    """The message as the API streams it: start, each block opened / filled / closed, delta, stop."""
    start = {**message, "content": [], "stop_reason": None, "stop_sequence": None,
             "usage": {**message["usage"], "output_tokens": 1}}
    yield _event("message_start", {"type": "message_start", "message": start})
    yield _event("ping", {"type": "ping"})
    for index, block in enumerate(message["content"]):
        if block["type"] == "tool_use":
            opened = {**block, "input": {}}
            text = json.dumps(block["input"])
            deltas = [{"type": "input_json_delta", "partial_json": piece} for piece in _pieces(text)]
        elif block["type"] == "text":
            opened = {"type": "text", "text": ""}
            deltas = [{"type": "text_delta", "text": piece} for piece in _pieces(block["text"])]
        else:
            opened, deltas = block, []
        yield _event("content_block_start", {"type": "content_block_start", "index": index, "content_block": opened})
        for delta in deltas:
            yield _event("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})
        yield _event("content_block_stop", {"type": "content_block_stop", "index": index})
    yield _event("message_delta", {"type": "message_delta",
                                   "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
                                   "usage": {"output_tokens": message["usage"]["output_tokens"]}})
    yield _event("message_stop", {"type": "message_stop"})


def _event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


def _pieces(text: str, size: int = 16) -> list[str]:
    """Several deltas, as a real stream has, so clients must join them."""
    return [text[i:i + size] for i in range(0, len(text), size)]


def _estimate(request: dict[str, Any]) -> int:
    """About four characters a token: enough for a client that only wants a plausible count."""
    return max(1, len(json.dumps({k: request.get(k) for k in ("system", "messages", "tools")})) // 4)


def _error(status: int, message: str) -> tuple[int, str, bytes]:
    body = {"type": "error", "error": {"type": ERROR_TYPES.get(status, "api_error"), "message": message}}
    return status, "application/json", json.dumps(body).encode()


def _handler_for(fake: FakeAnthropic) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the SDKs expect

        def do_POST(self) -> None:
            self._respond("POST")

        def do_GET(self) -> None:
            self._respond("GET")

        def _respond(self, method: str) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body: Any = json.loads(raw) if raw else None
            except json.JSONDecodeError:
                body = raw.decode("utf-8", errors="replace")
            status, content_type, content = fake.answer(method, urlsplit(self.path).path, body)
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(content)))
            self.send_header("request-id", f"req_fake{len(fake.all_requests):08d}")
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the fake's log is `requests`."""

    return Handler
