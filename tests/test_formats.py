"""The report formats, on a review built by hand so the tests do not depend on which rules exist.

Rule documentation (help lines, fix hints, SARIF rule descriptors) is checked against whatever the
registry holds when the test runs: a finding whose rule is not registered must still render.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from wicked_data.checks.formats import FORMATS, render
from wicked_data.checks.formats.describe import help_line, summary
from wicked_data.checks.models import (
    ErrorEntry, FileEntry, Finding, Related, Review, Severity, ToolInfo, family_of,
)
from wicked_data.checks.rules.base import registry

SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

FAMILY_TITLES = {
    "data-handling": "Data Handling",
    "evaluation": "Evaluation",
    "feature-engineering": "Feature Engineering",
    "production": "Production Readiness",
    "serving": "Serving",
}
SEVERITY_TITLES = {"P1": "Critical (P1)", "P2": "High Priority (P2)", "P3": "Advisory (P3)"}


def make_finding(
    rule: str, name: str, severity: str, file: str, line: int, evidence: str, **extra
) -> Finding:
    fields = {"confidence": "high", "message": f"{name} at {file}:{line}", "end_line": line} | extra
    finding = Finding(
        rule=rule, name=name, family=family_of(rule), severity=Severity(severity),
        file=file, line=line, evidence=evidence, **fields,
    )
    return finding.with_id()


WALL_CLOCK = make_finding(
    "ML101", "wall-clock-feature", "P1", "model.py", 12,
    "df['tenure_months'] = (pd.Timestamp.now() - pd.to_datetime(df['signup_date'])).dt.days / 30",
    message="tenure_months is computed from the current time; "
    "training and inference see different values",
    related=[Related(file="predict.py", line=13, note="inference takes tenure_months as given")],
)
FILLNA = make_finding(
    "ML108", "blanket-fillna", "P2", "model.py", 17, "df = df.fillna(0)",
    column=5, confidence="medium",
)
ACCURACY = make_finding(
    "ML201", "accuracy-only-metric", "P1", "model.py", 33,
    'print(f"Accuracy: {accuracy_score(y_test, y_pred):.2f}")',
)
NOTEBOOK = make_finding(
    "ML209", "metrics-not-persisted", "P3", "notebooks/explore.ipynb", 14, "print(scores)",
    cell=3, cell_line=2, confidence="low",
)
SKEW = make_finding(
    "ML301", "train-serve-feature-mismatch", "P1", "predict.py", 16,
    "        'avg_order_value': customer_data['total_revenue'] / customer_data['order_count'],",
    column=27, end_column=88, related=[Related(file="model.py", line=13)],
)
LOAD = make_finding(
    "ML407", "model-load-side-effect", "P2", "predict.py", 5,
    'with open("churn_model.pkl", "rb") as f:\n    model = pickle.load(f)', end_line=6,
)
NO_VERSION = make_finding(
    "ML409", "no-model-version-in-output", "P3", "predict.py", 22,
    "    return model.predict_proba(features)[0][1]", column=4,
)
# Deliberately out of family and severity order: the reports must do the grouping.
FINDINGS = [NO_VERSION, NOTEBOOK, SKEW, FILLNA, LOAD, ACCURACY, WALL_CLOCK]


@pytest.fixture
def review() -> Review:
    return Review(
        tool=ToolInfo(version="0.1.0"),
        root="models/churn_predictor",
        files=[
            FileEntry(path="model.py", role="training"),
            FileEntry(path="predict.py", role="inference"),
            FileEntry(path="notebooks/explore.ipynb", role="notebook"),
            FileEntry(path="config.yaml", role="config"),
        ],
        findings=FINDINGS,
        errors=[ErrorEntry(file="broken.py", message="syntax error at line 4: unexpected indent")],
    )


def test_every_format_renders_and_unknown_formats_are_refused(review):
    assert FORMATS == ("text", "json", "markdown", "sarif", "github")
    for fmt in FORMATS:
        assert render(review, fmt).strip()
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        render(review, "xml")


# --- json ---------------------------------------------------------------------------------------

FINDING_KEYS = {"id", "rule", "name", "family", "severity", "confidence", "message", "file", "line",
                "column", "end_line", "evidence", "related"}


def test_json_is_the_contract_and_round_trips(review):
    output = render(review, "json")
    data = json.loads(output)
    assert data == review.to_json_dict()
    lines = output.splitlines()
    assert len([line for line in lines if line.lstrip().startswith('{"id": ')]) == len(review.findings)
    assert set(data) == {"schema", "tool", "root", "files", "findings", "errors"}
    assert data["schema"] == "wicked-data/review@1"
    assert data["tool"] == {"name": "wicked-data", "version": "0.1.0"}
    assert data["errors"] == [
        {"file": "broken.py", "message": "syntax error at line 4: unexpected indent"}
    ]
    assert Review.model_validate(data) == review


def test_json_findings_use_the_contract_field_names(review):
    findings = {f["rule"]: f for f in json.loads(render(review, "json"))["findings"]}
    assert set(findings["ML101"]) == FINDING_KEYS
    assert set(findings["ML209"]) == FINDING_KEYS | {"cell", "cell_line"}
    assert findings["ML101"]["related"] == [
        {"file": "predict.py", "line": 13, "note": "inference takes tenure_months as given"}
    ]
    assert findings["ML101"]["id"] == WALL_CLOCK.id
    assert re.fullmatch(r"ML101-[0-9a-f]{6}", WALL_CLOCK.id)


# --- sarif --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sarif_validator() -> Draft202012Validator:
    schema = json.loads(SARIF_SCHEMA.read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def schema_errors(validator: Draft202012Validator, document: dict) -> list[str]:
    errors = validator.iter_errors(document)
    return [f"{list(error.absolute_path)}: {error.message}" for error in errors]


def test_sarif_validates_against_the_official_schema(review, sarif_validator):
    assert schema_errors(sarif_validator, json.loads(render(review, "sarif"))) == []


def test_sarif_validates_without_findings_or_errors(sarif_validator):
    empty = Review(tool=ToolInfo(version="0.1.0"), root="/abs/path")
    assert schema_errors(sarif_validator, json.loads(render(empty, "sarif"))) == []


@pytest.mark.parametrize("breakage", ["bad level", "no version", "string line"])
def test_a_broken_sarif_document_fails_validation(review, sarif_validator, breakage):
    # Each breakage sits behind a different `$ref`, so passing proves the references resolve.
    document = json.loads(render(review, "sarif"))
    result = document["runs"][0]["results"][0]
    if breakage == "bad level":
        result["level"] = "fatal"
    elif breakage == "no version":
        del document["version"]
    else:
        result["locations"][0]["physicalLocation"]["region"]["startLine"] = "12"
    assert schema_errors(sarif_validator, document)


def test_sarif_run_describes_tool_rules_and_root(review):
    run = json.loads(render(review, "sarif"))["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("wicked-data", "0.1.0")
    assert driver["informationUri"] == "https://github.com/wicked-data/wicked-data"
    descriptor_ids = [rule["id"] for rule in driver["rules"]]
    assert len(descriptor_ids) == len(set(descriptor_ids))
    assert set(registry()) | {f.rule for f in FINDINGS} == set(descriptor_ids)
    # absolute, as SARIF requires of a base id nothing else resolves
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": (Path.cwd() / "models/churn_predictor").as_uri() + "/"}}
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True
    [notification] = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert notification["message"]["text"] == "syntax error at line 4: unexpected indent"
    [location] = notification["locations"]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "broken.py"


def test_sarif_descriptors_carry_the_rule_docs():
    document = json.loads(render(Review(tool=ToolInfo(version="0.1.0"), root="."), "sarif"))
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    levels = {"P1": "error", "P2": "warning", "P3": "note"}
    for descriptor, rule in zip(rules, registry().values(), strict=True):
        assert descriptor["id"] == rule.id and descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == summary(rule)
        assert descriptor["defaultConfiguration"]["level"] == levels[Severity(rule.severity).value]
        assert descriptor["properties"]["tags"] == [family_of(rule.id)]
        assert descriptor.get("help", {}).get("text", "") == rule.section("Use instead")


def test_sarif_results_locate_and_fingerprint_each_finding(review):
    run = json.loads(render(review, "sarif"))["runs"][0]
    levels = {"P1": "error", "P2": "warning", "P3": "note"}
    assert len(run["results"]) == len(FINDINGS)
    for result, finding in zip(run["results"], FINDINGS, strict=True):
        descriptor = run["tool"]["driver"]["rules"][result["ruleIndex"]]
        assert descriptor["id"] == result["ruleId"] == finding.rule
        assert result["level"] == levels[finding.severity.value]
        assert result["message"]["text"] == finding.message
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": finding.file, "uriBaseId": "%SRCROOT%"}
        assert location["region"] == {
            "startLine": finding.line,
            "startColumn": finding.column + 1,
            "endLine": finding.end_line,
            "snippet": {"text": finding.evidence},
            # SARIF's end column is 1-based and exclusive: the span's last character + 1
            **({"endColumn": finding.end_column + 1} if finding.end_column is not None else {}),
        }
        assert result["partialFingerprints"] == result["fingerprints"] == {"wickedData/v1": finding.id}
        assert result["properties"]["confidence"] == finding.confidence
        assert result["properties"]["severity"] == finding.severity.value


def test_sarif_related_locations_and_notebook_cells(review):
    results = {r["ruleId"]: r for r in json.loads(render(review, "sarif"))["runs"][0]["results"]}
    [related] = results["ML101"]["relatedLocations"]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "predict.py"
    assert related["physicalLocation"]["region"] == {"startLine": 13}
    assert related["message"]["text"] == "inference takes tenure_months as given"
    assert "message" not in results["ML301"]["relatedLocations"][0]  # no note, no empty message
    assert "relatedLocations" not in results["ML108"]
    notebook = results["ML209"]["properties"]
    assert notebook == {"confidence": "low", "severity": "P3", "cell": 3, "cellLine": 2}


def test_sarif_root_uri_is_a_file_uri_when_absolute():
    review = Review(tool=ToolInfo(version="0.1.0"), root="/tmp/ml models/churn/")
    run = json.loads(render(review, "sarif"))["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///tmp/ml%20models/churn/"


# --- markdown -----------------------------------------------------------------------------------

def heading_path(markdown: str, needle: str) -> tuple[str | None, str | None]:
    """The `## ` and `### ` headings the first line containing `needle` sits under."""
    family = severity = None
    for line in markdown.splitlines():
        if line.startswith("## "):
            family, severity = line[3:], None
        elif line.startswith("### "):
            severity = line[4:]
        elif needle in line:
            return family, severity
    raise AssertionError(f"{needle!r} not in the report")


def test_markdown_sections_come_in_family_order(review):
    markdown = render(review, "markdown")
    assert markdown.startswith("# wicked-data review: models/churn_predictor\n")
    sections = [line[3:] for line in markdown.splitlines() if line.startswith("## ")]
    # Serving has no finding, so it has no section.
    assert sections == ["Summary", "Data Handling", "Evaluation", "Feature Engineering",
                        "Production Readiness", "Production-readiness checklist", "Files reviewed", "Errors"]


def test_markdown_severities_come_in_order_within_each_family(review):
    markdown = render(review, "markdown")
    subsections: dict[str, list[str]] = {}
    family = None
    for line in markdown.splitlines():
        if line.startswith("## "):
            family = line[3:]
        elif line.startswith("### "):
            subsections.setdefault(family, []).append(line[4:])
    assert subsections == {
        "Data Handling": ["Critical (P1)", "High Priority (P2)"],
        "Evaluation": ["Critical (P1)", "Advisory (P3)"],
        "Feature Engineering": ["Critical (P1)"],
        "Production Readiness": ["High Priority (P2)", "Advisory (P3)"],
    }


@pytest.mark.parametrize("finding", FINDINGS, ids=lambda f: f.rule)
def test_markdown_lists_every_finding_under_its_family_and_severity(review, finding):
    markdown = render(review, "markdown")
    label = f"**{finding.name}** (`{finding.rule}`, {finding.confidence} confidence)"
    head = f"{label} — {finding.message}"
    expected = (FAMILY_TITLES[finding.family], SEVERITY_TITLES[finding.severity.value])
    assert heading_path(markdown, head) == expected
    assert markdown.count(head) == 1
    for source_line in finding.evidence.splitlines():
        assert source_line.strip() in markdown
    hint = help_line(finding.rule, finding.fix)
    if hint:
        assert f"**Fix:** {hint}" in markdown


def test_markdown_items_are_numbered_through_a_family_with_evidence_and_related(review):
    markdown = render(review, "markdown")
    assert "1. **wall-clock-feature** (`ML101`, high confidence)" in markdown
    assert "2. **blanket-fillna** (`ML108`, medium confidence)" in markdown
    assert "— `model.py:12`" in markdown
    assert "   ```python\n   df['tenure_months'] = (pd.Timestamp.now()" in markdown
    assert "   - related: `predict.py:13` inference takes tenure_months as given" in markdown
    assert "— `notebooks/explore.ipynb:cell 3:2`" in markdown


def test_markdown_summary_files_and_errors(review):
    markdown = render(review, "markdown")
    assert "| Data Handling | 1 | 1 | 0 | 2 |" in markdown
    assert "| Evaluation | 1 | 0 | 1 | 2 |" in markdown
    assert "| Production Readiness | 0 | 1 | 1 | 2 |" in markdown
    assert "| **Total** | 3 | 2 | 2 | 7 |" in markdown
    assert "| `notebooks/explore.ipynb` | notebook |" in markdown
    error = "`broken.py`: syntax error at line 4: unexpected indent"
    assert heading_path(markdown, error) == ("Errors", None)


def test_markdown_puts_unknown_families_after_the_known_ones(review):
    # A rule this installation does not know (a review written by another version) still renders.
    stranger = make_finding("ML901", "from-the-future", "P2", "model.py", 3, "x = 1")
    assert stranger.family == "other" and stranger.rule not in registry()
    review.findings.append(stranger)
    markdown = render(review, "markdown")
    sections = [line[3:] for line in markdown.splitlines() if line.startswith("## ")]
    assert sections[-5:] == ["Production Readiness", "Other", "Production-readiness checklist", "Files reviewed", "Errors"]
    assert heading_path(markdown, "**from-the-future** (`ML901`") == ("Other", "High Priority (P2)")
    for fmt in FORMATS:
        assert "ML901" in render(review, fmt)


def test_markdown_escapes_pipes_in_table_cells(review):
    review.files.append(FileEntry(path="odd|name.py", role="other"))
    [row] = [line for line in render(review, "markdown").splitlines() if "odd" in line]
    assert row == "| `odd\\|name.py` | other |"
    assert len(re.split(r"(?<!\\)\|", row)) == 4  # two cells between three unescaped pipes


def test_markdown_without_findings_or_errors():
    markdown = render(Review(tool=ToolInfo(version="0.1.0"), root="."), "markdown")
    assert "No findings." in markdown
    assert "### " not in markdown and "## Errors" not in markdown


# --- text ---------------------------------------------------------------------------------------

def block_of(text: str, rule: str) -> list[str]:
    """The lines of the finding block that starts with `rule`, up to the blank line that ends it."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{rule} "))
    return lines[start:lines.index("", start)]


def help_lines(rule: str, pad: str) -> list[str]:
    hint = help_line(rule)
    return [f"{pad} = help: {hint}"] if hint else []


def test_text_block_has_ruffs_shape(review):
    block = block_of(render(review, "text"), "ML101")
    evidence = WALL_CLOCK.evidence
    assert block == [
        f"ML101 [P1] {WALL_CLOCK.message}",
        "  --> models/churn_predictor/model.py:12:1",
        "   |",
        f"12 | {evidence}",
        f"   | {'^' * len(evidence)}",
        "   |",
        "  ::: models/churn_predictor/predict.py:13 inference takes tenure_months as given",
        f"   = note: wall-clock-feature (high confidence), id {WALL_CLOCK.id}",
        *help_lines("ML101", "  "),
    ]


def test_text_carets_underline_the_span_of_the_dedented_evidence(review):
    block = block_of(render(review, "text"), "ML301")
    code = SKEW.evidence.strip()
    span = "customer_data['total_revenue'] / customer_data['order_count']"
    assert block[3] == f"16 | {code}"  # the indentation of the file is not shown...
    assert block[4] == "   | " + " " * code.index(span) + "^" * len(span)  # ...and the carets move with it
    assert block[6] == "  ::: models/churn_predictor/model.py:13"


def test_text_notebook_and_multiline_locations(review):
    text = render(review, "text")
    notebook = block_of(text, "ML209")
    assert notebook[1:5] == [
        " --> models/churn_predictor/notebooks/explore.ipynb:cell 3:2:1",
        "  |",
        "2 | print(scores)",
        "  | " + "^" * len("print(scores)"),
    ]
    load = block_of(text, "ML407")
    first, second = LOAD.evidence.splitlines()
    assert load[3:6] == [f"5 | {first}", "  | " + "^" * len(first), f"6 | {second}"]


def test_text_ends_with_errors_and_the_summary(review):
    lines = render(review, "text").splitlines()
    assert lines[-2:] == [
        "error: models/churn_predictor/broken.py: syntax error at line 4: unexpected indent",
        "Found 7 findings (P1: 3, P2: 2, P3: 2) in 4 files.",
    ]
    headers = [line.split()[0] for line in lines if re.match(r"ML\d{3} \[", line)]
    assert headers == [finding.rule for finding in FINDINGS]


def test_text_summary_counts_singular_and_none():
    files = [FileEntry(path="a.py", role="other")]
    review = Review(tool=ToolInfo(version="0.1.0"), root=".", files=files)
    assert render(review, "text") == "No findings in 1 file."
    review.findings.append(FILLNA)
    summary = render(review, "text").splitlines()[-1]
    assert summary == "Found 1 finding (P1: 0, P2: 1, P3: 0) in 1 file."


def test_text_colour_only_when_asked(review):
    plain = render(review, "text")
    coloured = render(review, "text", color=True)
    assert "\x1b[" not in plain
    assert "\x1b[1;31mML101\x1b[0m" in coloured
    assert ANSI.sub("", coloured) == plain


@pytest.mark.parametrize("rule", registry().values(), ids=lambda rule: rule.id)
def test_every_registered_rule_has_a_one_line_help(rule):
    hint = help_line(rule.id)
    assert hint and "\n" not in hint and hint.endswith(".")


# --- github -------------------------------------------------------------------------------------

def test_github_one_command_per_finding_and_error(review):
    lines = render(review, "github").splitlines()
    commands = {"P1": "::error ", "P2": "::warning ", "P3": "::notice "}
    assert len(lines) == len(FINDINGS) + 1
    for line, finding in zip(lines, FINDINGS):
        assert line.startswith(commands[finding.severity.value])
    assert lines[-1] == (
        "::error file=models/churn_predictor/broken.py,title=wicked-data could not review this file"
        "::syntax error at line 4: unexpected indent"
    )


def test_github_command_for_a_finding(review):
    line = render(review, "github").splitlines()[FINDINGS.index(WALL_CLOCK)]
    assert line == (
        "::error file=models/churn_predictor/model.py,line=12,endLine=12,col=1,"
        f"title=ML101 wall-clock-feature::{WALL_CLOCK.message}"
    )
    notebook = render(review, "github").splitlines()[FINDINGS.index(NOTEBOOK)]
    assert "title=ML209 metrics-not-persisted (notebooks/explore.ipynb%3Acell 3%3A2)::" in notebook


def test_github_escapes_messages_and_properties():
    awkward = {"file": "data,v2/a:b.py", "message": "100% filled\r\nper column, say: 0"}
    finding = FILLNA.model_copy(update=awkward)
    review = Review(tool=ToolInfo(version="0.1.0"), root="ci/", findings=[finding])
    assert render(review, "github") == (
        "::warning file=ci/data%2Cv2/a%3Ab.py,line=17,endLine=17,col=6,title=ML108 blanket-fillna"
        "::100%25 filled%0D%0Aper column, say: 0"
    )


def test_github_paths_without_a_root_prefix():
    review = Review(tool=ToolInfo(version="0.1.0"), root=".", findings=[FILLNA])
    assert render(review, "github").startswith("::warning file=model.py,line=17,")


def test_markdown_production_readiness_checklist():
    from wicked_data.checks import review as run_review
    from wicked_data.checks.config import Config
    from tests.conftest import REPO

    result = run_review([REPO / "scenarios" / "churn_predictor" / "workspace"], Config(cache=False))
    markdown = render(result, "markdown")
    checklist = markdown.split("## Production-readiness checklist", 1)[1].split("\n## ", 1)[0]
    skew = next(line for line in checklist.splitlines() if line.startswith("| Training and serving"))
    assert "❌ fail" in skew and "predict.py:15" in skew
    cited = [f.id for f in result.findings if f.rule in ("ML301", "ML302", "ML303")]
    assert cited and all(finding_id in checklist for finding_id in cited[:4])


# --- the caret span of every seed 000 finding ----------------------------------------------------

SEED_SPANS = [
    ("ML304", "config.yaml:1:1", "model:"),
    ("ML410", "model.py:9:18", '"customer_data.csv"'),
    ("ML101", "model.py:12:1", "df['tenure_months'] = (pd.Timestamp.now() - pd.to_datetime(df['signup_date'])).dt.days / 30"),
    ("ML101", "model.py:14:1",
     "df['days_since_last_order'] = (pd.Timestamp.now() - pd.to_datetime(df['last_order_date'])).dt.days"),
    ("ML108", "model.py:17:6", "df.fillna(0)"),
    ("ML305", "model.py:22:5", "df[feature_cols]"),
    ("ML105", "model.py:26:36", "train_test_split(X, y, test_size=0.2)"),
    ("ML203", "model.py:26:36", "train_test_split(X, y, test_size=0.2)"),
    ("ML206", "model.py:26:36", "train_test_split(X, y, test_size=0.2)"),
    ("ML207", "model.py:26:36", "train_test_split(X, y, test_size=0.2)"),
    ("ML202", "model.py:29:9", "RandomForestClassifier(n_estimators=100, max_depth=10)"),
    ("ML109", "model.py:30:1", "model.fit(X_train, y_train)"),
    ("ML210", "model.py:30:1", "model.fit(X_train, y_train)"),
    ("ML205", "model.py:33:10", "model.predict(X_test)"),
    ("ML201", "model.py:34:20", "accuracy_score(y_test, y_pred)"),
    ("ML204", "model.py:34:20", "accuracy_score(y_test, y_pred)"),
    ("ML209", "model.py:34:1", 'print(f"Accuracy: {accuracy_score(y_test, y_pred):.2f}")'),
    ("ML401", "model.py:38:5", "pickle.dump(model, f)"),
    ("ML410", "predict.py:5:11", '"churn_model.pkl"'),
    ("ML402", "predict.py:6:13", "pickle.load(f)"),
    ("ML407", "predict.py:6:13", "pickle.load(f)"),
    ("ML301", "predict.py:11:5", "features = pd.DataFrame([{"),
    ("ML301", "predict.py:12:9", "'tenure_months': customer_data['tenure_months'],"),
    ("ML301", "predict.py:15:9", "'avg_order_value': customer_data['total_revenue'] / customer_data['order_count'],"),
    ("ML405", "predict.py:15:28", "customer_data['total_revenue'] / customer_data['order_count']"),
    ("ML508", "predict.py:15:28", "customer_data['total_revenue'] / customer_data['order_count']"),
    ("ML301", "predict.py:16:9", "'days_since_last_order': customer_data['days_since_last_order'],"),
    ("ML404", "predict.py:21:12", "model.predict_proba(features)"),
    ("ML406", "predict.py:21:12", "model.predict_proba(features)"),
    ("ML408", "predict.py:21:12", "model.predict_proba(features)"),
    ("ML409", "predict.py:21:5", "return model.predict_proba(features)[0][1]"),
]


def underlined(text: str) -> list[tuple[str, str, str]]:
    """(rule, file:line:col, the code the carets stand under) for each block of the text format."""
    out = []
    for block in text.split("\n\n"):
        lines = block.split("\n")
        if not re.match(r"ML\d{3} \[", lines[0]) or len(lines) < 5:
            continue
        code, carets = lines[3], lines[4]
        bar = code.index("| ") + 2
        code, carets = code[bar:], carets[bar:]
        start, end = carets.index("^"), carets.rindex("^") + 1
        assert set(carets[start:end]) == {"^"}
        out.append((lines[0].split()[0], lines[1].split("--> ")[1].split("/")[-1], code[start:end]))
    return out


def test_carets_stand_under_the_flagged_code_of_every_seed_finding():
    """Seed 000's 31 findings: the carets stand under the flagged expression (not to the end of
    the line), also inside predict_churn's body, whose indentation the snippet does not show."""
    from wicked_data.checks import review as run_review

    workspace = Path(__file__).resolve().parent.parent / "scenarios" / "churn_predictor" / "workspace"
    assert underlined(render(run_review([workspace]), "text", expand=True)) == SEED_SPANS


# --- one place, one item: the findings on a line are shown together -------------------------------

SEED_PLACES = [
    ("config.yaml:1", ["ML304"]),
    ("model.py:9", ["ML410"]),
    ("model.py:12", ["ML101"]),
    ("model.py:14", ["ML101"]),
    ("model.py:17", ["ML108"]),
    ("model.py:22", ["ML305"]),
    ("model.py:26", ["ML203", "ML105", "ML206", "ML207"]),
    ("model.py:29", ["ML202"]),
    ("model.py:30", ["ML210", "ML109"]),
    ("model.py:33", ["ML205"]),
    ("model.py:34", ["ML204", "ML201", "ML209"]),
    ("model.py:38", ["ML401"]),
    ("predict.py:5", ["ML410"]),
    ("predict.py:6", ["ML407", "ML402"]),  # the P2 load at import leads the P3 pickle note
    ("predict.py:11", ["ML301"]),
    ("predict.py:12", ["ML301"]),
    ("predict.py:15", ["ML301", "ML405", "ML508"]),
    ("predict.py:16", ["ML301"]),
    ("predict.py:21", ["ML404", "ML406", "ML408", "ML409"]),
]


@pytest.fixture(scope="module")
def seed_review():
    from wicked_data.checks import review as run_review

    return run_review([Path(__file__).resolve().parent.parent / "scenarios" / "churn_predictor" / "workspace"])


def test_seed_findings_on_one_line_make_one_block_led_by_the_most_severe(seed_review):
    text = render(seed_review, "text")
    blocks = [b for b in text.split("\n\n") if re.match(r"ML\d{3} \[", b)]
    shown = []
    for block in blocks:
        lead = block.split()[0]
        where = re.search(r"--> \S*?([\w.]+:\d+):\d+", block).group(1)
        also = re.findall(r"= also here: (ML\d{3}) \[", block)
        shown.append((where, [lead, *also]))
    assert shown == SEED_PLACES
    assert text.rstrip().endswith("Found 31 findings at 19 places (P1: 9, P2: 11, P3: 11) in 3 files.")
    # every consequence keeps its message, id and fix
    for finding in seed_review.findings:
        assert finding.message in text and finding.id in text
    expanded = render(seed_review, "text", expand=True)
    assert len([b for b in expanded.split("\n\n") if re.match(r"ML\d{3} \[", b)]) == 31
    markdown = render(seed_review, "markdown")
    assert markdown.count("**Also here:**") == 31 - 19
    assert render(seed_review, "markdown", expand=True).count("**Also here:**") == 0


def test_json_keeps_every_finding_and_names_the_others_on_its_line(seed_review):
    data = json.loads(render(seed_review, "json"))
    assert len(data["findings"]) == 31  # machines (baselines, code scanning, scorers) get each rule
    by_id = {f["id"]: f for f in data["findings"]}
    for where, rules in SEED_PLACES:
        file, line = where.split(":")
        here = [f for f in data["findings"] if (f["file"], f["line"]) == (file, int(line))]
        assert sorted(f["rule"] for f in here) == sorted(rules)
        for f in here:
            assert sorted(f.get("also", [])) == sorted(o["id"] for o in here if o is not f)
            assert all(by_id[i]["line"] == f["line"] for i in f.get("also", []))


def _checklist(result) -> dict[str, str]:
    markdown = render(result, "markdown")
    checklist = markdown.split("## Production-readiness checklist", 1)[1].split("\n## ", 1)[0]
    rows = [line.split(" | ") for line in checklist.splitlines() if line.startswith("| ") and "---" not in line]
    return {row[0].lstrip("| "): row[1] for row in rows[1:]} | {"verdict": checklist.split("**Verdict: ", 1)[1].split("**")[0]}


def test_a_checklist_never_passes_a_check_that_did_not_run():
    from wicked_data.checks import review as run_review
    from wicked_data.checks.config import Config
    from tests.conftest import REPO

    seed = REPO / "scenarios" / "churn_predictor" / "workspace"
    only_leakage = _checklist(run_review([seed], Config(cache=False, select=["ML1"])))
    assert all(status == "⚪ not checked" for name, status in only_leakage.items() if name != "verdict")
    assert only_leakage["verdict"] == "not production ready."  # the leakage P1 findings are open
    full = _checklist(run_review([seed], Config(cache=False)))
    assert all(status == "❌ fail" for name, status in full.items() if name != "verdict")
    assert full["verdict"] == "not production ready."


def test_a_project_without_serving_code_has_no_serving_checks_passed():
    from wicked_data.checks import review as run_review
    from wicked_data.checks.config import Config
    from tests.conftest import REPO

    checks = _checklist(run_review([REPO / "scenarios" / "gradient_boosting" / "workspace"], Config(cache=False)))
    for name in ("Input validation", "Monitoring of predictions, inputs and latency",
                 "A/B and version comparison (model version in responses)",
                 "Training and serving compute features the same way"):
        assert checks[name] == "➖ not applicable", (name, checks[name])


def test_code_without_a_model_gets_no_checklist(tmp_path):
    from wicked_data.checks import review as run_review
    from wicked_data.checks.config import Config

    (tmp_path / "util.py").write_text("def add(a, b):\n    return a + b\n")
    assert "Production-readiness checklist" not in render(run_review([tmp_path], Config(cache=False)), "markdown")


def test_text_and_markdown_say_which_rules_ran():
    from wicked_data.checks import review as run_review
    from wicked_data.checks.config import Config
    from tests.conftest import REPO

    result = run_review([REPO / "scenarios" / "churn_predictor" / "workspace"], Config(cache=False, select=["ML1"]))
    text = render(result, "text")
    assert text.splitlines()[-2] == "rules: 4 found something, 5 passed, 39 did not run"
    coverage = render(result, "markdown").split("## Coverage", 1)[1].split("\n## ", 1)[0]
    assert "| ML101, ML105, ML108, ML109 | found something |" in coverage and "did not run" in coverage
