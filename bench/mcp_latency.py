"""How fast the MCP server answers: time from starting the server (as Claude Code does, over stdio) to
the end of the handshake, then to the answer of the first `review` of the churn scenario, then of a
second `review` (served from the stored review) and a `get_finding`.

    .venv/bin/python bench/mcp_latency.py [--runs 5]

Prints one line per measure (median and worst over the runs); the target is a first review in under
a second after the server starts.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from mcp import Client
from mcp.client.stdio import StdioServerParameters

REPO = Path(__file__).resolve().parent.parent
CHURN = REPO / "scenarios" / "churn_predictor" / "workspace"


async def one_run(project: Path, data: Path) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV",)}
    env.update(CLAUDE_PROJECT_DIR=str(project), CLAUDE_PLUGIN_DATA=str(data), WICKED_DATA_PYTHON=sys.executable)
    params = StdioServerParameters(command=str(REPO / "scripts" / "mcp-server"), env=env, cwd=str(project))
    start = time.perf_counter()
    async with Client(params, read_timeout_seconds=120) as client:
        ready = time.perf_counter()
        first = await client.call_tool("review", {"path": "models/churn_predictor"})
        reviewed = time.perf_counter()
        assert not first.is_error, first.content
        again = await client.call_tool("review", {"path": "models/churn_predictor"})
        second = time.perf_counter()
        assert again.structured_content["stored"]
        fid = first.structured_content["findings"][0]["id"]
        detail = await client.call_tool("get_finding", {"finding_id": fid})
        got = time.perf_counter()
        assert not detail.is_error
    return {"server start + handshake": ready - start, "first review after start": reviewed - start,
            "first review call": reviewed - ready, "stored review call": second - reviewed,
            "get_finding call": got - second}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results: list[dict[str, float]] = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            project = Path(tmp) / "project"
            shutil.copytree(CHURN, project / "models" / "churn_predictor")
            results.append(asyncio.run(one_run(project, Path(tmp) / "data")))
    print(f"MCP server latency, churn scenario, {args.runs} cold starts (fresh data folder each)")
    for key in results[0]:
        values = [r[key] for r in results]
        print(f"  {key:28s} median {statistics.median(values) * 1000:7.0f} ms   worst {max(values) * 1000:7.0f} ms")
    first = statistics.median(r["first review after start"] for r in results)
    print(f"first_review_after_start_seconds={first:.3f} (target < 1.0)")


if __name__ == "__main__":
    main()
