"""respx for the Anthropic SDK.

The SDK sends through `httpx2`, which respx does not patch (it patches `httpx`). `RespxTransport`
is an `httpx2` transport that hands each request to a respx router and converts the answer (or the
raised `httpx` error) back, so tests write ordinary respx routes. Nothing can reach the network: a
request no route matches fails the test.
"""

from __future__ import annotations

import httpx
import httpx2
import respx

API = "https://api.anthropic.com"

# httpx errors a respx side effect may raise, as the httpx2 errors the SDK understands.
_ERRORS = ((httpx.TimeoutException, httpx2.ReadTimeout), (httpx.TransportError, httpx2.ConnectError))


class RespxTransport(httpx2.BaseTransport):
    def __init__(self, router: respx.Router) -> None:
        self.router = router

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        mirrored = httpx.Request(request.method, str(request.url), headers=request.headers.raw,
                                 content=request.read())
        try:
            answer = self.router.handler(mirrored)
        except httpx.HTTPError as err:
            for sent, raised in _ERRORS:
                if isinstance(err, sent):
                    raise raised(str(err), request=request) from err
            raise
        return httpx2.Response(answer.status_code, headers=answer.headers.raw, content=answer.read(),
                               request=request)


def message(*content: dict, stop_reason: str = "tool_use", model: str = "claude-sonnet-4-6",
            usage: dict | None = None) -> dict:
    """A Messages API answer with these content blocks."""
    return {
        "id": "msg_test", "type": "message", "role": "assistant", "model": model,
        "content": list(content), "stop_reason": stop_reason, "stop_sequence": None,
        "usage": usage or {"input_tokens": 10, "output_tokens": 5},
    }


def tool_use(name: str, tool_input: dict) -> dict:
    return {"type": "tool_use", "id": "toolu_test", "name": name, "input": tool_input}
