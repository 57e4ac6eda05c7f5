"""Record the model answers `wicked-data eval --mode replay` replays, per scenario
(`scenarios/<name>/recordings.json`). Run it after changing a prompt, a schema, a rule's message or a
scenario:

    .venv/bin/python tests/record_scenario_recordings.py [SCENARIO...]          # synthesised answers
    ANTHROPIC_API_KEY=... .venv/bin/wicked-data eval --mode live --record         # the real API

The default runs `wicked-data eval --mode live --record` against `checks.llm.fake.FakeAnthropic` on
127.0.0.1, whose scripted model answers every request in the Messages API's exact shape with text
built from the request itself: the finding it names, the question it quotes, the facts it lists
(rephrased from our deterministic versions). This machine has no route to the API, so the
committed recordings are synthesised, not model output; the replay still runs every answer through
the validators, exactly as a live answer would be.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from wicked_data.checks import Config, review  # noqa: E402
from wicked_data.checks.llm.fake import FakeAnthropic  # noqa: E402
from wicked_data.checks.remediate import answer  # noqa: E402
from wicked_data.checks.remediate.facts import model_facts  # noqa: E402
from wicked_data.checks.remediate.knowledge import template_remediation  # noqa: E402
from wicked_data.checks.remediate.model_card import template_body  # noqa: E402
from wicked_data.checks.scenario_eval import RECORDINGS, discover, evaluate, load  # noqa: E402

FINDING = re.compile(r"^- (ML\d{3}-[0-9a-f]{6})", re.M)
QUESTION = re.compile(r"<question>\n(.*?)\n</question>", re.S)


def synthesiser(folder: Path):
    scenario = load(folder)
    target = folder / scenario.review_path
    result = review([target], Config(cache=False))
    by_id = {f.id: f for f in result.findings}

    def prompt_of(request: dict) -> str:
        content = request["messages"][-1]["content"]
        return content if isinstance(content, str) else "".join(b.get("text", "") for b in content)

    def reply(request: dict) -> list[dict]:
        tool = request["tool_choice"]["name"]
        prompt = prompt_of(request)
        if tool == "write_remediation":
            finding = by_id[FINDING.search(prompt).group(1)]
            fix = template_remediation(finding, result)
            tool_input = {"summary": f"{finding.id} at {finding.file}:{finding.line}: {fix.summary}", "code": fix.code}
        elif tool == "write_model_card":
            body = template_body(result, model_facts([target]))
            tool_input = {"markdown": body}
        elif tool == "answer_question":
            reply_ = answer(QUESTION.search(prompt).group(1).strip(), result, None)
            tool_input = {"text": reply_.text, "cited_ids": reply_.cited_ids}
        else:
            raise ValueError(f"no synthesised answer for tool {tool!r}")
        return [{"type": "tool_use", "name": tool, "input": tool_input}]

    return reply


def main(argv: list[str]) -> int:
    for folder in discover(argv, REPO / "scenarios"):
        recordings = folder / RECORDINGS
        recordings.unlink(missing_ok=True)
        with FakeAnthropic(synthesiser(folder)) as fake:
            os.environ.update(ANTHROPIC_API_KEY="sk-ant-recording-not-a-key", ANTHROPIC_BASE_URL=fake.url)
            outcome = evaluate(folder, "live", record=True)
        calls = len(fake.requests)
        if not calls:
            recordings.unlink(missing_ok=True)
        print(f"{folder.name}: {calls} exchange(s) recorded; {len(outcome.regressions)} regression(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
