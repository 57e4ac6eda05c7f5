"""Drives the real Claude Code CLI headless against a scripted fake of the Anthropic Messages API.

Run as `python -m tests.claude_headless CLAUDE PROJECT OUT -- PROMPT [--continue PROMPT]...` (or
`python -m tests.claude_headless plugin-eval CLAUDE PLUGIN CASE OUT` for `claude plugin eval`) inside a
network namespace with only loopback (the caller wraps it in `unshare -n`): it starts the fake on
127.0.0.1, runs `claude -p PROMPT --plugin-dir <repo> --output-format stream-json --verbose` in
PROJECT once per prompt (the later ones with `--continue`), and writes to OUT the stream events of
each run and every request the fake received.

The scripted model behaves like a careful agent using the plugin: on the `/wicked-data:ml review
PATH` command it calls the review tool with PATH; once a tool result is in the conversation it
answers with text quoting the counts; asked to explain a finding, it takes a finding id from an
earlier tool result in the conversation and calls `get_finding` with it.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from wicked_data.checks.llm.fake import FakeAnthropic

REPO = Path(__file__).resolve().parent.parent
PREFIX = "mcp__plugin_wicked-data_wicked-data__"
FINDING_ID = re.compile(r"\bML\d{3}-[0-9a-f]{6}\b")


def texts(content) -> list[str]:
    """Every text in a message's content, tool results included."""
    if isinstance(content, str):
        return [content]
    out = []
    for block in content or []:
        if block.get("type") == "text":
            out.append(block.get("text", ""))
        elif block.get("type") == "tool_result":
            out += texts(block.get("content"))
    return out


def tool_result_texts(messages: list[dict]) -> list[str]:
    return [t for m in messages if isinstance(m.get("content"), list) for b in m["content"]
            if b.get("type") == "tool_result" for t in texts(b.get("content"))]


def scripted_model(request: dict) -> dict:
    tools = {t.get("name") for t in request.get("tools", []) if isinstance(t, dict)}
    # Claude Code may append a system-role message (the environment) after the user's turn.
    users = [m for m in request.get("messages", []) if m.get("role") == "user"]
    if not users:
        return {"content": [{"type": "text", "text": "ok"}]}
    if GRADING in "\n".join(texts(users[-1].get("content"))):
        return judge(users[-1])
    if f"{PREFIX}review" not in tools:
        if "WaitForMcpServers" in tools:  # the plugin's server is still starting
            return {"content": [{"type": "tool_use", "name": "WaitForMcpServers", "input": {}}]}
        return {"content": [{"type": "text", "text": "ok"}]}
    for body in reversed(tool_result_texts([users[-1]])):
        try:
            data = json.loads(body)
        except ValueError:
            continue
        return {"content": [{"type": "text", "text": report(data)}]}
    prompts = [m for m in users if not tool_result_texts([m])]
    prompt = "\n".join(texts(prompts[-1].get("content"))) if prompts else ""
    command = re.search(r"<command-args>(.*?)</command-args>", prompt, re.S)
    if command:
        args = command.group(1).split()
        path = args[1] if len(args) > 1 and args[0] == "review" else (args[0] if args else ".")
        return {"content": [{"type": "tool_use", "name": f"{PREFIX}review", "input": {"path": path}}]}
    if "explain" in prompt.lower():
        ids = FINDING_ID.findall("\n".join(tool_result_texts(users[:-1])))
        if ids:
            return {"content": [{"type": "tool_use", "name": f"{PREFIX}get_finding", "input": {"finding_id": ids[0]}}]}
    return {"content": [{"type": "text", "text": "I have no wicked-data result to answer from."}]}


def report(data: dict) -> str:
    """The scripted agent's answer from a tool result: the counts and the P1 findings it lists."""
    if "by_severity" in data:
        counts = ", ".join(f"{k}: {v}" for k, v in data["by_severity"].items())
        lines = [f"Review of {data['root']}: {counts}."]
        lines += [f"- {f['id']} `{f['file']}:{f['line']}` ({f['severity']}): {f['message']}"
                  for f in data["findings"] if f["severity"] == "P1"]
        return "\n".join(lines)
    return f"{data.get('id')} at {data.get('file')}:{data.get('line')}: {data.get('message')}"


GRADING = "You are grading the output of a coding agent"


def judge(message: dict) -> dict:
    """A judge that passes an answer only when it cites, by id and file:line, a P1 finding whose file
    the criterion names (a stand-in for the grading model; the point is the harness, not the verdict)."""
    text = "\n".join(texts(message.get("content")))
    criterion, _, output = text.partition("Agent output")
    files = set(re.findall(r"`([\w./-]+\.py)`", criterion))
    cited = re.findall(r"(ML\d{3}-[0-9a-f]{6}) `([\w./-]+\.py):\d+` \(P1\)", output)
    verdict = "PASS" if any(file in files for _, file in cited) else "FAIL"
    return {"content": [{"type": "text", "text": verdict}]}


def run(claude: str, project: Path, prompts: list[str], home: Path) -> tuple[list[list[dict]], list]:
    runs = []
    with FakeAnthropic(scripted_model) as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "CLAUDE"))}
        env.update(HOME=str(home), ANTHROPIC_BASE_URL=fake.url, ANTHROPIC_API_KEY="sk-ant-test-not-a-real-key",
                   ENABLE_TOOL_SEARCH="false", DISABLE_AUTOUPDATER="1", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1",
                   DISABLE_TELEMETRY="1", DISABLE_ERROR_REPORTING="1", WICKED_DATA_PYTHON=sys.executable)
        for i, prompt in enumerate(prompts):
            argv = [claude, "-p", prompt, "--plugin-dir", str(REPO), "--output-format", "stream-json", "--verbose"]
            if i:
                # A follow-up outside the command: the user has allowed the plugin's tools (in an
                # interactive session they would approve the first call).
                argv[1:1] = ["--continue", "--allowedTools", PREFIX.rstrip("_")]
            proc = subprocess.run(argv, cwd=project, env=env, capture_output=True, text=True, timeout=300)
            events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
            runs.append({"returncode": proc.returncode, "events": events, "stderr": proc.stderr[-4000:]})
        requests = [{"method": m, "path": p, "body": b} for m, p, b in fake.all_requests]
    return runs, requests


def plugin_eval(claude: str, plugin: Path, case: str, out: Path) -> int:
    """`claude plugin eval` of one scenario case of the plugin copy at `plugin`, against the fake:
    writes the eval's JSON result and the fake's request log next to `out`."""
    home = out.parent / "home"
    home.mkdir(parents=True, exist_ok=True)
    with FakeAnthropic(scripted_model) as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "CLAUDE"))}
        env.update(HOME=str(home), ANTHROPIC_BASE_URL=fake.url, ANTHROPIC_API_KEY="sk-ant-test-not-a-real-key",
                   ENABLE_TOOL_SEARCH="false", DISABLE_AUTOUPDATER="1", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1",
                   DISABLE_TELEMETRY="1", DISABLE_ERROR_REPORTING="1")
        argv = [claude, "plugin", "eval", str(plugin), "--case", case, "--runs", "1", "--trust-plugin", "--scaffold",
                "--mocks", "off", "--allow-tools", PREFIX.rstrip("_"), "--ablation", "none", "--no-publish",
                "--json", str(out), "--output-dir", str(out.parent / "results")]
        proc = subprocess.run(argv, cwd=out.parent, env=env, capture_output=True, text=True, timeout=600)
        requests = [{"method": m, "path": p, "body": b} for m, p, b in fake.all_requests]
    (out.parent / "requests.json").write_text(json.dumps(requests))
    (out.parent / "eval.log").write_text(proc.stdout + "\n--- stderr\n" + proc.stderr)
    return 0


def main(argv: list[str]) -> int:
    if argv[0] == "plugin-eval":
        _, claude, plugin, case, out = argv
        return plugin_eval(claude, Path(plugin), case, Path(out))
    claude, project, out, sep, *rest = argv
    assert sep == "--"
    prompts = [rest[0]] + [p for flag, p in zip(rest[1::2], rest[2::2]) if flag == "--continue"]
    home = Path(out).parent / "home"
    home.mkdir(parents=True, exist_ok=True)
    runs, requests = run(claude, Path(project), prompts, home)
    Path(out).write_text(json.dumps({"runs": runs, "requests": requests}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
