"""The deterministic model card: Hugging Face layout, Mitchell et al. sections, inferred fields with
their evidence, unknowns marked, every P1 finding under Limitations; and the validator's complaints."""
import re
from pathlib import Path

import pytest
from huggingface_hub import ModelCard

from wicked_data.checks import Config, review
from wicked_data.checks.cli import main
from wicked_data.checks.models import Severity
from wicked_data.checks.remediate import model_card, validate_model_card
from wicked_data.checks.remediate.facts import model_facts
from wicked_data.checks.remediate.validators import sections

SEED = Path(__file__).resolve().parent.parent / "scenarios" / "churn_predictor" / "workspace"


@pytest.fixture(scope="module")
def seed():
    result = review([SEED], Config(cache=False))
    card = model_card([SEED], result)
    return result, card.text


def test_the_seed_card_passes_the_validator(seed):
    result, text = seed
    assert validate_model_card(text, result, model_facts([SEED])) == []


def test_the_card_loads_with_huggingface_hub(seed):
    _, text = seed
    card = ModelCard(text)
    data = card.data.to_dict()
    assert data["library_name"] == "sklearn"
    assert data["pipeline_tag"] == "tabular-classification"
    assert data["metrics"] == ["accuracy"]
    assert card.text.lstrip().startswith("# Model Card: churn_predictor")


def test_inferred_fields_name_their_evidence_and_unknowns_are_marked(seed):
    _, text = seed
    found = sections(text)
    details, data, evaluation = found["model details"], found["training data"], found["evaluation and performance"]
    assert "`RandomForestClassifier` (model.py:29)" in details
    assert "`n_estimators=100` (model.py:29)" in details and "`max_depth=10` (model.py:29)" in details
    assert "**Training date**: **Unknown**" in details and "**Author**: **Unknown**" in details
    assert '`read_csv("customer_data.csv")` (model.py:9)' in data
    assert "**Size**: **Unknown**" in data
    assert "`tenure_months`: derived as `(pd.Timestamp.now() - signup_date).days / 30` (model.py:12)" in data
    assert "`train_test_split(test_size=0.2)` (model.py:26)" in evaluation
    assert "`accuracy_score` (model.py:34)" in evaluation
    assert "**Metric values**: **Unknown**" in evaluation


def test_limitations_list_every_p1_finding_and_recommendations_are_ordered(seed):
    result, text = seed
    found = sections(text)
    p1 = [f.id for f in result.findings if f.severity is Severity.P1]
    assert p1 and all(fid in found["limitations"] for fid in p1)
    items = re.findall(r"^\d+\. \*\*(\w+)", found["recommendations"], re.M)
    # the leakage first; accuracy-only evaluation is P2 while the class balance is unknown
    assert items[0] == "Compute" and "Report" in items[1:]
    ranks = [int(m) for m in re.findall(r"^\d+\. .*?\(P(\d)", found["recommendations"], re.M)]
    assert ranks == sorted(ranks)


BAD_CARDS = [
    pytest.param(lambda t: t.replace("## Ethical Considerations", "## Ethics notes"), "'Ethical Considerations'",
                 id="missing-section"),
    pytest.param(lambda t: t.replace("ML101-2bb87b (model.py:12), ", ""), "P1 finding ML101-2bb87b",
                 id="p1-missing-from-limitations"),
    pytest.param(lambda t: t.replace("- **Training date**: **Unknown**: not recorded in the code",
                                     "- **Training date**: 2024-03-01"), "training date as Unknown",
                 id="training-date-invented"),
    pytest.param(lambda t: t.replace("- **Metric values**: **Unknown**", "- **Metric values**: accuracy 0.92; **Unknown**"),
                 "states 0.92", id="metric-value-invented"),
    pytest.param(lambda t: t.replace("- **Metric values**: **Unknown**", "- **Metric values**: accuracy of 93 percent; **Unknown**"),
                 "states 93 percent", id="metric-value-in-words"),
    pytest.param(lambda t: t.replace("- **Metric values**: **Unknown**", "- **Metric values**: F1 93/100; **Unknown**"),
                 "states 93/100", id="metric-value-out-of-100"),
    pytest.param(lambda t: t.replace("- **Metric values**: **Unknown**", "- **Metric values**: accuracy 0.2; **Unknown**"),
                 "gives 0.2 as a metric value", id="split-share-presented-as-a-metric"),
    pytest.param(lambda t: t.replace("- **License**", "- **Released**: March 3, 2024\n- **License**"),
                 "the date 'March 3, 2024'", id="date-invented"),
    pytest.param(lambda t: t.replace("- **License**", "- **Developed by**: Jane Doe\n- **License**"),
                 "names 'Jane Doe'", id="author-invented"),
    pytest.param(lambda t: t.replace("library_name: sklearn", "library_name: sklearn\nauthor: Jane Doe"),
                 "metadata states author", id="author-invented-in-metadata"),
    pytest.param(lambda t: t.replace("ML204-d620b1", "ML204-ffffff"), "ML204-ffffff, which does not exist",
                 id="finding-that-does-not-exist"),
    pytest.param(lambda t: t.replace("(model.py:29)", "(model.py:290)"), "model.py has 40 lines", id="line-out-of-range"),
    pytest.param(lambda t: t.replace("1. **Compute", "1. **Time-based features should be computed"),
                 "must start with an action", id="recommendation-without-action"),
    pytest.param(lambda t: t.split("---\n", 2)[2], "YAML metadata", id="no-metadata"),
]


@pytest.mark.parametrize("spoil, complaint", BAD_CARDS)
def test_the_validator_names_what_is_wrong(seed, spoil, complaint):
    result, text = seed
    spoiled = spoil(text)
    assert spoiled != text
    complaints = validate_model_card(spoiled, result, model_facts([SEED]))
    assert any(complaint in c for c in complaints), complaints


def test_recommendations_out_of_order_are_rejected(seed):
    result, text = seed
    found = sections(text)
    items = found["recommendations"].strip().splitlines()
    numbered = [ln for ln in items if re.match(r"^\d+\. ", ln)]
    swapped = text.replace(numbered[0], "@@").replace(numbered[-1], numbered[0]).replace("@@", numbered[-1])
    assert any("order by severity" in c for c in validate_model_card(swapped, result, model_facts([SEED])))


def test_cli_writes_the_card(tmp_path):
    out = tmp_path / "MODEL_CARD.md"
    assert main(["model-card", str(SEED), "--output", str(out)]) == 0
    assert ModelCard(out.read_text()).data.to_dict()["library_name"] == "sklearn"


def test_a_project_without_a_model_still_gets_a_valid_card(tmp_path):
    (tmp_path / "util.py").write_text("def add(a, b):\n    return a + b\n")
    result = review([tmp_path], Config(cache=False))
    card = model_card([tmp_path], result).text
    assert "no model fit found in the code" in card
    assert validate_model_card(card, result) == []
