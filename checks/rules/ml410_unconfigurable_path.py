from __future__ import annotations

from typing import Iterator

from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.paths import is_config_file, path_literals
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule


class UnconfigurablePath(Rule):
    """
    ## What it does
    Flags relative data and model paths written as literals: `pd.read_csv("customer_data.csv")`,
    `open("churn_model.pkl", "wb")`, `MODEL_PATH = "models/model.joblib"`, `Path("data") / "x.csv"`,
    where no configuration (environment variable, command-line argument, settings object, config
    file) can change them. Only the first component of a built path counts: `MODEL_DIR / "m.pkl"`
    with a configured `MODEL_DIR` is fine.

    ## Why is this bad?
    A relative path resolves against whatever directory the process happens to start in, so the
    same code reads a different file (or none) under cron, a container, a test runner or another
    developer's shell. Training and serving cannot be pointed at another dataset or model version
    without editing code, which is how the wrong model ends up deployed.

    ## Example
    ```python
    df = pd.read_csv("customer_data.csv")
    with open("churn_model.pkl", "wb") as f: ...
    ```

    ## Use instead
    Take locations from configuration, with the literal at most as a documented default:
    ```python
    parser.add_argument("--data", default="data/customer_data.csv")
    MODEL_PATH = Path(os.environ.get("MODEL_PATH", "models/churn_model.pkl"))
    ```

    One finding per file, at its first such path; the others are its related places (one cause:
    the file takes no locations from configuration).

    ## Known problems
    Notebooks are not checked (exploration reads local files by design), nor the names of
    configuration files themselves (`config.yaml`). Paths anchored at the code's own directory
    (`Path(__file__).parent / "model.pkl"`) are not flagged. A literal is recognised as a path by
    where it goes or by its variable's name.
    """

    id = "ML410"
    name = "unconfigurable-path"
    severity = Severity.P3

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        """One finding per file (one cause: the file takes no locations from configuration), at its
        first relative path, the others as related places."""
        if module.source.is_notebook:
            return
        paths = [p for p in path_literals(module) if p.kind == "relative" and not is_config_file(p.text)]
        if not paths:
            return
        first, others = paths[0], paths[1:]
        more = ""
        if others:
            shown = ", ".join(f"{p.text!r} at line {p.node.lineno}" for p in others[:3])
            more = f", and {len(others)} more in this file ({shown}{', ...' if len(others) > 3 else ''})"
        yield Hit(f"{first.text!r} is a relative path written into the code ({first.how}){more}; it depends on "
                  "the working directory and cannot be changed without editing code. Take it from configuration "
                  "(environment variable, CLI argument, settings)", node=first.node, confidence="medium",
                  related=[(None, p.node.lineno, f"{p.text!r} is written into the code too ({p.how})")
                           for p in others[:MAX_RELATED]],
                  fix=f"Read the location{'s' if others else ''} from configuration, with {first.text!r}"
                      f"{' and the others' if others else ''} at most as the documented default (an environment "
                      "variable, a command-line argument or a settings file).")


MAX_RELATED = 8


UnconfigurablePath.invalid = [
    # the seed: data and model paths as literals
    """
    import pandas as pd
    import pickle
    df = pd.read_csv("customer_data.csv")  # ruleid: ML410
    with open("churn_model.pkl", "wb") as f:  # (the same finding: its related place)
        pickle.dump(model, f)
    """,
    # constants, path building, aliases
    """
    import joblib as jl
    import os
    from pathlib import Path
    BUNDLE_PATH = "models/loan_default.joblib"  # ruleid: ML410
    DATA = Path("data") / "applications.parquet"

    def score(application):
        bundle = jl.load(BUNDLE_PATH)
        return bundle

    out = os.path.join("outputs", "scores.csv")
    """,
    # a batch job's output and a torch checkpoint
    """
    import torch
    scored.to_csv("scored_leads.csv", index=False)  # ruleid: ML410
    torch.save(net.state_dict(), f"checkpoints/net_{epoch}.pt")
    """,
]

UnconfigurablePath.valid = [
    # environment, argparse, settings, config
    """
    import argparse, os, json
    import pandas as pd
    from pathlib import Path
    from pydantic_settings import BaseSettings

    class Settings(BaseSettings):
        model_path: str = "models/model.joblib"

    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="scores.csv")
    args = parser.parse_args()
    MODEL_DIR = Path(os.environ.get("MODEL_DIR", "artifacts"))
    cfg = json.load(open("config.json"))
    df = pd.read_csv(cfg["data_path"])
    model_file = MODEL_DIR / "model.joblib"
    here = Path(__file__).parent / "model.pkl"
    """,
    # not paths: column names, messages, keys
    """
    import pandas as pd
    df = pd.read_sql("SELECT * FROM customers", conn)
    df["ratio.v2"] = df["a"] / 2
    print("saved to model.pkl")
    """,
    {"explore.ipynb": """
    import pandas as pd
    df = pd.read_csv("customer_data.csv")
    """},
]
