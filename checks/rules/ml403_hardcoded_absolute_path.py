from __future__ import annotations

from typing import Iterator

from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.paths import NOTEBOOK_HOSTS, path_literals
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule

class HardcodedAbsolutePath(Rule):
    """
    ## What it does
    Flags absolute and user-home paths written into the code and used for data or models:
    `"/mnt/exports/data.csv"`, `"/srv/models/m.joblib"`, `"/home/alice/..."`, `"C:\\\\data\\\\x.csv"`,
    `"~/models/m.pkl"`, `Path.home() / ...`, whether passed straight to `open`/`read_csv`/
    `joblib.dump`/`torch.load`, built into a path, kept in a `MODEL_PATH`-like constant, or used as a
    parameter's default.

    ## Why is this bad?
    The code runs only on the machine (and for the user) it was written on. In a container, a CI
    job or a colleague's laptop the path does not exist, or worse, points at stale files. Home
    directories also leak personal setups into shared code.

    ## Example
    ```python
    subs = pd.read_csv("/mnt/billing/exports/subscriptions.csv")
    MODEL_PATH = os.path.expanduser("~/models/rent_ridge.joblib")
    ```

    ## Use instead
    Read locations from configuration: an environment variable, a command-line argument, a
    settings object or a config file:
    ```python
    subs = pd.read_csv(os.environ["SUBSCRIPTIONS_CSV"])
    MODEL_PATH = Path(settings.model_dir) / "rent_ridge.joblib"
    ```

    ## Known problems
    A literal that is only the fallback of a configurable value (`os.environ.get("DIR", "/srv/m")`,
    an argparse default, a settings field) is not flagged. Paths under `/tmp`, `/dev`, `/proc` and
    `/etc`, and SageMaker's container layout (`/opt/ml/...`), are not flagged; a hosted notebook's
    own folders (`/kaggle/...`, Colab's `/content/...`) are reported at P3. A literal is recognised as a path by where it goes (file functions, path
    building) or by its variable's name; one passed through an unknown helper is missed.
    """

    id = "ML403"
    name = "hardcoded-absolute-path"
    severity = Severity.P2

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        for path in path_literals(module):
            if path.kind not in ("absolute", "home"):
                continue
            where = "a user's home directory" if path.kind == "home" else "an absolute location"
            shown = "Path.home()" if path.text == "~" else repr(path.text)
            if path.text.startswith(NOTEBOOK_HOSTS):
                yield Hit(f"{shown} is a path of the hosted notebook service it was written on ({path.how}); the "
                          "code runs only there. Read the location from configuration to run it elsewhere",
                          node=path.node, confidence="medium", severity=Severity.P3)
                continue
            yield Hit(f"{shown} hard-codes {where} ({path.how}); the code only runs where that path exists. "
                      "Read it from configuration (environment variable, CLI argument, settings)",
                      node=path.node, confidence="high")


HardcodedAbsolutePath.invalid = [
    """
    import pandas as pd
    subs = pd.read_csv("/mnt/billing/exports/subscriptions.csv")  # ruleid: ML403
    """,
    # through a constant, expanduser, Path.home() and an alias
    """
    import os
    import joblib as jl
    from pathlib import Path
    MODEL_PATH = os.path.expanduser("~/models/rent_ridge.joblib")  # ruleid: ML403
    CACHE = Path.home() / ".cache" / "scores.parquet"  # ruleid: ML403
    OUT_DIR = "/srv/models"  # ruleid: ML403

    def main():
        ridge = jl.load(MODEL_PATH)
        jl.dump(ridge, os.path.join(OUT_DIR, "ridge.joblib"))
    """,
    # a parameter default, a Windows path, a home directory in torch.save
    """
    import pickle, torch
    from pathlib import Path

    class ModelRegistry:
        def __init__(self, root: str = "/opt/ml-registry"):  # ruleid: ML403
            self.root = Path(root)

    with open(r"C:\\Users\\ana\\data\\train.csv") as fh:  # ruleid: ML403
        rows = fh.read()
    torch.save(net.state_dict(), "/home/mlops/artifacts/risknet.pt")  # ruleid: ML403
    """,
    {"explore.ipynb": """
    import pandas as pd
    # %%
    df = pd.read_parquet("/Users/sam/Downloads/events.parquet")  # ruleid: ML403
    """},
]

HardcodedAbsolutePath.valid = [
    # a sub-folder with a leading slash, only ever appended to a configured root
    """
    import os
    import pandas as pd
    ROOT = os.environ["DATA_ROOT"]
    TARIFFS = "/tariffs"

    def read_site(site):
        return pd.read_json(f"{ROOT}{TARIFFS}/{site}.json")
    """,
    # configuration supplies the locations; absolute defaults of configurable values are fine
    """
    import argparse, os
    import pandas as pd
    from pathlib import Path
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="/data/train.csv")
    args = parser.parse_args()
    MODEL_DIR = Path(os.environ.get("MODEL_DIR", "/srv/models"))
    df = pd.read_csv(args.data)
    model_path = Path(__file__).parent / "artifacts" / "model.joblib"
    """,
    # routes, URLs and scratch space are not data paths
    """
    import requests
    from flask import Flask
    app = Flask(__name__)

    @app.route("/predict", methods=["POST"])
    def predict():
        return {}

    resp = requests.get("https://api.example.com/v1/customers")
    with open("/tmp/scratch.csv", "w") as fh:
        fh.write("x")
    """,
    # relative paths are ML410's business
    """
    import pandas as pd
    df = pd.read_csv("data/customers.csv")
    """,
]
