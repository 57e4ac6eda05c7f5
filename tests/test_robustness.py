"""No exception escapes the analysis: generated programs and real third-party source."""
import ast
import importlib.util
from pathlib import Path

import hypothesmith
from hypothesis import HealthCheck, given, settings

from checks.engine import analyse_file


def _analyse_text(tmp_path: Path, text: str, name: str = "gen.py") -> dict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return analyse_file(path, name)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(hypothesmith.from_grammar())
def test_generated_programs(tmp_path, source):
    result = _analyse_text(tmp_path, source)
    assert not result.get("rule_errors"), result["rule_errors"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(hypothesmith.from_node())
def test_generated_syntax_trees(tmp_path, source):
    result = _analyse_text(tmp_path, source)
    assert not result.get("rule_errors"), result["rule_errors"]


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec and spec.origin
    return Path(spec.origin).parent


def test_real_third_party_source():
    """Every module of a few installed libraries: no rule error, and every finding points at a real line."""
    files = []
    for package in ("hypothesis", "libcst", "jsonschema", "pydantic"):
        files += sorted(_package_dir(package).rglob("*.py"))
    assert len(files) > 300
    for path in files:
        result = analyse_file(path, path.name)
        assert not result.get("rule_errors"), (path, result["rule_errors"])
        lines = path.read_text(encoding="utf-8", errors="replace").count("\n") + 1
        for finding in result.get("findings", []):
            assert 1 <= finding["line"] <= lines
