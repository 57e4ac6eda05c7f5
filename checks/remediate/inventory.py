"""The feature inventory: each feature the model is fitted on, the data columns it is computed from,
how training and serving compute it and where, and every column the project's feature code reads.

An agent answering "review the feature engineering" or "what features are missing?" reads this
instead of the repository: the columns read but never turned into a feature are where new
features come from (order-frequency trends from order dates, segments from categories).
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from pydantic import BaseModel, Field

from wicked_data.checks.analysis.project import Project
from wicked_data.checks.remediate.facts import ModelFacts


class FeatureEntry(BaseModel):
    name: str
    sources: list[str] = Field(description="the data columns it is computed from (itself when taken as is)")
    training: str | None = Field(description="how training computes it (an expression), None when taken as is")
    training_at: str | None = Field(description="file:line of the training computation or the feature list")
    serving: str | None = Field(default=None, description="how serving computes it, when a serving side was paired")
    serving_at: str | None = None
    parity: str | None = Field(default=None, description="same | different | missing | extra | unknown (skew_diff)")
    differences: list[str] = Field(default_factory=list)


class FeatureInventory(BaseModel):
    model: str | None
    target: str | None
    features: list[FeatureEntry]
    feature_count: int | None = Field(description="None when the data decides part of the count (one-hot columns)")
    columns_read: list[str] = Field(description="every data column the project's feature code reads")
    unused_columns: list[str] = Field(description="columns read somewhere but feeding no feature: candidates "
                                                  "for new features, or dead code")
    note: str = ""


def feature_inventory(facts: ModelFacts, project: Project, skew_reports: Sequence = ()) -> FeatureInventory:
    computed: dict[str, tuple[str, dict]] = {}
    reads: set[str] = set()
    for rel, file_facts in sorted(project.facts.items()):
        for builder in ((file_facts.get("pipeline") or {}).get("builders") or {}).values():
            for column, entry in (builder.get("columns") or {}).items():
                computed.setdefault(column, (rel, entry))
                reads.update((entry.get("print") or {}).get("reads") or ())
        training = file_facts.get("training") or {}
        for column, entry in (training.get("derivations") or {}).items():
            computed.setdefault(column, (rel, entry))
            reads.update((entry.get("print") or {}).get("reads") or ())
    compared = {}
    for report in skew_reports:
        for row in report.features:
            compared.setdefault(row.feature, (report, row))
    entries = []
    for feature in facts.features:
        found = computed.get(feature.value)
        if found is not None:
            rel, entry = found
            sources = sorted((entry.get("print") or {}).get("reads") or ()) or [feature.value]
            training, training_at = entry.get("expr"), f"{rel}:{entry.get('line', 0)}"
        else:
            sources, training, training_at = [feature.value], None, feature.where
            reads.add(feature.value)
        item = FeatureEntry(name=feature.value, sources=sources, training=training, training_at=training_at)
        if feature.value in compared:
            report, row = compared[feature.value]
            item.serving = row.serving
            item.serving_at = f"{row.serving_file or report.serving_file}:{row.serving_line}" if row.serving_line else None
            item.parity, item.differences = row.status, list(row.differences)
        entries.append(item)
    used = {s for e in entries for s in e.sources} | {e.name for e in entries}
    target = facts.target[0].value if facts.target else None
    unused = sorted(reads - used - ({target} if target else set()))
    note = "" if entries else "the feature list the model is fitted on is not visible in the code"
    if facts.features_note:
        note = f"also {facts.features_note}"
    return FeatureInventory(model=facts.model.value if facts.model else None, target=target, features=entries,
                            feature_count=facts.feature_count, columns_read=sorted(reads | used),
                            unused_columns=unused, note=note)


def inventory_for(paths: Sequence[str | Path], config=None, confine=None) -> FeatureInventory:
    """The inventory of the project under `paths` (reviews it, reads its model facts and pairs)."""
    from wicked_data.checks.engine import review_project
    from wicked_data.checks.remediate.facts import model_facts
    from wicked_data.checks.skew import skew_diff

    _, project = review_project(paths, config, confine=confine)
    facts = model_facts(paths, config, confine)
    try:
        reports = skew_diff(paths, config=config, confine=confine)
    except ValueError:
        reports = []
    return feature_inventory(facts, project, reports)
