"""`skew_diff`: the feature-by-feature comparison of training and serving code, as a library call
(the MCP `skew_diff` tool wraps it). The ML301/ML302 rules report from the same comparison."""
from __future__ import annotations

from pathlib import Path
from typing import Literal, Sequence

from pydantic import BaseModel

from wicked_data.checks.analysis.project import compare_features
from wicked_data.checks.config import Config
from wicked_data.checks.engine import analyse_project


class FeatureComparison(BaseModel):
    feature: str
    status: Literal["same", "different", "missing", "extra", "unknown"]  # unknown: not comparable
    training: str | None
    training_line: int
    serving: str | None
    serving_line: int
    differences: list[str]
    categories: list[str] = []
    training_file: str | None = None  # where the feature is computed, when not in the training file itself
    serving_file: str | None = None  # likewise at serving (a shared feature function)


class SkewReport(BaseModel):
    training_file: str
    serving_file: str
    features: list[FeatureComparison]


def skew_diff(paths: Sequence[str | Path], training: str | None = None, serving: str | None = None,
              config: Config | None = None, confine: Sequence[Path] | None = None) -> list[SkewReport]:
    """Compare each training file with each serving file it is paired with (by the model artifact one
    writes and the other loads; a lone training file pairs with every serving file). `training` and
    `serving` (paths relative to the reviewed root) force the pair. With `confine`, files whose real
    location lies outside those folders (a link leading out) are not read."""
    project, _ = analyse_project(paths, config, confine=confine)
    for name, wanted in (("training", training), ("serving", serving)):
        if wanted is not None and wanted not in project.facts:
            raise ValueError(f"{name} file {wanted!r} is not a reviewed Python file under {list(map(str, paths))}")
    return [SkewReport(training_file=t, serving_file=s,
                       features=[FeatureComparison(**item) for item in compare_features(project.resolved(t), project.resolved(s))])
            for t, s in project.pairs(training, serving)
            if project.facts[t].get("training") and project.facts[s].get("serving")]
