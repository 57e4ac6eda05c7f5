"""The MCP server through real MCP clients: in process, over stdio (the server as Claude Code starts it,
after the plugin's first-start install) and through the MCP Inspector CLI."""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from wicked_data.server.app import Service, build_server
from wicked_data.server.workspace import Workspace
from tests.conftest import REPO
from tests.external import INSPECTOR, npm_bin, offline, offline_pip_env, plugin_copy

CHURN = REPO / "scenarios" / "churn_predictor" / "workspace"


@pytest.fixture
def project(tmp_path):
    """A user's project: the churn scenario under models/, a clean helper and a file outside."""
    root = tmp_path / "project"
    shutil.copytree(CHURN, root / "models" / "churn")
    (root / "notes.py").write_text("x = 1\n")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret_train.py").write_text(
        "import pandas as pd\ndf = pd.read_csv('s.csv')\ndf['age'] = pd.Timestamp.now() - df['born']\n")
    return root


def run(service: Service, calls):
    """Run `calls(client)` against a fresh in-process server on `service`."""
    async def main():
        async with Client(build_server(service)) as client:
            return await calls(client)
    return asyncio.run(main())


def call(service: Service, tool: str, **args):
    async def calls(client):
        return await client.call_tool(tool, args)
    return run(service, calls)


def service_for(root: Path, data: Path) -> Service:
    return Service(Workspace(project=root.resolve()), data=data)


def test_tools_are_listed_read_only_with_descriptions_and_schemas(project, tmp_path):
    async def calls(client):
        return await client.list_tools(), client.instructions
    tools, instructions = run(service_for(project, tmp_path / "data"), calls)
    names = {t.name for t in tools.tools}
    assert {"review", "leakage_scan", "metric_audit", "skew_diff", "production_audit", "list_findings",
            "get_finding", "explain_rule", "model_card", "validate_model_card", "audit_report", "feature_inventory",
            "plan"} <= names
    for tool in tools.tools:
        assert tool.annotations.read_only_hint is True and tool.annotations.open_world_hint is False
        assert tool.description and not tool.description.startswith(" "), tool.name
        assert tool.output_schema, f"{tool.name} has no structured output"
        assert "ctx" not in tool.input_schema.get("properties", {})
    assert "get_finding" in instructions and "guess" in instructions


def test_review_returns_grounded_findings_and_counts(project, tmp_path):
    result = call(service_for(project, tmp_path / "data"), "review", path="models/churn")
    assert not result.is_error
    data = result.structured_content
    assert data["root"] == "models/churn"
    assert data["files_reviewed"] == 3
    assert data["by_severity"]["P1"] >= 5
    rules = {(f["rule"], f["file"], f["line"]) for f in data["findings"]}
    assert ("ML101", "model.py", 12) in rules and ("ML101", "model.py", 14) in rules
    assert ("ML405", "predict.py", 15) in rules  # division by zero in predict.py
    ranks = [f["severity"] for f in data["findings"]]
    assert ranks == sorted(ranks), "most severe first"
    assert data["stored"] is False
    again = call(service_for(project, tmp_path / "data"), "review", path="models/churn").structured_content
    assert again["stored"] is True and again["findings"] == data["findings"]


def test_review_pages_big_results(project, tmp_path):
    svc = service_for(project, tmp_path / "data")
    first = call(svc, "review", path="models/churn", page_size=5).structured_content
    assert len(first["findings"]) == 5 and first["page"]["next_page"] == 2
    total = first["page"]["total"]
    seen = []
    page = 1
    while page:
        data = call(svc, "review", path="models/churn", page_size=5, page=page).structured_content
        seen += [f["id"] for f in data["findings"]]
        page = data["page"]["next_page"]
    assert len(seen) == len(set(seen)) == total
    bad = call(svc, "review", path="models/churn", page=99)
    assert bad.is_error and "page 99 does not exist" in bad.content[0].text


def test_scans_keep_to_their_family(project, tmp_path):
    svc = service_for(project, tmp_path / "data")
    leak = call(svc, "leakage_scan", path="models/churn").structured_content
    assert leak["findings"] and {f["family"] for f in leak["findings"]} == {"data-handling"}
    metrics = call(svc, "metric_audit", path="models/churn").structured_content
    assert {f["rule"] for f in metrics["findings"]} >= {"ML201", "ML202", "ML203"}
    assert {f["family"] for f in metrics["findings"]} == {"evaluation"}
    prod = call(svc, "production_audit", path="models/churn").structured_content
    assert {f["rule"] for f in prod["findings"]} >= {"ML401", "ML404", "ML405", "ML408"}
    failing = {c["check"] for c in prod["checklist"] if c["status"] == "fail"}
    assert "Input validation" in failing and "Model versioning and metadata" in failing
    assert prod["serving_files"] == ["predict.py"]
    for item in prod["checklist"]:
        assert (item["status"] == "fail") == bool(item["findings"])


def test_skew_diff_compares_features(project, tmp_path):
    data = call(service_for(project, tmp_path / "data"), "skew_diff", path="models/churn").structured_content
    pair = data["pairs"][0]
    assert (pair["training_file"], pair["serving_file"]) == ("model.py", "predict.py")
    rows = {r["feature"]: r for r in pair["features"]}
    assert rows["avg_order_value"]["status"] == "different"
    assert rows["tenure_months"]["status"] == "different"
    assert pair["different"] == sum(r["status"] == "different" for r in pair["features"])
    bad = call(service_for(project, tmp_path / "data"), "skew_diff", path="models/churn", training="nope.py")
    assert bad.is_error and "nope.py" in bad.content[0].text


def test_list_findings_filters(project, tmp_path):
    svc = service_for(project, tmp_path / "data")
    p1 = call(svc, "list_findings", path="models/churn", severity="P1").structured_content
    assert p1["findings"] and all(f["severity"] == "P1" for f in p1["findings"])
    pred = call(svc, "list_findings", path="models/churn", file="predict.py").structured_content
    assert pred["findings"] and all(f["file"] == "predict.py" for f in pred["findings"])
    rule = call(svc, "list_findings", path="models/churn", rule="ML20").structured_content
    assert rule["findings"] and all(f["rule"].startswith("ML20") for f in rule["findings"])
    fam = call(svc, "list_findings", path="models/churn", family="feature-engineering").structured_content
    assert {f["family"] for f in fam["findings"]} == {"feature-engineering"}
    bad = call(svc, "list_findings", path="models/churn", family="vibes")
    assert bad.is_error and "unknown family" in bad.content[0].text


def test_get_finding_explains_and_survives_a_restart(project, tmp_path):
    data = tmp_path / "data"
    first = call(service_for(project, data), "review", path="models/churn").structured_content
    leak = next(f for f in first["findings"] if f["rule"] == "ML101")
    # A new server process (claude --continue restarts it) with the same data folder.
    detail = call(service_for(project, data), "get_finding", finding_id=leak["id"]).structured_content
    assert detail["file"] == "model.py" and detail["line"] == leak["line"]
    assert "pd.Timestamp.now()" in detail["evidence"]
    assert detail["why_it_matters"] and detail["how_to_fix"]
    assert detail["remediation"]["summary"]
    code = detail["remediation"]["code"]
    assert code and "now()" not in code
    missing = call(service_for(project, data), "get_finding", finding_id="ML101-000000")
    assert missing.is_error and "run review" in missing.content[0].text


def test_resources_and_prompts(project, tmp_path):
    svc = service_for(project, tmp_path / "data")
    fid = call(svc, "review", path="models/churn").structured_content["findings"][0]["id"]

    async def calls(client):
        finding = await client.read_resource(f"finding://{fid}")
        rule = await client.read_resource("rule://ML101")
        prompts = await client.list_prompts()
        report = await client.get_prompt("review_report", {"path": "models/churn"})
        return finding, rule, prompts, report
    finding, rule, prompts, report = run(svc, calls)
    assert json.loads(finding.contents[0].text)["id"] == fid
    assert rule.contents[0].text.startswith("# ML101 wall-clock-feature")
    assert {"review_report", "remediation", "model_card_prompt"} <= {p.name for p in prompts.prompts}
    assert "models/churn" in report.messages[0].content.text


def test_explain_rule(project, tmp_path):
    svc = service_for(project, tmp_path / "data")
    info = call(svc, "explain_rule", rule="wall-clock-feature").structured_content
    assert info["id"] == "ML101" and "## Use instead" in info["documentation"]
    bad = call(svc, "explain_rule", rule="ML999")
    assert bad.is_error and "unknown rule" in bad.content[0].text


@pytest.mark.parametrize("path, message", [
    ("../elsewhere", "contains '..'"),
    ("models/../../elsewhere", "contains '..'"),
    ("/etc", "outside the project"),
    ("missing_dir", "does not exist"),
    ("models\x00", "NUL"),
])
def test_paths_outside_the_project_are_refused(project, tmp_path, path, message):
    result = call(service_for(project, tmp_path / "data"), "review", path=path)
    assert result.is_error and message in result.content[0].text


def test_symlinks_leading_out_are_refused_and_skipped(project, tmp_path):
    (project / "link_out").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (project / "models" / "churn" / "stolen.py").symlink_to(tmp_path / "elsewhere" / "secret_train.py")
    svc = service_for(project, tmp_path / "data")
    direct = call(svc, "review", path="link_out")
    assert direct.is_error and "symlink leading outside the project" in direct.content[0].text
    data = call(svc, "review", path=".").structured_content
    assert not any("secret_train" in f["file"] or f["file"].startswith("link_out") for f in data["findings"])
    assert any("link_out" in e and "outside the project" in e for e in data["errors"])
    assert any("stolen.py" in e and "outside the project" in e for e in data["errors"])


def test_extra_roots_from_the_environment(project, tmp_path, monkeypatch):
    monkeypatch.setenv("CLAUDE_PROJECT_DIR", str(project))
    monkeypatch.setenv("WICKED_DATA_ROOTS", str(tmp_path / "elsewhere"))
    svc = Service(Workspace.from_env(), data=tmp_path / "data")
    data = call(svc, "leakage_scan", path=str(tmp_path / "elsewhere")).structured_content
    assert [f["rule"] for f in data["findings"]] == ["ML101"]


def test_client_roots_are_added(project, tmp_path):
    from mcp_types import ListRootsResult, Root

    other = tmp_path / "elsewhere"

    async def roots(context):
        return ListRootsResult(roots=[Root(uri=other.as_uri(), name="data science repo")])

    async def main():
        async with Client(build_server(service_for(project, tmp_path / "data")), list_roots_callback=roots,
                          mode="legacy") as client:
            return await client.call_tool("leakage_scan", {"path": str(other)})
    result = asyncio.run(main())
    assert not result.is_error, result.content
    assert [f["rule"] for f in result.structured_content["findings"]] == ["ML101"]


def test_bad_code_in_the_project_gives_error_entries_not_failures(project, tmp_path):
    (project / "broken.py").write_text("def f(:\n")
    (project / "latin.py").write_bytes(b"x = '\xe9'\n")
    data = call(service_for(project, tmp_path / "data"), "review", path=".").structured_content
    assert any(e.startswith("broken.py") for e in data["errors"])
    assert any(f["file"] == "models/churn/model.py" for f in data["findings"])


def _stdio_params(project: Path, command: list[str], extra_env: dict[str, str]) -> StdioServerParameters:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(extra_env, CLAUDE_PROJECT_DIR=str(project))
    return StdioServerParameters(command=command[0], args=command[1:], env=env, cwd=str(project))


def test_plugin_server_installs_itself_offline_and_answers_over_stdio(project, tmp_path):
    """What a user gets from .mcp.json: the first start installs the dependencies into
    CLAUDE_PLUGIN_DATA (here from the local wheelhouse, with no network), then serves on stdio."""
    plugin_data = tmp_path / "plugin-data"
    # A module named like ours in the user's project must not shadow the server's own code.
    (project / "server.py").write_text("raise SystemExit('the user project was imported')\n")
    (project / "checks").mkdir()
    (project / "checks" / "__init__.py").write_text("raise SystemExit('the user project was imported')\n")
    plugin = plugin_copy(tmp_path / "plugin")  # as installed: no .venv of a checkout to fall back on
    env = {**offline_pip_env(), "CLAUDE_PLUGIN_DATA": str(plugin_data), "CLAUDE_PLUGIN_ROOT": str(plugin),
           "PATH": "/usr/local/bin:/usr/bin:/bin"}
    params = _stdio_params(project, offline([str(plugin / "scripts" / "mcp-server")]), env)

    async def main():
        async with Client(params, read_timeout_seconds=600) as client:
            tools = await client.list_tools()
            result = await client.call_tool("review", {"path": "models/churn"})
            return tools, result
    tools, result = asyncio.run(main())
    assert "review" in {t.name for t in tools.tools}
    assert not result.is_error and result.structured_content["by_severity"]["P1"] >= 5
    assert (plugin_data / "venv" / "bin" / "python").exists()
    assert list((plugin_data / "reviews").rglob("*.json")), "the review was stored in CLAUDE_PLUGIN_DATA"
    log = (plugin_data / "install.log").read_text()
    assert "Successfully installed" in log and "mcp-" in log


def test_stdio_server_with_the_test_interpreter(project, tmp_path):
    env = {"WICKED_DATA_PYTHON": sys.executable, "CLAUDE_PLUGIN_DATA": str(tmp_path / "d")}
    params = _stdio_params(project, [str(REPO / "scripts" / "mcp-server")], env)

    async def main():
        async with Client(params, read_timeout_seconds=120) as client:
            bad = await client.call_tool("review", {"path": "../x"})
            ok = await client.call_tool("metric_audit", {"path": "models/churn"})
            return bad, ok
    bad, ok = asyncio.run(main())
    assert bad.is_error and "'..'" in bad.content[0].text
    assert {f["rule"] for f in ok.structured_content["findings"]} >= {"ML201"}


def test_mcp_inspector_cli_lists_and_calls_tools(project, tmp_path):
    inspector = npm_bin(*INSPECTOR)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV",)}
    env.update(HOME=str(tmp_path / "home"), MCP_CATALOG_PATH=str(tmp_path / "catalog.json"))
    server_env = {"CLAUDE_PROJECT_DIR": str(project), "WICKED_DATA_PYTHON": sys.executable,
                  "CLAUDE_PLUGIN_DATA": str(tmp_path / "d")}
    base = [str(inspector), "--cli", "--cwd", str(project)]
    for key, value in server_env.items():
        base += ["-e", f"{key}={value}"]
    server = [str(REPO / "scripts" / "mcp-server")]

    def inspect_(*args: str) -> dict:
        proc = subprocess.run(offline([*base, *server, *args]), capture_output=True, text=True, timeout=300,
                              env=env, cwd=project)
        assert proc.returncode == 0, proc.stdout[-1000:] + proc.stderr[-2000:]
        return json.loads(proc.stdout)

    tools = {t["name"]: t for t in inspect_("--method", "tools/list")["tools"]}
    assert tools["review"]["annotations"]["readOnlyHint"] is True
    assert "outputSchema" in tools["get_finding"]
    payload = inspect_("--method", "tools/call", "--tool-name", "leakage_scan", "--tool-arg", "path=models/churn")
    findings = payload["structuredContent"]["findings"]
    assert {f["rule"] for f in findings} >= {"ML101"}
    templates = inspect_("--method", "resources/templates/list")
    assert {t["uriTemplate"] for t in templates["resourceTemplates"]} >= {"finding://{finding_id}", "rule://{rule_id}"}


def test_model_card_and_its_validation(project, tmp_path):
    svc = service_for(project, tmp_path / "data")
    card = call(svc, "model_card", path="models/churn").structured_content
    assert card["source"] == "template" and card["problems"] == []
    text = card["markdown"]
    assert text.startswith("---\n")
    p1 = call(svc, "list_findings", path="models/churn", severity="P1").structured_content["findings"]
    limitations = text.split("## Limitations", 1)[1].split("\n## ", 1)[0]
    assert all(f["id"] in limitations for f in p1)
    assert "Unknown" in text or "unknown" in text
    ok = call(svc, "validate_model_card", markdown=text, path="models/churn").structured_content
    assert ok == {"valid": True, "problems": []}
    broken = text.replace("## Limitations", "## Caveats").replace("Unknown", "2024-03-01")
    bad = call(svc, "validate_model_card", markdown=broken, path="models/churn").structured_content
    assert bad["valid"] is False and any("Limitations" in p for p in bad["problems"])
    huge = call(svc, "validate_model_card", markdown="x" * 300_000, path="models/churn")
    assert huge.is_error


def _leak_fix(request: dict) -> dict:
    """A scripted model that writes a remediation for the ML101 finding (a valid one)."""
    return {"content": [{"type": "tool_use", "name": "write_remediation", "input": {
        "summary": "tenure_months is measured against the wall clock. Measure it against each row's snapshot "
                   "date instead, so training and inference agree.",
        "code": "df['tenure_months'] = (df['snapshot_date'] - pd.to_datetime(df['signup_date'])).dt.days / 30"}}]}


def test_get_finding_uses_the_model_when_a_key_is_set(project, tmp_path, monkeypatch):
    from wicked_data.checks.llm.fake import FakeAnthropic

    data = tmp_path / "data"
    leak = next(f for f in call(service_for(project, data), "review", path="models/churn").structured_content["findings"]
                if f["rule"] == "ML101")
    with FakeAnthropic(_leak_fix) as fake:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-not-a-real-key")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        detail = call(service_for(project, data), "get_finding", finding_id=leak["id"]).structured_content
        assert fake.requests and "write_remediation" in json.dumps(fake.requests[0]["tools"])
    assert detail["remediation"]["source"] == "llm"
    assert "snapshot_date" in detail["remediation"]["code"] and detail["remediation"]["notice"] is None


def test_get_finding_falls_back_when_the_model_fails(project, tmp_path, monkeypatch):
    from wicked_data.checks.llm.fake import FakeAnthropic

    data = tmp_path / "data"
    leak = next(f for f in call(service_for(project, data), "review", path="models/churn").structured_content["findings"]
                if f["rule"] == "ML101")
    with FakeAnthropic(lambda request: {"status": 400, "message": "bad request"}) as fake:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-not-a-real-key")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        detail = call(service_for(project, data), "get_finding", finding_id=leak["id"]).structured_content
    assert detail["remediation"]["source"] == "template" and detail["remediation"]["notice"]
    assert "now()" not in detail["remediation"]["code"]
    assert "sk-ant-test" not in json.dumps(detail)


LEADS = REPO / "scenarios" / "lead_scoring" / "workspace"


def test_the_audit_report_is_reachable_with_every_section(tmp_path):
    from wicked_data.checks.remediate.facts import model_facts
    from wicked_data.checks.scenario_eval import audit_complaints

    root = tmp_path / "project"
    shutil.copytree(LEADS, root / "leads")
    result = call(service_for(root, tmp_path / "data"), "audit_report", path="leads")
    assert not result.is_error, result.content
    data = result.structured_content
    assert data["root"] == "leads" and data["verdict"].startswith("Verdict: not production ready")
    assert audit_complaints(data["markdown"], model_facts([root / "leads"])) == []


def test_the_feature_inventory_says_how_each_side_computes_each_feature(project, tmp_path):
    data = call(service_for(project, tmp_path / "data"), "feature_inventory", path="models/churn").structured_content
    assert (data["model"], data["target"], data["feature_count"]) == ("RandomForestClassifier", "churned", 7)
    rows = {row["name"]: row for row in data["features"]}
    assert rows["tenure_months"]["sources"] == ["signup_date"] and rows["tenure_months"]["training_at"] == "model.py:12"
    assert rows["tenure_months"]["parity"] == "different" and rows["order_count"]["parity"] == "same"
    assert "signup_date" in data["columns_read"]


def test_the_plan_tool_orders_by_severity(project, tmp_path):
    data = call(service_for(project, tmp_path / "data"), "plan", path="models/churn").structured_content
    ranks = [int(r["severity"][1]) for r in data["recommendations"]]
    assert ranks == sorted(ranks) and data["recommendations"][0]["finding_ids"]
