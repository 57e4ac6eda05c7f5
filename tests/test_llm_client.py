"""The LLM client against respx (the API mocked) and against the fake Messages API server."""

import json
import logging

import anthropic
import httpx
import httpx2
import pytest
import respx
from pydantic import BaseModel

from wicked_data.checks.llm import LLMClient, LLMError, Usage
from wicked_data.checks.llm.fake import FakeAnthropic
from wicked_data.checks.llm.usage import priced
from tests.anthropic_api import API, RespxTransport, message, tool_use

KEY = "sk-ant-test-0123456789-secret"


class Fix(BaseModel):
    """A proposed fix."""

    code: str
    rule: str


GOOD = {"code": "x = 1", "rule": "ML101"}


def ask(client: LLMClient, **kw):
    return client.structured(system="You fix ML code.", prompt="Fix it.", schema=Fix, tool_name="propose_fix", **kw)


@pytest.fixture
def client(llm_transport):
    return LLMClient(api_key=KEY, transport=llm_transport)


def answer(*content, **kw) -> httpx.Response:
    return httpx.Response(200, json=message(*content, **kw), headers={"request-id": "req_1"})


def sent(route) -> list[dict]:
    return [json.loads(call.request.content) for call in route.calls]


# --- structured output ------------------------------------------------------------------------


def test_tool_call_is_validated_into_the_schema(client, messages):
    messages.mock(return_value=answer(tool_use("propose_fix", GOOD)))
    result = ask(client)
    assert result.value == Fix(**GOOD)
    assert result.attempts == 1
    assert result.model == "claude-sonnet-4-6"


def test_request_forces_the_tool_and_caches_the_system_prompt(client, messages):
    messages.mock(return_value=answer(tool_use("propose_fix", GOOD)))
    history = [{"role": "user", "content": "earlier"}, {"role": "assistant", "content": "{}"}]
    ask(client, history=history, tool_description="Propose one fix.", max_tokens=1000)
    (body,) = sent(messages)
    assert body["system"] == [{"type": "text", "text": "You fix ML code.", "cache_control": {"type": "ephemeral"}}]
    assert body["tools"] == [{"name": "propose_fix", "description": "Propose one fix.",
                              "input_schema": Fix.model_json_schema()}]
    assert body["tool_choice"] == {"type": "tool", "name": "propose_fix"}
    assert body["messages"] == [*history, {"role": "user", "content": "Fix it."}]
    assert body["max_tokens"] == 1000
    assert "stream" not in body


def test_model_and_base_url_come_from_the_environment(monkeypatch, anthropic_api):
    monkeypatch.setenv("WICKED_DATA_MODEL", "claude-haiku-4-5")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://llm-proxy.example")
    route = anthropic_api.post("https://llm-proxy.example/v1/messages").mock(
        return_value=answer(tool_use("propose_fix", GOOD)))
    client = LLMClient(api_key=KEY, transport=RespxTransport(anthropic_api))
    ask(client)
    assert sent(route)[0]["model"] == "claude-haiku-4-5"
    assert LLMClient("claude-opus-4-5", api_key=KEY).model == "claude-opus-4-5"


def test_a_text_answer_holding_json_is_accepted(client, messages):
    text = f"Here is the fix:\n```json\n{json.dumps(GOOD)}\n```"
    messages.mock(return_value=answer({"type": "text", "text": text}, stop_reason="end_turn"))
    assert ask(client).value == Fix(**GOOD)


def test_tool_input_outside_the_schema_is_invalid_output_with_the_raw_input(client, messages):
    bad = {"code": "x = 1"}
    messages.mock(return_value=answer(tool_use("propose_fix", bad)))
    with pytest.raises(LLMError) as caught:
        ask(client)
    assert caught.value.kind == "invalid-output"
    assert json.loads(caught.value.raw) == bad
    assert "rule: Field required" in str(caught.value)
    assert caught.value.usage.output_tokens == 5


def test_malformed_json_in_a_text_answer_is_invalid_output(client, messages):
    text = '{"code": "x = 1", "rule": '
    messages.mock(return_value=answer({"type": "text", "text": text}, stop_reason="max_tokens"))
    with pytest.raises(LLMError) as caught:
        ask(client)
    assert caught.value.kind == "invalid-output"
    assert caught.value.raw == text
    assert "max_tokens" in str(caught.value)


def test_a_refusal_is_its_own_error(client, messages):
    messages.mock(return_value=answer({"type": "text", "text": "I can't help."}, stop_reason="refusal"))
    with pytest.raises(LLMError) as caught:
        ask(client)
    assert caught.value.kind == "refused"


def test_an_answer_that_is_not_a_message_is_unavailable(client, messages):
    messages.mock(return_value=httpx.Response(200, text="<html>proxy error</html>"))
    with pytest.raises(LLMError) as caught:
        ask(client)
    assert caught.value.kind == "unavailable"


# --- retries and timeouts ---------------------------------------------------------------------


def test_429_waits_as_told_then_succeeds(client, messages, sleeps):
    messages.side_effect = [httpx.Response(429, headers={"retry-after": "0"}, json={}),
                            answer(tool_use("propose_fix", GOOD))]
    result = ask(client)
    assert result.attempts == 2
    assert sleeps == [0.0]


@pytest.mark.parametrize(("headers", "wait"), [
    ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
    ({"retry-after": "2"}, 2.0),
    ({"retry-after": "60"}, 60.0),
])
def test_retry_after_headers_are_honoured(client, messages, sleeps, headers, wait):
    messages.side_effect = [httpx.Response(429, headers=headers, json={}), answer(tool_use("propose_fix", GOOD))]
    ask(client)
    assert sleeps == [wait]


def test_a_retry_after_beyond_the_cap_ends_the_call_with_a_message(client, messages, sleeps):
    """`retry-after: 3600` is not waited out in silence: the call ends at once and says why."""
    messages.side_effect = [httpx.Response(429, headers={"retry-after": "3600"}, json={}),
                            answer(tool_use("propose_fix", GOOD))]
    with pytest.raises(LLMError) as caught:
        ask(client)
    assert sleeps == [] and messages.call_count == 1
    assert "retry after 3600 s" in str(caught.value) and "60 s" in str(caught.value)


@pytest.mark.parametrize("status", [500, 503, 529])
def test_server_errors_are_retried_until_retries_run_out(llm_transport, messages, sleeps, status):
    messages.mock(return_value=httpx.Response(status, json={"type": "error", "error": {"message": "busy"}}))
    client = LLMClient(api_key=KEY, transport=llm_transport, max_retries=3, backoff=1.0)
    with pytest.raises(LLMError) as caught:
        ask(client)
    assert caught.value.kind == "unavailable"
    assert f"{status}: busy" in str(caught.value) and "4 attempts" in str(caught.value)
    assert messages.call_count == 4
    # exponential with jitter: each pause within [d/2, d] for d = 1, 2, 4
    assert [d / 2 <= wait <= d for wait, d in zip(sleeps, (1, 2, 4))] == [True, True, True]


def test_a_lost_connection_is_retried(client, messages, sleeps):
    messages.side_effect = [httpx.ConnectError("reset"), answer(tool_use("propose_fix", GOOD))]
    assert ask(client).attempts == 2
    assert len(sleeps) == 1


def test_a_timeout_is_not_retried(client, messages, sleeps):
    messages.side_effect = httpx.TimeoutException("slow")
    with pytest.raises(LLMError) as caught:
        ask(client)
    assert caught.value.kind == "timeout"
    assert messages.call_count == 1 and sleeps == []


def test_a_client_error_is_not_retried(client, messages, sleeps):
    messages.mock(return_value=httpx.Response(
        400, json={"type": "error", "error": {"type": "invalid_request_error", "message": "bad schema"}}))
    with pytest.raises(LLMError) as caught:
        ask(client)
    assert caught.value.kind == "unavailable" and "400: bad schema" in str(caught.value)
    assert messages.call_count == 1 and sleeps == []


# --- usage and cost ---------------------------------------------------------------------------


def test_usage_and_cost_come_with_every_result(client, messages):
    usage = {"input_tokens": 1000, "output_tokens": 2000, "cache_creation_input_tokens": 4000,
             "cache_read_input_tokens": 10000}
    messages.mock(return_value=answer(tool_use("propose_fix", GOOD), model="claude-sonnet-4-6", usage=usage))
    result = ask(client)
    assert result.usage.model_dump(exclude={"cost_usd"}) == usage
    # sonnet: $3 in, $15 out, $3.75 cache write, $0.30 cache read per million tokens
    assert result.usage.cost_usd == pytest.approx((1000 * 3 + 2000 * 15 + 4000 * 3.75 + 10000 * 0.30) / 1e6)


def test_usage_adds_up_and_unknown_models_cost_nothing(caplog):
    first = priced("claude-opus-4-1-20250805", input_tokens=1_000_000, output_tokens=0)
    second = priced("claude-haiku-4-5", input_tokens=0, output_tokens=1_000_000)
    assert (first + second) == Usage(input_tokens=1_000_000, output_tokens=1_000_000, cost_usd=15.0 + 5.0)
    with caplog.at_level(logging.WARNING):
        assert priced("some-other-model", input_tokens=5, output_tokens=5).cost_usd == 0
    assert "no price known for model 'some-other-model'" in caplog.text


# --- the key ----------------------------------------------------------------------------------


def test_without_a_key_there_is_no_client():
    assert LLMClient.from_env() is None
    with pytest.raises(LLMError) as caught:
        LLMClient()
    assert caught.value.kind == "no-key"


def test_the_key_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    assert isinstance(LLMClient.from_env(), LLMClient)


def test_the_key_never_shows(monkeypatch, caplog, llm_transport, messages, sleeps):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.setenv("ANTHROPIC_LOG", "debug")
    caplog.set_level(logging.DEBUG)
    client = LLMClient(transport=llm_transport, max_retries=1)
    messages.side_effect = [httpx.Response(401, json={"type": "error", "error": {"message": "invalid x-api-key"}}),
                            httpx.Response(529, json={}), httpx.Response(529, json={}),
                            answer(tool_use("propose_fix", {"code": 1})),
                            httpx.TimeoutException("slow")]
    errors = []
    for _ in range(4):
        with pytest.raises(LLMError) as caught:
            ask(client)
        errors.append(caught.value)
    assert [e.kind for e in errors] == ["unavailable", "unavailable", "invalid-output", "timeout"]
    assert any(KEY in value for value in messages.calls[0].request.headers.values())  # sent, and only sent
    shown = [repr(client), str(vars(client)), caplog.text]
    for error in errors:
        assert error.__cause__ is None and (error.__context__ is None or KEY not in str(vars(error.__context__)))
        shown += [str(error), repr(error), str(vars(error))]
    assert [KEY in text for text in shown] == [False] * len(shown)


# --- record and replay ------------------------------------------------------------------------


def test_recorded_exchanges_replay_without_network_or_key(tmp_path, monkeypatch, llm_transport, messages):
    cassette = tmp_path / "replay.json"
    messages.mock(return_value=answer(tool_use("propose_fix", GOOD)))
    recorder = LLMClient(api_key=KEY, replay=cassette, record=True, transport=llm_transport)
    recorded = ask(recorder)
    saved = cassette.read_text()
    assert KEY not in saved and "authorization" not in saved.lower()
    (exchange,) = json.loads(saved)["exchanges"].values()
    assert exchange["response"]["headers"] == {"content-type": "application/json", "request-id": "req_1"}
    assert exchange["request"]["tool_choice"] == {"type": "tool", "name": "propose_fix"}

    with respx.mock(base_url=API, assert_all_called=False) as offline:
        untouched = offline.route()
        replayer = LLMClient(replay=cassette)  # no key anywhere: ANTHROPIC_API_KEY is unset
        replayed = ask(replayer)
        assert not untouched.called
    assert replayed == recorded


def test_a_replay_miss_is_unavailable_at_once(tmp_path, sleeps):
    client = LLMClient(replay=tmp_path / "empty.json")
    with pytest.raises(LLMError) as caught:
        ask(client)
    assert caught.value.kind == "unavailable"
    assert "no recorded answer for this request" in str(caught.value) and "empty.json" in str(caught.value)
    assert sleeps == []


def test_recording_keeps_answers_not_transient_failures(tmp_path, llm_transport, messages, sleeps):
    cassette = tmp_path / "replay.json"
    messages.side_effect = [httpx.Response(529, json={}), answer(tool_use("propose_fix", GOOD))]
    ask(LLMClient(api_key=KEY, replay=cassette, record=True, transport=llm_transport))
    (exchange,) = json.loads(cassette.read_text())["exchanges"].values()
    assert exchange["response"]["status"] == 200
    assert ask(LLMClient(replay=cassette)).value == Fix(**GOOD)


def test_the_replay_key_depends_on_the_request(tmp_path, llm_transport, messages):
    cassette = tmp_path / "replay.json"
    messages.mock(return_value=answer(tool_use("propose_fix", GOOD)))
    ask(LLMClient(api_key=KEY, replay=cassette, record=True, transport=llm_transport))
    with pytest.raises(LLMError, match="no recorded answer"):
        LLMClient(replay=cassette).structured(system="You fix ML code.", prompt="Fix something else.",
                                              schema=Fix, tool_name="propose_fix")


# --- the fake Messages API --------------------------------------------------------------------


def test_fake_answers_the_sdk_without_streaming():
    with FakeAnthropic([[tool_use("propose_fix", GOOD)]]) as fake:
        sdk = anthropic.Anthropic(api_key="unused", base_url=fake.url, max_retries=0)
        reply = sdk.messages.create(model="claude-sonnet-4-6", max_tokens=100,
                                    messages=[{"role": "user", "content": "hi"}])
    assert reply.stop_reason == "tool_use"
    assert reply.content[0].input == GOOD and reply.content[0].id.startswith("toolu_")
    assert reply.model == "claude-sonnet-4-6" and reply.usage.input_tokens > 0
    assert fake.requests == [{"model": "claude-sonnet-4-6", "max_tokens": 100,
                              "messages": [{"role": "user", "content": "hi"}]}]


def test_fake_streams_text_and_tool_calls_to_the_sdk():
    script = [[{"type": "text", "text": "A leak: the scaler is fitted before the split."}],
              {"content": [{"type": "text", "text": "Fixing."}, tool_use("propose_fix", GOOD)],
               "stop_reason": "tool_use"}]
    with FakeAnthropic(script) as fake:
        sdk = anthropic.Anthropic(api_key="unused", base_url=fake.url, max_retries=0)
        finals = []
        for _ in script:
            with sdk.messages.stream(model="m", max_tokens=100, messages=[{"role": "user", "content": "?"}]) as stream:
                finals.append(stream.get_final_message())
    text, tool = finals
    assert text.content[0].text == "A leak: the scaler is fitted before the split."
    assert text.stop_reason == "end_turn" and text.usage.output_tokens > 1
    assert tool.content[1].input == GOOD and tool.stop_reason == "tool_use"
    assert all(body["stream"] is True for body in fake.requests)


def test_fake_events_follow_the_api_format():
    with FakeAnthropic([[tool_use("propose_fix", GOOD)]]) as fake:
        raw = httpx.post(f"{fake.url}/v1/messages?beta=true", json={"model": "m", "stream": True, "messages": []})
    assert raw.headers["content-type"] == "text/event-stream"
    events = [(chunk.split("\n")[0].removeprefix("event: "), json.loads(chunk.split("\n")[1].removeprefix("data: ")))
              for chunk in raw.text.strip().split("\n\n")]
    names = [name for name, _ in events]
    assert names[:3] == ["message_start", "ping", "content_block_start"]
    assert names[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert all(data["type"] == name for name, data in events)
    start = events[0][1]["message"]
    assert start["id"].startswith("msg_") and start["model"] == "m" and "input_tokens" in start["usage"]
    block = events[2][1]["content_block"]
    assert block["type"] == "tool_use" and block["id"].startswith("toolu_") and block["input"] == {}
    partial = "".join(data["delta"]["partial_json"] for name, data in events if name == "content_block_delta")
    assert json.loads(partial) == GOOD
    assert events[-2][1]["delta"]["stop_reason"] == "tool_use" and events[-2][1]["usage"]["output_tokens"] > 0


def test_fake_counts_tokens_refuses_unknown_paths_and_scripts_errors():
    with FakeAnthropic(lambda request: {"status": 529}) as fake:
        sdk = anthropic.Anthropic(api_key="unused", base_url=fake.url, max_retries=0)
        counted = sdk.messages.count_tokens(model="m", messages=[{"role": "user", "content": "hello"}])
        with pytest.raises(anthropic.NotFoundError):
            sdk.models.list()
        with pytest.raises(anthropic.OverloadedError):
            sdk.messages.create(model="m", max_tokens=10, messages=[{"role": "user", "content": "hi"}])
    assert counted.input_tokens > 0
    assert [(method, path) for method, path, _ in fake.all_requests] == [
        ("POST", "/v1/messages/count_tokens"), ("GET", "/v1/models"), ("POST", "/v1/messages")]


def test_fake_says_when_its_script_runs_out():
    with FakeAnthropic([]) as fake:
        sdk = anthropic.Anthropic(api_key="unused", base_url=fake.url, max_retries=0)
        with pytest.raises(anthropic.BadRequestError, match="no reply for request 1"):
            sdk.messages.create(model="m", max_tokens=10, messages=[{"role": "user", "content": "hi"}])


def test_client_end_to_end_over_http(sleeps):
    script = [{"status": 529}, [tool_use("propose_fix", GOOD)]]
    with FakeAnthropic(script) as fake:
        result = ask(LLMClient("claude-haiku-4-5", api_key=KEY, base_url=fake.url))
    assert result.value == Fix(**GOOD) and result.attempts == 2 and len(sleeps) == 1
    assert result.usage.cost_usd > 0
    assert fake.requests[1]["system"][0]["cache_control"] == {"type": "ephemeral"}


# --- faulty answers: every one ends in an LLMError, never a traceback --------------------------

MALFORMED = {
    "cut short": lambda good: json.dumps(good)[:40],
    "empty": lambda good: "",
    "an HTML page": lambda good: "<html><body>bad gateway</body></html>",
    "no usage": lambda good: json.dumps({k: v for k, v in good.items() if k != "usage"}),
    "content null": lambda good: json.dumps({**good, "content": None}),
    "content a string": lambda good: json.dumps({**good, "content": "hello"}),
    "usage without counts": lambda good: json.dumps({**good, "usage": {"input_tokens": None}}),
    "a list": lambda good: "[1, 2]",
    "a tool call without input": lambda good: json.dumps({**good, "content": [{"type": "tool_use", "id": "t"}]}),
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_a_200_that_is_not_a_proper_message_is_an_error_and_is_retried(llm_transport, messages, sleeps, kind):
    body = MALFORMED[kind](message(tool_use("propose_fix", GOOD)))
    messages.mock(return_value=httpx.Response(200, content=body.encode(), headers={"content-type": "application/json"}))
    client = LLMClient(api_key=KEY, transport=llm_transport, max_retries=1)
    with pytest.raises(LLMError) as caught:
        ask(client)
    assert caught.value.kind == "unavailable" and "2 attempts" in str(caught.value)
    assert messages.call_count == 2


class _Trickle(httpx2.BaseTransport):
    """An answer whose body arrives one byte every `pause` seconds."""

    def __init__(self, pause: float) -> None:
        self.pause = pause
        self.requests = 0

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        self.requests += 1
        body = json.dumps(message(tool_use("propose_fix", GOOD))).encode()

        def trickle():
            for i in range(len(body)):
                real_sleep(self.pause)
                yield body[i:i + 1]

        return httpx2.Response(200, headers={"content-type": "application/json"}, stream=_Iterated(trickle()),
                               request=request)


class _Iterated(httpx2.SyncByteStream):
    def __init__(self, chunks) -> None:
        self.chunks = chunks

    def __iter__(self):
        yield from self.chunks


real_sleep = __import__("time").sleep


def test_an_answer_that_trickles_in_meets_a_total_deadline():
    """Each read is quick, so a per-read timeout never fires; the total deadline does."""
    transport = _Trickle(pause=0.05)
    client = LLMClient(api_key=KEY, transport=transport, timeout=0.5, max_retries=0)
    started = __import__("time").monotonic()
    with pytest.raises(LLMError) as caught:
        ask(client)
    assert caught.value.kind == "timeout"
    assert __import__("time").monotonic() - started < 3


def test_after_a_timeout_the_client_stops_asking_for_a_while(llm_transport, messages, sleeps, monkeypatch):
    """A circuit breaker: a server holding one client does not pay the timeout on every call."""
    client = LLMClient(api_key=KEY, transport=llm_transport, max_retries=0)
    messages.side_effect = [httpx.TimeoutException("slow"), answer(tool_use("propose_fix", GOOD))]
    with pytest.raises(LLMError) as first:
        ask(client)
    with pytest.raises(LLMError) as second:
        ask(client)
    assert first.value.kind == "timeout" and messages.call_count == 1
    assert second.value.kind == "unavailable" and "not asked again" in str(second.value)
    clock = __import__("time").monotonic() + 10_000
    monkeypatch.setattr("wicked_data.checks.llm.client.time.monotonic", lambda: clock)
    assert ask(client).value == Fix(**GOOD)
    assert messages.call_count == 2
