"""The rename test: findings come from what code does, not from what it is called.

Every rule example, corpus case and scenario is reviewed as written and again with every identifier
it binds renamed to a neutral one (`tests/rename.py`; lines kept). The findings (rule, file, line,
severity) must be identical, except low-confidence findings of rules that declare `name_evidence`
(their Known problems say which names they read)."""
from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from wicked_data.checks import review
from wicked_data.checks.config import Config
from wicked_data.checks.rules.base import registry
from tests.examples import write_example
from tests.rename import RenameError, rename_project, rename_tree

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted(p for p in (ROOT / "tests" / "corpus" / "cases").iterdir() if p.is_dir())
SCENARIOS = sorted(p / "workspace" for p in (ROOT / "scenarios").iterdir() if (p / "workspace").is_dir())
EXAMPLES = [(rule_id, kind, i) for rule_id, rule in registry().items()
            for kind in ("invalid", "valid") for i in range(len(getattr(rule, kind)))]


def _findings(folder: Path) -> set[tuple]:
    rules = registry()
    result = review([folder], Config(cache=False))
    assert not result.errors, result.errors
    return {(f.rule, f.file, f.line, f.severity.value) for f in result.findings
            if not (f.confidence == "low" and rules[f.rule].name_evidence)}


def _assert_rename_invariant(folder: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "renamed"
    rename_tree(folder, renamed)
    before, after = _findings(folder), _findings(renamed)
    assert before == after, f"lost on renaming: {sorted(before - after)}; gained: {sorted(after - before)}"


@pytest.mark.parametrize("rule_id, kind, index", [pytest.param(*e, id="-".join(map(str, e))) for e in EXAMPLES])
def test_rule_examples_do_not_depend_on_names(rule_id, kind, index, tmp_path):
    write_example(getattr(registry()[rule_id], kind)[index], tmp_path / "example")
    _assert_rename_invariant(tmp_path / "example", tmp_path)


@pytest.mark.parametrize("case", CORPUS, ids=lambda p: p.name)
def test_corpus_does_not_depend_on_names(case, tmp_path):
    _assert_rename_invariant(case, tmp_path)


@pytest.mark.parametrize("workspace", SCENARIOS, ids=lambda p: p.parent.name)
def test_scenarios_do_not_depend_on_names(workspace, tmp_path):
    _assert_rename_invariant(workspace, tmp_path)


def test_the_renamer_renames_bindings_and_keeps_interfaces():
    files = {
        "features.py": textwrap.dedent("""\
            import pandas as pd
            def add_ratio(frame, cap=10):
                frame["ratio"] = frame.a / frame.b
                return frame
            """),
        "train.py": textwrap.dedent("""\
            from features import add_ratio
            from sklearn.model_selection import train_test_split
            class Row:
                amount: float = 0.0
                def total(self):
                    return self.amount
            X_train, X_test = train_test_split(add_ratio(df, cap=3))
            """),
    }
    out = rename_project(files)
    features, train = ast.parse(out["features.py"]), ast.parse(out["train.py"])
    names = {n.id for tree in (features, train) for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert not names & {"frame", "X_train", "X_test", "add_ratio", "Row"}  # bindings renamed
    assert "import pandas as q" in out["features.py"]  # an import alias is a binding too
    assert "df" in names  # a name the project never binds is left alone
    assert "from features import q" in out["train.py"]  # the project's own function, renamed at both ends
    assert "train_test_split as q" in out["train.py"]  # a library name, aliased
    assert "amount: float" in out["train.py"] and "self.amount" in out["train.py"]  # fields and attributes kept
    assert '"ratio"' in out["features.py"] and ".a / frame" not in out["features.py"]  # strings kept
    assert [len(t.splitlines()) for t in out.values()] == [len(t.splitlines()) for t in files.values()]
    defined = next(n for n in ast.walk(features) if isinstance(n, ast.FunctionDef))
    call = next(n for n in ast.walk(train) if isinstance(n, ast.Call) and n.keywords)
    assert call.keywords[0].arg == defined.args.args[1].arg  # `cap=3` follows the renamed parameter


def test_the_renamer_refuses_what_it_cannot_rename_faithfully():
    with pytest.raises(RenameError):
        rename_project({"broken.py": "def f(:\n"})


def _card_facts(folder: Path) -> tuple:
    from wicked_data.checks.remediate.facts import model_facts
    facts = model_facts([folder])
    # a hyperparameter by its line and the configuration value it reads (its code is renamed, and so
    # are the parameters of the project's own classes)
    settings = sorted((h.line, "" if h.note.startswith("from") else h.note) for h in facts.hyperparameters)
    return (facts.model is not None, sorted(f.line for f in facts.model_types), [t.value for t in facts.target],
            facts.feature_count, [f.value for f in facts.features], [s.note for s in facts.splits],
            sorted(f.value for f in facts.wrappers), sorted(f.value for f in facts.baselines), settings)


@pytest.mark.parametrize("workspace", SCENARIOS, ids=lambda p: p.parent.name)
def test_model_card_facts_do_not_depend_on_names(workspace, tmp_path):
    """The model, target, features and split a card states are the same when every identifier of
    the project is renamed (column names are strings, not identifiers, and stay)."""
    renamed = tmp_path / "renamed"
    rename_tree(workspace, renamed)
    assert _card_facts(workspace) == _card_facts(renamed)
