"""The serving audit end to end: the lead-scoring scenario (a FastAPI service spread over routes, a
pipeline, a registry, features, calibration and SQL) yields what a senior reviewer reports, at the
lines they point at; its audit report has every section and a data-flow graph whose nodes and arrows
are real functions and real calls; a well-made service gets no P1/P2 finding."""
import ast
import json
import re

import pytest

from wicked_data.checks import review
from wicked_data.checks.analysis.sql import clause_at, tables
from wicked_data.checks.cli import main
from wicked_data.checks.config import Config
from tests.conftest import REPO

SCENARIO = REPO / "scenarios" / "lead_scoring"
WORKSPACE = SCENARIO / "workspace"
# The expectations this suite owns: the serving rules and the SQL clock of ML101. The other rules'
# expectations of the scenario are scored by `wicked-data eval` (tests/test_scenario_eval.py).
OWNED = ("ML5", "ML101")
AUDIT_SECTIONS = ("## Executive summary", "## Data flow", "## Request and response shapes",
                  "## Calibration and confidence", "## Caching strategy", "## Risks by priority", "## Quick wins",
                  "## Open questions")


@pytest.fixture(scope="module")
def scenario_review():
    return review([WORKSPACE], Config(cache=False))


@pytest.fixture(scope="module")
def audit_text(tmp_path_factory):
    out = tmp_path_factory.mktemp("audit") / "audit.md"
    code = main(["review", str(WORKSPACE), "--format", "markdown", "--report", "audit", "--no-cache", "-o", str(out)])
    assert code == 1
    return out.read_text()


def _places(finding) -> set[tuple[str, int]]:
    return {(finding.file, finding.line), *((r.file, r.line) for r in finding.related)}


def test_scenario_yields_every_expected_serving_finding_at_its_line(scenario_review):
    assert not scenario_review.errors
    expected = [e for e in json.loads((SCENARIO / "expected.json").read_text()) if e["rule"].startswith(OWNED)]
    assert len(expected) >= 16
    missed = [(e["rule"], e["file"], e["line"]) for e in expected
              if not any(f.rule == e["rule"] and (e["file"], e["line"]) in _places(f) for f in scenario_review.findings)]
    assert missed == []


def test_scenario_serving_findings_are_the_expected_ones(scenario_review):
    """No serving finding the reviewer did not expect (the report stays as short as the audit)."""
    expected = {(e["rule"], e["file"], e["line"]) for e in json.loads((SCENARIO / "expected.json").read_text())}
    extra = [f"{f.rule} {f.file}:{f.line} {f.message}" for f in scenario_review.findings
             if f.rule.startswith("ML5") and (f.rule, f.file, f.line) not in expected]
    assert extra == []


def test_sql_clock_in_a_filter_is_not_a_feature(scenario_review):
    lines = {(f.file, f.line) for f in scenario_review.findings if f.rule == "ML101"}
    assert ("train/train_pipeline.py", 54) not in lines and ("app/db.py", 41) not in lines


def test_audit_report_has_every_section_in_order(audit_text):
    positions = [audit_text.index(section) for section in AUDIT_SECTIONS]
    assert positions == sorted(positions)
    summary = audit_text.split("## Executive summary")[1].split("## Data flow")[0]
    assert "❌" in summary and "✅" in summary
    # the calibration logic is quoted from the source, with its location
    assert "1.0 / (1.0 + np.exp(-SIGMOID_STEEPNESS * (raw_probability - 0.5)))" in audit_text
    assert "`app/calibration.py:14`" in audit_text and "`app/calibration.py:22`" in audit_text
    # shapes come from the route signatures, the response model and the returned dicts
    assert "a bare JSON array (`lead_ids: List[int]`)" in audit_text
    assert "a JSON object (`payload: dict`) with `lead_ids`" in audit_text
    assert "`BatchPredictionResponse` (`app/schemas.py:14`)" in audit_text
    assert "ttl=300" in audit_text.split("## Caching strategy")[1].split("## Risks")[0]
    for priority in ("### High priority (P1)", "### Medium priority (P2)", "### Low priority (P3)"):
        assert priority in audit_text


def test_every_audit_statement_cites_a_place(audit_text):
    """Risks, quick wins and open questions each name a file:line of the scenario."""
    tail = audit_text.split("## Risks by priority")[1]
    items = [line for line in tail.splitlines() if re.match(r"^\d+\. ", line)]
    assert items
    for item in items:
        places = re.findall(r"`([\w/.]+):(\d+)`", item)
        assert places, item
        for file, line in places:
            assert int(line) <= len((WORKSPACE / file).read_text().splitlines()), item


def _mermaid(text: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    block = text.split("```mermaid\n")[1].split("```")[0]
    lines = block.splitlines()
    assert lines[0].startswith("flowchart")
    nodes, edges = {}, []
    for line in lines[1:]:
        line = line.strip()
        edge = re.fullmatch(r"(\w+) --> (\w+)", line)
        node = re.fullmatch(r'(\w+)[\[\(\{>]+"(.*)"[\]\)\}]+', line)
        if edge:
            edges.append(edge.groups())
        elif node:
            nodes[node.group(1)] = node.group(2)
    return nodes, edges


def _functions(file: str) -> dict[str, ast.AST]:
    """Qualified name -> function node of a scenario file."""
    tree = ast.parse((WORKSPACE / file).read_text())
    out = {}

    def walk(body, prefix):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                out[prefix + node.name] = node
            elif isinstance(node, ast.ClassDef):
                walk(node.body, f"{prefix}{node.name}.")
    walk(tree.body, "")
    return out


def _function_of(label: str) -> tuple[str, str, int] | None:
    """(qualname, file, line) of a function node's label: 'POST /x: name()<br/>app/routes.py:17...'."""
    match = re.search(r"([\w.]+)\(\)<br/>([\w/.]+\.py):(\d+)", label)
    return (match.group(1), match.group(2), int(match.group(3))) if match else None


def test_mermaid_graph_names_real_functions_and_follows_real_calls(audit_text):
    nodes, edges = _mermaid(audit_text)
    functions = {node_id: _function_of(label) for node_id, label in nodes.items() if _function_of(label)}
    assert len(functions) >= 8
    for node_id, (qualname, file, line) in functions.items():
        defined = _functions(file)
        assert qualname in defined, (qualname, file)
        assert defined[qualname].lineno == line, (qualname, file, line)
    for source, target in edges:
        assert source in nodes and target in nodes
        if source in functions and target in functions:
            caller_name, caller_file, _ = functions[source]
            callee = functions[target][0].rsplit(".", 1)[-1]
            body = _functions(caller_file)[caller_name]
            called = {n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", "")
                      for n in ast.walk(body) if isinstance(n, ast.Call)}
            read = {n.attr for n in ast.walk(body) if isinstance(n, ast.Attribute)}  # properties
            assert callee in called | read, (caller_name, callee)
    # the request path of the seed: endpoint -> pipeline -> query, features, model, calibration -> response
    by_name = {v[0]: k for k, v in functions.items()}
    reachable = _reachable(by_name["predict_batch"], edges)
    for name in ("cached_batch_prediction", "AdvancedMLPipeline.predict_batch", "fetch_lead_rows", "build_features",
                 "calibrate_probability", "confidence_score", "get_model"):
        assert by_name[name] in reachable, name
    stages = {nodes[n].split("<br/>")[0].split(":")[0] for n in reachable if n not in functions}
    assert {"SQL query", "model.predict_proba", "response"} <= stages


def _reachable(start: str, edges: list[tuple[str, str]]) -> set[str]:
    seen, stack = {start}, [start]
    while stack:
        current = stack.pop()
        for source, target in edges:
            if source == current and target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def test_audit_report_needs_markdown(capsys):
    assert main(["review", str(WORKSPACE), "--format", "json", "--report", "audit"]) == 2
    assert "--report audit needs --format markdown" in capsys.readouterr().err


def test_clean_service_has_no_serious_findings():
    result = review([REPO / "tests" / "clean_service"], Config(cache=False))
    assert not result.errors
    serious = [f"{f.rule} {f.file}:{f.line} {f.message}" for f in result.findings if f.severity.value in ("P1", "P2")]
    assert serious == []


def test_clean_service_audit_reports_healthy_areas(tmp_path):
    out = tmp_path / "audit.md"
    main(["review", str(REPO / "tests" / "clean_service"), "--format", "markdown", "--report", "audit", "-o", str(out)])
    text = out.read_text()
    for section in AUDIT_SECTIONS[:3]:
        assert section in text
    assert "❌" not in text.split("## Data flow")[0]


@pytest.mark.parametrize("sql, word, clause", [
    ("SELECT (EXTRACT(EPOCH FROM (NOW() - created_at))) AS age FROM t", "NOW", "SELECT"),
    ("SELECT id FROM t WHERE created_at > NOW() - INTERVAL '1 day'", "NOW", "WHERE"),
    ("SELECT id FROM t WHERE id IN (SELECT person_id, NOW() AS x FROM v)", "NOW", "SELECT"),
    ("SELECT CAST(x AS date), y FROM t JOIN u ON u.ends > NOW()", "NOW", "ON"),
    ("SELECT id -- NOW() here is a comment\nFROM t", "NOW", None),
    ("SELECT 'NOW()' AS label FROM t", "NOW", None),
])
def test_sql_clause_of_a_position(sql, word, clause):
    assert clause_at(sql, sql.index(word)) == clause


def test_sql_tables_skip_expressions_and_subqueries():
    sql = ("SELECT EXTRACT(EPOCH FROM (NOW() - p.created_at)) FROM people p "
           "LEFT JOIN (SELECT * FROM visits) v ON v.pid = p.id JOIN campuses c ON c.id = p.campus_id")
    assert tables(sql) == ["people", "visits", "campuses"]


# ---------------------------------------------------------------------- the seed 001 sections
def _section(text: str, title: str) -> str:
    return text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_audit_has_every_seed_001_section_with_its_content(audit_text):
    from wicked_data.checks.remediate.facts import model_facts
    from wicked_data.checks.scenario_eval import audit_complaints

    assert audit_complaints(audit_text, model_facts([WORKSPACE])) == []


def test_the_audit_content_comes_from_the_code(audit_text):
    summary = _section(audit_text, "Executive summary")
    assert "`RandomForestClassifier`" in summary and "`has_application`" in summary
    assert "**Verdict: not production ready.**" in summary
    model = _section(audit_text, "Target variable and model details")
    assert "`has_application` (`train/train_pipeline.py:95`)" in model
    assert "inside `Pipeline` (steps select -> scale -> model)" in model and "`DummyClassifier`" in model
    assert "`n_estimators=cfg[\"n_estimators\"]`: 100 in config.yaml:15" in model
    assert "`trained_at`" in model and "`sklearn_version`" in model  # the version the bundle records
    shapes = _section(audit_text, "Request and response shapes")
    assert "- HTTP 400 with `{\"detail\": 'lead_ids is required'}` (`app/routes.py:31`)." in shapes
    features = _section(audit_text, "Feature engineering analysis")
    assert "### Current features (25 features" in features
    ratios = features.split("**Ratios and rates**", 1)[1].split("**", 1)[0]
    assert "`email_click_rate` = `email_clicks / email_opens` (`app/features.py:59`)" in ratios
    assert "**Temporal** (5)" in features and "**Categorical encodings** (5)" in features
    performance = _section(audit_text, "Model performance")
    assert "the artifact's `performance`" in performance
    database = _section(audit_text, "Database integration")
    assert "`LEAD_FEATURES_SQL` (`app/db.py:12`): reads `people`; bound parameters `lead_ids`" in database
    recommendations = _section(audit_text, "Recommendations")
    assert recommendations.index("### Immediate actions") < recommendations.index("### Architecture improvements")
