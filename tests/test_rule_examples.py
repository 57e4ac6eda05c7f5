"""Every rule's embedded examples, run through the whole engine; the rule classes are the test list."""
import pytest

from wicked_data.checks import review
from wicked_data.checks.config import Config
from wicked_data.checks.rules.base import DOC_SECTIONS, registry
from tests.examples import expectations, write_example

CASES = [
    pytest.param(rule_id, kind, i, id=f"{rule_id}-{kind}-{i}")
    for rule_id, rule in registry().items()
    for kind in ("invalid", "valid")
    for i in range(len(getattr(rule, kind)))
]


@pytest.mark.parametrize("rule_id, kind, index", CASES)
def test_example(rule_id, kind, index, tmp_path):
    example = getattr(registry()[rule_id], kind)[index]
    written = write_example(example, tmp_path)
    must, todo = expectations(written, rule_id)
    if kind == "invalid":
        assert must, "an invalid example must mark at least one line with '# ruleid:'"
    else:
        assert not must, "a valid example must not mark lines with '# ruleid:'"
    result = review([tmp_path], Config(select=[rule_id], cache=False))
    assert not result.errors, result.errors
    got = {(f.file, f.line) for f in result.findings if f.rule == rule_id}
    assert got - todo == must, "\n".join(f"{f.file}:{f.line} {f.message}" for f in result.findings)
    assert not (got & todo), f"known miss now found, change 'todoruleid' to 'ruleid': {sorted(got & todo)}"


@pytest.mark.parametrize("rule_id", list(registry()))
def test_rule_documentation(rule_id):
    rule = registry()[rule_id]
    for section in DOC_SECTIONS:
        assert rule.section(section), f"{rule_id} docstring lacks '## {section}'"
    assert rule.valid and rule.invalid, f"{rule_id} needs valid and invalid examples"
    assert rule.name == rule.name.lower() and " " not in rule.name
