from __future__ import annotations

import fnmatch
import re
from pathlib import PurePosixPath
from typing import Iterator

from wicked_data.checks.analysis.project import SETTING_KWARGS, Project
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import ProjectHit, ProjectRule

ML_KEYS = SETTING_KWARGS | {"features", "feature_columns", "target", "label", "model", "model_path", "data_path",
                            "threshold", "train", "training"}
NOT_ML_CONFIG = {"pyproject.toml", "package.json", "package-lock.json", "tsconfig.json", ".pre-commit-config.yaml",
                 "docker-compose.yml", "docker-compose.yaml", "environment.yml", "mkdocs.yml", ".readthedocs.yaml",
                 "codecov.yml", "renovate.json", "poetry.lock", "Pipfile.lock"}


class ConfigDrift(ProjectRule):
    """
    ## What it does
    Flags a configuration file (YAML, JSON, TOML) with model or training settings that no code
    loads, while the same settings are hard-coded in the code; and a setting the code loads but
    contradicts with a hard-coded literal (config `n_estimators: 200`, code `n_estimators=100`).
    Across a train/serve pair, flags a setting both sides read to compute their features
    (`cfg["features"]["cap"]`) that the configuration nearest the training code and the one nearest
    the serving code hold with different values.

    ## Why is this bad?
    The file looks like the source of truth; people edit it, retrain, and nothing changes. Or
    the documented model (the config) is not the deployed one. Either way, the record of what was
    trained is wrong.

    ## Example
    ```yaml
    model:
      n_estimators: 100   # config.yaml, never read
    ```
    ```python
    RandomForestClassifier(n_estimators=100, max_depth=10)  # model.py
    ```

    ## Use instead
    Load the file and pass its values: `cfg = yaml.safe_load(open("config.yaml"))`,
    `RandomForestClassifier(**cfg["model"])`; or delete it.

    ## Known problems
    A file is taken as loaded when any Python file names it or loads configuration from a path
    given at run time (argparse, environment). Only settings passed as keyword literals are
    compared; general project files (pyproject.toml, package.json, CI files) are not checked. A
    literal in a dict of defaults that the function's settings replace (`cfg.update(params)`,
    `params if params is not None else self.defaults`, `{**defaults, **params}`) contradicts nothing.
    A project that imports Kedro loads its `conf/` folder by convention; an orchestrator's run
    parameter (`Param({...})`, Prefect's and Metaflow's `Parameter`) is a default the run may
    replace, and counts as configuration loaded at run time. A JSON holding two or more scores
    (`roc_auc`, `recall`, `rmse`...) is a report of a run, not settings. A seed under a section
    (`baseline_model_params.random_state`) is not compared with another call's seed.
    """

    id = "ML304"
    name = "config-drift"
    severity = Severity.P2

    def check_project(self, project: Project) -> Iterator[ProjectHit]:
        yield from _sides_disagree(project)
        python = {f: x for f, x in project.facts.items() if "config" in x}
        literals = [(f, lit) for f, x in python.items() for lit in x["config"]["literals"]]
        records = project.records
        for cfg in project.configs:
            name = PurePosixPath(cfg).name
            if any(fnmatch.fnmatchcase(name, pattern) for pattern in records):
                continue  # the code writes this file (tuned parameters, metrics): a record, not a setting
            keys = project.facts[cfg]["keys"]
            if _generated(name, keys):
                continue  # a tool's output (a monitoring snapshot, a profile report), not a setting
            leaves = {k.rsplit(".", 1)[-1]: (k, v) for k, v in keys.items()}
            for key, entry in keys.items():  # `decision_threshold: 0.35` is the cut-off of `proba >= 0.5`
                if "threshold" in key.rsplit(".", 1)[-1] and _probability_cut(entry["value"]):
                    leaves.setdefault("threshold", (key, entry))
            if name in NOT_ML_CONFIG or not (set(leaves) & ML_KEYS):
                continue
            folders = set(PurePosixPath(cfg).parts[:-1])
            mentioned = any(name in x["config"]["mentions"] or folders & set(x["config"].get("folders") or ())
                            for x in python.values())
            dynamic = any(x["config"]["loads"] and not x["config"]["mentions"] for x in python.values())
            matching = [(f, lit) for f, lit in literals if lit["name"] in leaves]
            if not mentioned and not dynamic:
                first = 1
                if matching:
                    listed = ", ".join(f"{lit['name']}={lit['value']!r} ({f}:{lit['line']})" for f, lit in matching[:6])
                    message = f"{name} is never loaded by the code; the values it holds are hard-coded instead: {listed}"
                else:
                    message = f"{name} holds model settings but no code loads it"
                yield ProjectHit(cfg, first, message, related=[(f, lit["line"], f"{lit['name']} hard-coded")
                                                                 for f, lit in matching[:6]])
                continue
            # one finding per configuration key, with every contradicting literal as a related place
            contradicted: dict[str, list[tuple[str, dict]]] = {}
            for f, lit in matching:
                key, entry = leaves[lit["name"]]
                if entry["value"] == lit["value"] or isinstance(entry["value"], (list, dict)):
                    continue
                if lit["name"] == "threshold" and (key.rsplit(".", 1)[-1] != "threshold" or lit.get("owner") is None) \
                        and not (_probability_cut(lit["value"]) and _probability_cut(entry["value"])):
                    continue  # `decision_threshold: 0.35` against an epsilon, a count or a z-score is no contradiction
                if lit["name"] in ("random_state", "seed") and "." in key and lit.get("owner") != key.rsplit(".", 2)[-2]:
                    continue  # a section's seed (`baseline_model_params.random_state`) against another call's seed
                if _families(key) and _families(lit.get("owner") or "") \
                        and not _families(key) & _families(lit.get("owner") or ""):
                    continue  # the config's XGBoost section against the literal of a forest or a LightGBM dict
                contradicted.setdefault(key, []).append((f, lit))
            for key, found in contradicted.items():
                entry = keys[key]
                f, lit = found[0]
                more = f" (and {len(found) - 1} more place{'s' if len(found) > 2 else ''})" if len(found) > 1 else ""
                yield ProjectHit(cfg, entry["line"], f"{name} sets {key}: {entry['value']!r} but {f}:{lit['line']} "
                                 f"hard-codes {lit['name']}={lit['value']!r}{more}", confidence="medium",
                                 related=[(g, other["line"], "the contradicting literal") for g, other in found[:6]])


# Model families, as settings files name their sections and as libraries name their estimators.
_FAMILIES = {"xgboost": ("xgboost", "xgb"), "lightgbm": ("lightgbm", "lgbm", "lgb"), "catboost": ("catboost",),
             "forest": ("randomforest", "random_forest", "extratrees", "extra_trees", "forest"),
             "linear": ("logisticregression", "logistic_regression", "logreg", "ridge", "lasso", "linearregression")}


def _families(text: str) -> set[str]:
    """The model families a config key path (`model.xgboost.max_depth`) or a call's full name
    (`sklearn.ensemble.RandomForestRegressor`) names."""
    low = text.lower()
    parts = set(re.split(r"[^a-z0-9_]+", low))
    return {family for family, words in _FAMILIES.items()
            if any(w in parts or (len(w) > 4 and w in low.replace("_", "")) for w in words)}


_UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}|[0-9a-f]{32}", re.I)


# Leaf keys that hold a measured score: settings files name the metric to use, never its value.
_SCORES = {"accuracy", "precision", "recall", "f1", "f1_score", "roc_auc", "auc", "pr_auc", "average_precision",
           "rmse", "mae", "mse", "mape", "r2", "log_loss", "logloss", "brier", "balanced_accuracy"}


def _generated(name: str, keys: dict) -> bool:
    """A file written by a tool rather than a person: named by a UUID or a hash, a JSON document
    with hundreds of values (a report, a snapshot; settings files are short), or one holding the
    scores of a run (`"roc_auc": 0.837`, `"recall": 0.74`): a report of results, not settings."""
    scores = sum(1 for k, v in keys.items() if k.rsplit(".", 1)[-1].lower() in _SCORES
                 and isinstance(v["value"], float))
    return bool(_UUID.search(name)) or (name.endswith(".json") and len(keys) > 300) or scores >= 2


def _sides_disagree(project: Project) -> Iterator[ProjectHit]:
    """A setting both sides of a train/serve pair read for their features (`cfg["features"]["cap"]`),
    held by two configuration files with different values: the one nearest the training file and
    the one nearest the serving file."""
    reported: set[tuple[str, str]] = set()
    for train, serve in project.pairs():
        t = project.resolved(train).get("training") or {}
        sv = project.resolved(serve).get("serving") or {}
        used_t = {k for d in t.get("derivations", {}).values() for k in (d.get("print") or {}).get("settings", ())}
        used_s = {k for e in sv.get("features", ()) for k in (e.get("print") or {}).get("settings", ())}
        for leaf in sorted(used_t & used_s):
            holders = [(cfg, key, entry) for cfg in project.configs
                       for key, entry in project.facts[cfg]["keys"].items()
                       if key.rsplit(".", 1)[-1] == leaf and not isinstance(entry["value"], (list, dict))]
            near_t, near_s = _nearest(holders, train), _nearest(holders, serve)
            if near_t is None or near_s is None or near_t[0] == near_s[0] or near_t[2]["value"] == near_s[2]["value"]:
                continue
            if (near_s[0], near_s[1]) in reported:
                continue
            reported.add((near_s[0], near_s[1]))
            yield ProjectHit(near_s[0], near_s[2]["line"],
                             f"{near_s[1]} is {near_s[2]['value']!r} here, where {serve} reads it to compute its "
                             f"features, but {near_t[2]['value']!r} in {near_t[0]}, where {train} reads it: the model "
                             "is served features computed with another setting than it was trained on. Keep one value "
                             "(save it with the model and read it from there)",
                             related=[(near_t[0], near_t[2]["line"], "the training value")])


def _nearest(holders: list, code: str):
    """The holder whose file lies in the code file's folder or the nearest folder above it."""
    folder = PurePosixPath(code).parent
    best, depth = None, -1
    for holder in holders:
        cfg_folder = PurePosixPath(holder[0]).parent
        if cfg_folder == folder or cfg_folder in folder.parents or str(cfg_folder) == ".":
            d = len(cfg_folder.parts) if str(cfg_folder) != "." else 0
            if d > depth:
                best, depth = holder, d
    return best


def _probability_cut(value) -> bool:
    """A value that can be a decision cut-off on a probability (not an epsilon, a count or a scale)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0.01 <= value <= 0.99


ConfigDrift.invalid = [
    {
        "config.yaml": """
        model:  # ruleid: ML304
          n_estimators: 300
          max_depth: 6
        """,
        "train.py": """
        import pandas as pd
        from sklearn.ensemble import RandomForestClassifier
        df = pd.read_csv("d.csv")
        RandomForestClassifier(n_estimators=100, max_depth=6).fit(df[["a", "b"]], df["y"])
        """,
    },
    # loaded, but one value is contradicted by a literal
    {
        "params.yml": """
        learning_rate: 0.05
        num_leaves: 31  # ruleid: ML304
        n_estimators: 500
        """,
        "train.py": """
        import yaml
        import lightgbm as lgb
        params = yaml.safe_load(open("params.yml"))
        model = lgb.LGBMClassifier(learning_rate=params["learning_rate"], num_leaves=63, n_estimators=500)
        """,
    },
]

ConfigDrift.valid = [
    # Kedro hands conf/ to the nodes by convention (`params:forest`), no file name in the code
    {"conf/base/parameters.yml": """
        forest:
          n_estimators: 400
          max_depth: 8
        """,
     "src/fleet/pipelines/fit/pipeline.py": """
        from kedro.pipeline import Pipeline, node
        from .nodes import fit_forest
        def create_pipeline(**kwargs):
            return Pipeline([node(fit_forest, ["features", "params:forest"], "forest_model")])
        """,
     "src/fleet/pipelines/fit/nodes.py": """
        from sklearn.ensemble import RandomForestRegressor
        def fit_forest(features, forest):
            return RandomForestRegressor(**forest).fit(features.drop(columns=["km"]), features["km"])
        """},
    # an orchestrator's run parameter: the JSON is the conf a run is triggered with, the dict its default
    {"runs/fleet_conf.json": '{"hyperparameters": {"n_estimators": 250, "max_depth": 12}}\n',
     "dags/train_dag.py": """
        from airflow.models.param import Param
        from airflow import DAG
        dag = DAG("train", params={"hyperparameters": Param({"n_estimators": 100, "max_depth": 5}, type="object")})
        """},
    # a report of a run's scores, written by a tool outside the reviewed code
    {"reports/cutoffs.json": '{"roc_auc": 0.84, "best": {"threshold": 0.3, "recall": 0.74, "f1": 0.62}}\n',
     "score.py": """
        from sklearn.linear_model import LogisticRegression
        model = LogisticRegression().fit(X, y)
        flagged = model.predict_proba(X_new)[:, 1] >= 0.5
        """},
    # the JSON is what a tuning run wrote (a record of its result), not a setting the code should read
    {"tune.py": """
        import json
        import time
        from sklearn.ensemble import RandomForestClassifier
        baseline = RandomForestClassifier(n_estimators=100).fit(X_train, y_train)
        best = {"n_estimators": 480, "max_depth": 9}
        stamp = time.strftime("%Y%m%d_%H%M%S")
        target = f"runs/best_params_{stamp}.json"
        with open(target, "w") as fh:
            json.dump(best, fh)
        """,
     "runs/best_params_20240301_101500.json": '{"n_estimators": 480, "max_depth": 9}\n'},
    {
        "config.yaml": """
        model:
          n_estimators: 300
        """,
        "train.py": """
        import yaml
        from sklearn.ensemble import RandomForestClassifier
        cfg = yaml.safe_load(open("config.yaml"))
        RandomForestClassifier(**cfg["model"])
        """,
    },
    {
        ".pre-commit-config.yaml": """
        repos:
          - repo: https://github.com/psf/black
        """,
        "package.json": '{"name": "x", "version": "1.0.0"}',
        "train.py": "print('hello')",
    },
]

_CAPPED_TRAINING = {
    "fit/settings.yaml": """
        window:
          max_gap_days: 60
        """,
    "fit/run.py": """
        import joblib
        import pandas as pd
        import yaml
        from sklearn.linear_model import Ridge
        cfg = yaml.safe_load(open("fit/settings.yaml"))
        visits = pd.read_csv("visits.csv")
        visits["gap"] = visits["gap_days"].clip(upper=cfg["window"]["max_gap_days"])
        joblib.dump(Ridge().fit(visits[["gap", "spend"]], visits["next_spend"]), "ridge.joblib")
        """,
}
_CAPPED_API = """
        import joblib
        import pandas as pd
        import yaml
        cfg = yaml.safe_load(open("api/settings.yaml"))
        ridge = joblib.load("ridge.joblib")
        def forecast(p: dict) -> float:
            row = {"gap": min(p["gap_days"], cfg["window"]["max_gap_days"]), "spend": p["spend"]}
            return float(ridge.predict(pd.DataFrame([row]))[0])
        """
ConfigDrift.invalid.append({
    **_CAPPED_TRAINING,
    "api/settings.yaml": """
        window:
          max_gap_days: 30  # ruleid: ML304
        """,
    "api/app.py": _CAPPED_API,
})
ConfigDrift.valid.append({
    **_CAPPED_TRAINING,
    "api/settings.yaml": """
        window:
          max_gap_days: 60
        """,
    "api/app.py": _CAPPED_API,
})
