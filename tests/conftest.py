from pathlib import Path

import pytest
import respx

from tests.anthropic_api import API, RespxTransport

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Tests never read or write the user's cache."""
    monkeypatch.setenv("WICKED_DATA_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(autouse=True)
def _no_llm_from_the_environment(monkeypatch):
    """A key or endpoint in the developer's shell never turns a test into a network call."""
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "WICKED_DATA_MODEL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def anthropic_api():
    """A respx router standing in for the Anthropic API at `https://api.anthropic.com`."""
    with respx.mock(base_url=API, assert_all_called=False) as router:
        yield router


@pytest.fixture
def llm_transport(anthropic_api):
    """Pass as `LLMClient(transport=...)` so the client talks to `anthropic_api`."""
    return RespxTransport(anthropic_api)


@pytest.fixture
def messages(anthropic_api):
    """The route of `POST /v1/messages` on the fake API: set its `side_effect`, read its `calls`."""
    return anthropic_api.post("/v1/messages")


@pytest.fixture
def sleeps(monkeypatch):
    """The client's pauses between retries, recorded instead of slept."""
    waited: list[float] = []
    monkeypatch.setattr("wicked_data.checks.llm.client.time.sleep", waited.append)
    return waited
