"""Record the LLM exchanges that `tests/test_llm_outputs.py` replays (run it after changing a prompt,
a schema, or anything a prompt shows: findings, facts).

    .venv/bin/python tests/record_llm_recordings.py          # synthesised, real-shaped answers
    .venv/bin/python tests/record_llm_recordings.py --live   # the real API (needs ANTHROPIC_API_KEY)

The default writes answers shaped exactly like the Messages API's (a forced `tool_use` block, usage
with cache fields, a `request-id` header), written the way a careful model answers these prompts:
the machine that made the committed recordings has no route to the API. `--live` replaces them with
real answers; the replay tests hold either way, because every answer still goes through the
validators.
"""
from __future__ import annotations

import json
import re
import sys
from itertools import count
from pathlib import Path

import httpx
import respx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from wicked_data.checks import Config, review  # noqa: E402
from wicked_data.checks.llm import LLMClient  # noqa: E402
from wicked_data.checks.remediate import answer, model_card, remediation_for  # noqa: E402
from wicked_data.checks.remediate.model_card import template_body  # noqa: E402
from wicked_data.checks.remediate.facts import model_facts  # noqa: E402
from tests.anthropic_api import API, RespxTransport  # noqa: E402

SEED = REPO / "scenarios" / "churn_predictor" / "workspace"
RECORDINGS = REPO / "tests" / "data" / "llm_recordings" / "seed_000.json"
MODEL = "claude-sonnet-4-6"
QUESTION = "How should I fix the data leakage issue?"
_ids = count(1)


def run(client: LLMClient) -> None:
    """The calls the replay tests make, in the same order."""
    result = review([SEED], Config(cache=False))
    for finding in result.findings:
        if finding.rule == "ML101":
            remediation_for(finding, result, client)
    model_card([SEED], result, client)
    answer(QUESTION, result, client)


# ---------------------------------------------------------------------- synthesised answers
def _remediation(prompt: str) -> dict:
    result = review([SEED], Config(cache=False))
    fid = re.search(r"^- (ML\d{3}-[0-9a-f]{6})", prompt, re.M).group(1)
    finding = next(f for f in result.findings if f.id == fid)
    column = re.search(r"'(\w+)'", finding.message).group(1)
    source = re.search(r"pd\.to_datetime\(df\['(\w+)'\]\)", finding.evidence).group(1)
    return {
        "summary": (f"{finding.id} ({finding.file}:{finding.line}): `{column}` is measured from "
                    "`pd.Timestamp.now()`, so each training row gets a value as of the day the script runs, not "
                    "as of the day its churn label was observed, and predict.py receives a value the caller "
                    "computed against yet another date. Measure it from a snapshot date stored with each row, "
                    "and at inference pass the scoring date explicitly, so both sides use one formula."),
        "code": (f"# Training: measure from the snapshot date each row was labelled at\n"
                 f"df['{column}'] = (pd.to_datetime(df['snapshot_date']) - pd.to_datetime(df['{source}'])).dt.days"
                 + (" / 30" if "/ 30" in finding.evidence else "") + "\n\n"
                 f"# Inference: the caller says which date the score is for\n"
                 f"def {column}(signup_or_last_order, reference_date):\n"
                 f"    return (pd.Timestamp(reference_date) - pd.Timestamp(signup_or_last_order)).days"
                 + (" / 30" if "/ 30" in finding.evidence else "") + "\n"),
    }


def _card(prompt: str) -> dict:
    result = review([SEED], Config(cache=False))
    body = template_body(result, model_facts([SEED]))
    intro = body.split("\n## Model Details", 1)
    prose = ("# Model Card: churn_predictor\n\nA random forest that scores customers for churn, documented from "
             "its code (model.py, predict.py, config.yaml). Fields inferred from the code cite the file and "
             "line they come from; anything the code does not record is marked **Unknown**. The review found "
             "problems that make the reported accuracy unreliable; read Limitations before using the scores.\n")
    return {"markdown": prose + "\n## Model Details" + intro[1]}


def _answer(prompt: str) -> dict:
    return {
        "text": ("The leakage is in two features of model.py, both measured from the time the script runs:\n\n"
                 "- **P1** ML101-2bb87b `model.py:12`: `tenure_months` uses `pd.Timestamp.now()`.\n"
                 "- **P1** ML101-e5990d `model.py:14`: `days_since_last_order` does the same.\n\n"
                 "Compute both from a snapshot date stored with each row, and pass the reference date "
                 "explicitly at inference:\n\n```python\n"
                 "df['tenure_months'] = (pd.to_datetime(df['snapshot_date']) - pd.to_datetime(df['signup_date'])).dt.days / 30\n"
                 "df['days_since_last_order'] = (pd.to_datetime(df['snapshot_date']) - pd.to_datetime(df['last_order_date'])).dt.days\n"
                 "```\n\nThe random split of time-ordered rows (ML105-4c2b4a, `model.py:26`) leaks too: split by "
                 "date so the test rows come after the training rows."),
        "cited_ids": ["ML101-2bb87b", "ML101-e5990d", "ML105-4c2b4a"],
    }


BUILDERS = {"write_remediation": _remediation, "write_model_card": _card, "answer_question": _answer}


def _respond(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    tool = body["tool_choice"]["name"]
    prompt = body["messages"][-1]["content"]
    n = next(_ids)
    tool_input = BUILDERS[tool](prompt)
    output_tokens = len(json.dumps(tool_input)) // 4
    return httpx.Response(200, headers={"request-id": f"req_011CVr{n:04d}wickeddata"}, json={
        "id": f"msg_01WickedData{n:04d}", "type": "message", "role": "assistant", "model": body["model"],
        "content": [{"type": "tool_use", "id": f"toolu_01WickedData{n:04d}", "name": tool, "input": tool_input}],
        "stop_reason": "tool_use", "stop_sequence": None,
        "usage": {"input_tokens": len(prompt) // 4, "cache_creation_input_tokens": 0 if n > 1 else 412,
                  "cache_read_input_tokens": 412 if n > 1 else 0, "output_tokens": output_tokens,
                  "service_tier": "standard"},
    })


def main(argv: list[str]) -> int:
    RECORDINGS.unlink(missing_ok=True)
    if "--live" in argv:
        run(LLMClient(MODEL, replay=RECORDINGS, record=True))
    else:
        with respx.mock(base_url=API, assert_all_called=False) as router:
            router.post("/v1/messages").mock(side_effect=_respond)
            run(LLMClient(MODEL, api_key="recording", replay=RECORDINGS, record=True,
                          transport=RespxTransport(router)))
    print(f"recorded {len(json.loads(RECORDINGS.read_text())['exchanges'])} exchanges in {RECORDINGS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
