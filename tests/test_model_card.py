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


# ---------------------------------------------------------------------- facts per scenario
SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
# Written by hand from each scenario's code: the estimator trained (and saved), its target, a few of
# its hyperparameters (with the configuration value when the code reads one), the number of
# features it is fitted on (None: the data decides part of it), and what kind of split judges it.
EXPECTED = {
    "churn_predictor": dict(model="RandomForestClassifier", target="churned", features=7,
                            hyper={"n_estimators=100", "max_depth=10"}, split="a random hold-out"),
    "clean_project": dict(model="LogisticRegression", wrappers={"Pipeline"}, baselines={"DummyClassifier"},
                          target="cancelled_within_60d", features=9,
                          hyper={'C=cfg["model"]["C"]': "0.5", 'class_weight="balanced"': ""},
                          split="an out-of-time split", cv="StratifiedGroupKFold(n_splits=5"),
    "gradient_boosting": dict(model="XGBClassifier", alternatives={"LGBMClassifier"}, target="defaulted_12m",
                              features=15, hyper={"n_estimators=3000", 'tree_method="hist"'},
                              split="train_test_split(test_size=0.2)"),
    "lead_scoring": dict(model="RandomForestClassifier", wrappers={"Pipeline"}, baselines={"DummyClassifier"},
                         target="has_application", features=25,
                         hyper={'n_estimators=cfg["n_estimators"]': "100", "random_state=42": ""},
                         split="a positional cut of time-ordered rows", cv="TimeSeriesSplit(n_splits=5)"),
    "multi_service": dict(model="HistGradientBoostingClassifier", baselines={"DummyClassifier"},
                          target="ordered_next_30d", features=7, hyper={"max_iter=400", "learning_rate=0.05"},
                          split="an out-of-time split", cv="TimeSeriesSplit(n_splits=4)"),
    "notebook_fraud": dict(model="LogisticRegression", alternatives={"RandomForestClassifier", "GradientBoostingClassifier"},
                           target="is_fraud", features=None, named=9,
                           split="train_test_split(test_size=0.25, random_state=42)"),
    "pytorch_tabular": dict(model="EtaNet", target="delivery_minutes", features=9,
                            hyper={'hidden_sizes=train_cfg["hidden_sizes"]': "[128, 64]",
                                   'AdamW: lr=train_cfg["learning_rate"]': "0.001"},
                            split="a random hold-out of the dataset"),
    "time_series_demand": dict(model="LGBMRegressor", target="units_sold", features=15,
                               hyper={"objective='tweedie'", "num_leaves=63"}, split="KFold(n_splits=5, shuffle=True"),
}


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def scenario(request):
    workspace = SCENARIOS / request.param / "workspace"
    return request.param, workspace, model_facts([workspace])


def test_the_facts_name_the_trained_model_its_target_features_and_split(scenario):
    name, _, facts = scenario
    expected = EXPECTED[name]
    assert facts.model is not None and facts.model.value == expected["model"]
    assert {f.value for f in facts.alternatives} == expected.get("alternatives", set())
    assert {f.value for f in facts.wrappers} == expected.get("wrappers", set())
    assert {f.value for f in facts.baselines} == expected.get("baselines", set())
    assert [t.value for t in facts.target] == [expected["target"]]
    assert facts.feature_count == expected["features"]
    assert len(facts.features) == (expected["features"] or expected.get("named"))
    hyper = {h.value: h.note for h in facts.hyperparameters}
    wanted = expected.get("hyper", {})
    for value in wanted:
        assert value in hyper, (value, hyper)
        if isinstance(wanted, dict) and wanted[value]:
            assert hyper[value].startswith(wanted[value]), (value, hyper[value])
    splits = " | ".join(f"{s.value}: {s.note}" for s in facts.splits)
    assert expected["split"] in splits, splits
    if "cv" in expected:
        assert expected["cv"] in splits, splits


def test_every_scenario_card_states_its_facts_and_passes_the_validator(scenario):
    name, workspace, facts = scenario
    result = review([workspace], Config(cache=False))
    text = model_card([workspace], result, facts=facts).text
    details = sections(text)["model details"]
    assert f"`{facts.model.value}`" in details
    assert f"`{facts.target[0].value}`" in sections(text)["training data"]
    assert validate_model_card(text, result, facts) == []


WRONG_FACTS = [
    # the baseline named as the model, as the old card did on lead_scoring
    pytest.param("lead_scoring", lambda t: t.replace("`RandomForestClassifier`", "`DummyClassifier`"),
                 "Model Details must name the model", id="baseline-as-model"),
    pytest.param("lead_scoring", lambda t: t.replace("- **Libraries**", "- **Model**: `GradientBoostingClassifier`\n- **Libraries**"),
                 "names `GradientBoostingClassifier`, which the code does not train", id="another-model"),
    pytest.param("lead_scoring", lambda t: t.replace("- **Target**: `has_application`", "- **Target**: `lookback_months`"),
                 "gives 'lookback_months' as the target", id="another-target"),
    pytest.param("clean_project", lambda t: t.replace("**Features** (9", "**Features** (12"),
                 "states 12 features", id="another-feature-count"),
    pytest.param("churn_predictor", lambda t: t.replace("`churned`", "`customer_id`"),
                 "must name the target", id="target-missing"),
]


@pytest.mark.parametrize("name, spoil, complaint", WRONG_FACTS)
def test_a_card_stating_other_facts_than_the_code_fails(name, spoil, complaint):
    workspace = SCENARIOS / name / "workspace"
    facts = model_facts([workspace])
    result = review([workspace], Config(cache=False))
    text = model_card([workspace], result, facts=facts).text
    spoiled = spoil(text)
    assert spoiled != text
    complaints = validate_model_card(spoiled, result, facts)
    assert any(complaint in c for c in complaints), complaints


def test_code_at_the_start_of_a_sentence_keeps_its_case():
    from wicked_data.checks.remediate.model_card import sentence_start
    assert sentence_start("get_model() loads the file on every call") == "get_model() loads the file on every call"
    assert sentence_start("df['x'] is computed") == "df['x'] is computed"
    assert sentence_start("the model is loaded twice") == "The model is loaded twice"


def test_facts_the_collector_cannot_read_leave_a_valid_card_that_says_so(tmp_path, monkeypatch):
    from wicked_data.checks.remediate import facts as facts_module

    def broken(self):
        raise KeyError("unexpected shape")

    monkeypatch.setattr(facts_module._Collector, "collect", broken)
    result = review([SEED], Config(cache=False))
    facts = model_facts([SEED])
    assert "KeyError" in facts.unread
    card = model_card([SEED], result, facts=facts).text
    assert "**Not read**" in card and validate_model_card(card, result, facts) == []
