"""No exception escapes the analysis: generated programs and real third-party source."""
import ast
import importlib.util
from pathlib import Path

import hypothesmith
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wicked_data.checks.engine import analyse_file


def _analyse_text(tmp_path: Path, text: str, name: str = "gen.py") -> dict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return analyse_file(path, name)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_grammar())
def test_generated_programs(tmp_path, source):
    result = _analyse_text(tmp_path, source)
    assert not result.get("rule_errors"), result["rule_errors"]


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_node())
def test_generated_syntax_trees(tmp_path, source):
    result = _analyse_text(tmp_path, source)
    assert not result.get("rule_errors"), result["rule_errors"]


NAMES = st.sampled_from(["df", "X", "y", "X_train", "X_test", "y_train", "y_test", "data", "model", "scaler",
                         "feats", "now", "train", "test", "tr", "te", "smote", "pipe", "out"])
TEMPLATES = [
    "{a} = pd.read_csv('f.csv')",
    "{a}, {b}, {c}, {d} = train_test_split({e}, {f}, test_size=0.2)",
    "{a} = StandardScaler().fit_transform({b})",
    "{a}.fit({b}, {c})",
    "{a} = {b}.fillna({b}.mean())",
    "{a} = {b}.fillna(0)",
    "{a}['{b}'] = (pd.Timestamp.now() - {c}['{d}']).dt.days",
    "{a}['{b}'] = {c}['{d}'].shift(-1)",
    "{a}, {b} = SMOTE().fit_resample({c}, {d})",
    "{a} = make_pipeline(StandardScaler(), LogisticRegression()).fit({b}, {c})",
    "print(accuracy_score({a}, {b}.predict({c})))",
    "for {a}, {b} in KFold(5, shuffle=True).split({c}):\n    {d} = {e}.iloc[{a}]",
    "def {a}({b}):\n    return {b}.drop(columns=['{c}'])",
    "{a} = {b}({c})",
    "{a} = {b}[{c}['{d}'] < '2024-01-01']",
    "{a} = {b}.sample(frac=0.8)\n{c} = {b}.drop({a}.index)",
    "{a} = {b}.assign({c}=lambda d: d['{d}'] / d['{e}'])",
    "if {a}:\n    {b} = {c}\nelse:\n    {b} = {d}",
    "class C:\n    def m(self, {a}):\n        self.{b} = {a}\n        return self.{b}.fit({a})",
    "{a}['{b}'] += 1",
    "{a}, {b}, {c} = roc_curve({d}, {e})\nprint({c})",
]
HEADER = ("import pandas as pd\nfrom sklearn.model_selection import train_test_split, KFold\n"
          "from sklearn.preprocessing import StandardScaler\nfrom sklearn.pipeline import make_pipeline\n"
          "from sklearn.linear_model import LogisticRegression\nfrom sklearn.metrics import accuracy_score, roc_curve\n"
          "from imblearn.over_sampling import SMOTE\n")


@st.composite
def ml_programs(draw):
    lines = []
    for template in draw(st.lists(st.sampled_from(TEMPLATES), min_size=1, max_size=14)):
        names = draw(st.lists(NAMES, min_size=6, max_size=6))
        lines.append(template.format(a=names[0], b=names[1], c=names[2], d=names[3], e=names[4], f=names[5]))
    return HEADER + "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(ml_programs())
def test_generated_ml_programs(tmp_path, source):
    """ML-shaped programs exercise the flow analysis and every rule's paths, not just the parser."""
    result = _analyse_text(tmp_path, source)
    assert "error" not in result, result.get("error")
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


def test_project_facts_leave_the_syntax_tree_alone():
    """The project facts normalise expressions on copies: a column updated in place (`df["d"] += 1`)
    must not come back as a location-less name in the module's tree (it broke later passes)."""
    from wicked_data.checks.analysis.module import ModuleAnalysis
    from wicked_data.checks.analysis.project import module_facts
    from wicked_data.checks.analysis.source import SourceFile
    from wicked_data.checks.engine import parse
    from pathlib import PurePath

    text = (HEADER + "rows = pd.read_csv('r.csv')\nrows['weekday'] += 1\nmodel = LogisticRegression()\n"
            "model.fit(rows[['weekday']], rows['y'])\na, b, cut = roc_curve(rows['y'], model.predict_proba(rows[['weekday']])[:, 1])\n"
            "print(cut)\n")
    source = SourceFile(path=PurePath("t.py"), rel="t.py", text=text)
    module = ModuleAnalysis(source, parse(source))
    before = ast.dump(module.tree, include_attributes=True)
    module_facts(module)
    assert ast.dump(module.tree, include_attributes=True) == before
