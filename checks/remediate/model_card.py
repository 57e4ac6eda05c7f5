"""A model card in the Hugging Face layout (YAML metadata, then Markdown) with the sections of
Mitchell et al., "Model Cards for Model Reporting": written from the facts the code shows (each
marked with its file and line) and the findings; what the code does not show is marked Unknown.

The deterministic card is complete on its own; with a client, the model writes the prose from the
same facts, and its card is used only if it passes `validate_model_card`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import yaml
from pydantic import BaseModel, Field

from wicked_data.checks.models import Review, Severity
from wicked_data.checks.remediate.facts import Fact, ModelFacts, model_facts, project_name
from wicked_data.checks.remediate.generate import Provenance, generate
from wicked_data.checks.remediate.plan import plan, render_plan
from wicked_data.checks.remediate.prompts import render
from wicked_data.checks.remediate.validators import validate_model_card

UNKNOWN = "**Unknown**"
# sklearn metric functions -> Hugging Face metric ids for the metadata.
HF_METRICS = {"accuracy_score": "accuracy", "f1_score": "f1", "precision_score": "precision",
              "recall_score": "recall", "roc_auc_score": "roc_auc", "mean_squared_error": "mse",
              "mean_absolute_error": "mae", "r2_score": "r_squared", "log_loss": "log_loss"}
LIBRARY = {"sklearn": "sklearn", "xgboost": "xgboost", "lightgbm": "lightgbm", "catboost": "catboost",
           "torch": "pytorch", "tensorflow": "tf-keras", "keras": "keras"}
SENSITIVE = ("age", "gender", "sex", "race", "ethnic", "religion", "nationality", "zip", "postcode", "postal",
             "marital", "disab", "birth")


@dataclass
class ModelCardResult(Provenance):
    text: str


class CardDraft(BaseModel):
    markdown: str = Field(description="The model card body in Markdown, from '# Model Card: ...' to the "
                                      "Recommendations; no YAML metadata")


def model_card(paths: Sequence[str | Path], review: Review, client=None, facts: ModelFacts | None = None) -> ModelCardResult:
    """The model card of the model trained under `paths`. Without a client (or when the model's card
    fails validation twice) the deterministic card, with a notice saying why."""
    facts = facts if facts is not None else model_facts(paths)
    metadata = front_matter(review, facts)
    card = metadata + template_body(review, facts)
    if client is None:
        return ModelCardResult(card)
    outcome = generate(
        client, task=card_prompt(review, facts), schema=CardDraft, tool_name="write_model_card",
        tool_description="Return the model card body in Markdown.",
        validate=lambda draft: validate_model_card(metadata + draft.markdown, review, facts),
        max_tokens=6000,
    )
    if outcome.value is None:
        return ModelCardResult(card, **outcome.provenance())
    return ModelCardResult(metadata + outcome.value.markdown.strip() + "\n", **outcome.provenance())


# ---------------------------------------------------------------------- metadata
def front_matter(review: Review, facts: ModelFacts) -> str:
    task = facts.task or "unknown"
    data: dict[str, Any] = {"model_name": project_name(review)}
    library = next((LIBRARY[lib] for lib in facts.libraries if lib in LIBRARY), None)
    if library:
        data["library_name"] = library
    if facts.task in ("classification", "regression"):
        data["pipeline_tag"] = f"tabular-{facts.task}"
    data["tags"] = ["wicked-data", f"tabular-{task}" if facts.task else "tabular"]
    metrics = sorted({HF_METRICS[m.value] for m in facts.metrics if m.value in HF_METRICS})
    if metrics:
        data["metrics"] = metrics
    return "---\n" + yaml.safe_dump(data, sort_keys=False) + "---\n\n"


# ---------------------------------------------------------------------- body
def _cite(fact: Fact) -> str:
    return f"`{fact.value}` ({fact.where})"


def _list(facts: list[Fact], empty: str) -> str:
    return ", ".join(_cite(f) for f in facts) if facts else empty


def _ids(review: Review, rule: str) -> str:
    ids = [f.id for f in review.findings if f.rule == rule]
    return ", ".join(ids)


def template_body(review: Review, facts: ModelFacts) -> str:
    name = project_name(review)
    parts = [f"# Model Card: {name}\n",
             f"Written by wicked-data {review.tool.version} from the code alone (it parses the code and never runs "
             "it). Each inferred field names the file and line it comes from; what the code does not show is "
             f"marked {UNKNOWN}.\n",
             _details(review, facts), _intended_use(review, facts), _training_data(review, facts),
             _evaluation(review, facts), _limitations(review), _ethics(facts), _recommendations(review)]
    return "\n".join(parts)


def _details(review: Review, facts: ModelFacts) -> str:
    lines = ["## Model Details\n",
             f"- **Model type**: {_model_line(facts)}",
             f"- **Task**: {facts.task or UNKNOWN}" + (f", inferred from the estimator and the target "
                                                       f"{_list(facts.target, '')}" if facts.task else ""),
             f"- **Hyperparameters**: {_hyperparameters(facts)}",
             f"- **Libraries**: {', '.join(facts.libraries) or UNKNOWN} (from the imports)",
             f"- **Artifact**: {_list(facts.artifacts, UNKNOWN + ': nothing is saved')}"
             + (f"; it stores {', '.join(f'`{c.value}`' for c in facts.artifact_contents)} "
                f"({facts.artifact_contents[0].where})" if facts.artifact_contents else ""),
             f"- **Version**: {_version(review, facts)}",
             f"- **Training date**: {UNKNOWN}: not recorded in the code",
             f"- **Author**: {UNKNOWN}: not recorded in the code",
             "- **License**: " + UNKNOWN + ": not stated"]
    if facts.unread:
        lines.append(f"- **Not read**: {facts.unread}; the fields above that it would have filled say Unknown")
    return "\n".join(lines) + "\n"


def _model_line(facts: ModelFacts) -> str:
    if facts.model is None and facts.unnamed:
        return (UNKNOWN + ": a model is fitted at " + ", ".join(f"`{f.value}(...)` ({f.where})" for f in facts.unnamed[:3])
                + ", but the code does not show its class")
    if facts.model is None:
        return UNKNOWN + ": no model fit found in the code"
    if facts.alternatives:
        models = [facts.model, *facts.alternatives]
        text = "one of " + ", ".join(_cite(m) + (f" with {m.note}" if m.note else "") for m in models)
        text += f", chosen by {facts.chosen_by}" if facts.chosen_by else ""
    else:
        text = _cite(facts.model) + (f", {facts.model.note}" if facts.model.note else "")
    for wrapper in facts.wrappers:
        text += f", inside `{wrapper.value}`" + (f" ({wrapper.note})" if wrapper.note else "") + f" ({wrapper.where})"
    if facts.baselines:
        text += "; compared with the baseline " + _list(facts.baselines, "")
    return text


def _hyperparameters(facts: ModelFacts) -> str:
    if not facts.hyperparameters:
        return "none set" + ("; every one at the library default" if facts.model and not facts.alternatives else "")
    shown = [f"`{h.value}`" + (f" = {h.note.split(' in ')[0]}" if " in " in h.note and not h.note.startswith("from")
                                else "") + f" ({h.where})" for h in facts.hyperparameters]
    return ", ".join(shown) + ("; every other one at the library default" if facts.model else "")


def _version(review: Review, facts: ModelFacts) -> str:
    if facts.version:
        return ("recorded in the artifact as " + ", ".join(f"`{v.value}` (`{v.note}`)" for v in facts.version)
                + f" ({facts.version[0].where}); its value is set when training runs")
    if _ids(review, "ML401"):
        return f"{UNKNOWN}: the saved artifact carries no version ({_ids(review, 'ML401')})"
    return f"{UNKNOWN}: not shown in the code"


def _features_phrase(facts: ModelFacts) -> str:
    if facts.feature_count is not None:
        return f"{facts.feature_count} features"
    if facts.features:
        return f"{len(facts.features)} named features {facts.features_note}".strip()
    return "features (" + UNKNOWN + ": the feature list is not visible in the code)"


def _intended_use(review: Review, facts: ModelFacts) -> str:
    target = facts.target[0].value if facts.target else None
    serving = [f"{f.path} ({f.role})" for f in review.files if f.role in ("inference", "serving")]
    primary = (f"predict `{target}` ({facts.target[0].where}) for one record from its "
               f"{_features_phrase(facts)}" if target else UNKNOWN + ": no target found in the code")
    p1 = sum(1 for f in review.findings if f.severity is Severity.P1)
    lines = ["## Intended Use\n",
             f"- **Primary use** (inferred from the target): {primary}",
             f"- **Entry points**: {', '.join(serving) if serving else UNKNOWN + ': no inference code found'}",
             f"- **Users**: {UNKNOWN}: not stated in the code",
             f"- **Out of scope**: automated decisions while the {p1} P1 findings below are open"
             if p1 else f"- **Out of scope**: {UNKNOWN}: not stated in the code"]
    return "\n".join(lines) + "\n"


def _training_data(review: Review, facts: ModelFacts) -> str:
    target = ", ".join(_cite(t) + (f", {t.note}" if t.note else "") for t in facts.target) or UNKNOWN
    count = str(facts.feature_count) if facts.feature_count is not None else \
        (f"{len(facts.features)} named, {facts.features_note}" if facts.features else "0")
    lines = ["## Training Data\n",
             f"- **Source**: {_list(facts.data_sources, UNKNOWN + ': no data read found')}",
             f"- **Size**: {UNKNOWN}: the number of rows is not recorded",
             f"- **Time period**: {UNKNOWN}: not recorded",
             f"- **Target**: {target}",
             f"- **Preprocessing**: {_list(facts.preprocessing, 'none over the whole frame')}",
             f"- **Features** ({count}" + (f", selected at {facts.features[0].where}" if facts.features else "") + "):"]
    derived = {d.value.split(" = ")[0]: d for d in facts.derivations}
    for feature in facts.features:
        d = derived.get(feature.value)
        lines.append(f"  - `{feature.value}`" + (f": derived as `{d.value.split(' = ', 1)[1]}` ({d.where})" if d
                                                  else ""))
    if facts.features and facts.features_note:
        lines.append(f"  - {facts.features_note}")
    if not facts.features:
        lines.append(f"  - {UNKNOWN}: the feature list is not visible in the code")
    return "\n".join(lines) + "\n"


def _evaluation(review: Review, facts: ModelFacts) -> str:
    missing = "precision, recall, F1, ROC AUC/PR AUC" if _ids(review, "ML201") else None
    splits = ", ".join(_cite(s) + (f": {s.note}" if s.note else "") for s in facts.splits)
    if _ids(review, "ML209"):
        values = f"the code computes metrics when it runs and does not save them ({_ids(review, 'ML209')})"
    elif facts.metrics_saved:
        values = "written when the code runs, by " + _list(facts.metrics_saved, "")
    else:
        values = "the code computes metrics when it runs and the values are not in the code"
    lines = ["## Evaluation and Performance\n",
             f"- **Split**: {splits or UNKNOWN + ': no split found'}",
             f"- **Metrics computed**: {_list(facts.metrics, 'none')}",
             f"- **Metric values**: {UNKNOWN}: {values}",
             f"- **Class balance**: {UNKNOWN}: not recorded"]
    if missing:
        lines.append(f"- **Missing metrics**: {missing} ({_ids(review, 'ML201')})")
    for rule, text in (("ML203", "no cross-validation"), ("ML204", "no baseline"), ("ML208", "scored on training rows")):
        if _ids(review, rule):
            lines.append(f"- **Gap**: {text} ({_ids(review, rule)})")
    return "\n".join(lines) + "\n"


def _limitations(review: Review) -> str:
    lines = ["## Limitations\n"]
    groups: dict[str, list] = {}
    for finding in sorted(review.findings, key=lambda f: (f.severity.rank, f.rule, f.file, f.line)):
        groups.setdefault(f"{finding.severity.value} {finding.rule}", []).append(finding)
    numbered = [g for g in groups.values() if g[0].severity is Severity.P1]
    for n, findings in enumerate(numbered, start=1):
        where = ", ".join(f"{f.id} ({f.where})" for f in findings)
        message = findings[0].message
        lines.append(f"{n}. **{findings[0].name}** ({findings[0].rule}, P1): {where}. {sentence_start(message)}"
                     + ("" if message.endswith(".") else "."))
    if not numbered:
        lines.append("No P1 finding.")
    others = [g for g in groups.values() if g[0].severity is not Severity.P1]
    if others:
        lines.append("\nAlso open (P2 and P3):\n")
        for findings in others:
            ids = ", ".join(f.id for f in findings)
            lines.append(f"- {findings[0].rule} {findings[0].name} ({findings[0].severity.value}): {ids}")
    return "\n".join(lines) + "\n"


def sentence_start(text: str) -> str:
    """`text` as the start of a sentence: a plain first word capitalised; code (`get_model()`,
    `df['x']`, a snake_case name) kept as written."""
    first = text.split(" ", 1)[0]
    return text[:1].upper() + text[1:] if first.isalpha() and first.islower() else text


def _ethics(facts: ModelFacts) -> str:
    sensitive = [f for f in facts.features if any(s in f.value.lower() for s in SENSITIVE)]
    lines = ["## Ethical Considerations\n",
             "- **Fairness**: nothing in the code evaluates the model per group of people; its behaviour across "
             "groups is " + UNKNOWN + ".",
             f"- **Sensitive features**: {_list(sensitive, 'no feature name suggests a protected attribute')}; "
             "proxies (location, spending, tenure) cannot be ruled out from the code.",
             "- **Use of the scores**: predictions about people drive decisions about them; the model learns "
             "historical patterns, biases included, so review who is targeted and how before acting on scores."]
    return "\n".join(lines) + "\n"


def _recommendations(review: Review) -> str:
    text = render_plan(plan(review)) or "No finding: nothing to fix before deployment."
    return "## Recommendations\n\nIn order, most severe first:\n\n" + text + "\n"


# ---------------------------------------------------------------------- prompt
def card_prompt(review: Review, facts: ModelFacts) -> str:
    groups = [("model type", facts.model_types), ("wrapped in", facts.wrappers), ("baselines", facts.baselines),
              ("hyperparameters", facts.hyperparameters),
              ("features", facts.features), ("feature derivations", facts.derivations),
              ("preprocessing of the whole frame", facts.preprocessing), ("target", facts.target),
              ("data sources", facts.data_sources), ("splits", facts.splits), ("metrics computed", facts.metrics),
              ("metric values written by", facts.metrics_saved), ("artifacts written", facts.artifacts),
              ("artifact contents", facts.artifact_contents), ("version recorded", facts.version)]
    findings = sorted(review.findings, key=lambda f: (f.severity.rank, f.file, f.line))
    count = str(facts.feature_count) if facts.feature_count is not None else \
        (f"{len(facts.features)} named, {facts.features_note}" if facts.features else "Unknown")
    return render("model_card", name=project_name(review), facts=groups, findings=findings,
                  model_line=_model_line(facts).replace(UNKNOWN, "Unknown"), feature_count=count,
                  plan=plan(review), p1_ids=[f.id for f in findings if f.severity is Severity.P1])
