from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from wicked_data.checks.analysis.lineage import rerun_loads
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.production import inference
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, ProjectHit, Rule

if TYPE_CHECKING:
    from wicked_data.checks.analysis.project import Project
    from wicked_data.checks.models import Finding


MAX_RELATED = 8  # the file's other loads of the same kind listed with its finding

class ModelLoadSideEffect(Rule):
    """
    ## What it does
    Flags a model loaded at import time by a module whose functions or routes serve predictions
    (the load runs as a side effect of `import predict`), and a model loaded again on every
    request or record: inside a route handler, inside a scoring function handed one record, in a
    helper they call, or in a loop that predicts; and a model loaded by a Streamlit script outside
    a cached function (Streamlit runs the whole script again on every widget interaction). A
    FastAPI dependency (`Depends(load)`) is called on every request. Loads in a startup hook
    (`@app.on_event("startup")`, a FastAPI lifespan), an app factory (`create_app`), a cached
    loader (`@lru_cache`, a
    `if _model is None:` lazy global, `@st.cache_resource`, a `st.session_state` slot filled once),
    `main()`, a `__main__` block or a notebook are fine. A load at the top of the module that
    defines the routes (or launches the UI) runs once per process when the server imports it: it
    is reported at P3, as a testability point.

    ## Why is this bad?
    At import time, merely importing the module (tests, a worker, a CLI `--help`) reads and
    unpickles a file from the current directory, fails when it is missing, and cannot be given
    another model. Loading per request multiplies latency by the deserialisation time (often
    hundreds of milliseconds), thrashes memory, and lets two requests see two different models
    while the file is being replaced.

    ## Example
    ```python
    with open("churn_model.pkl", "rb") as f:
        model = pickle.load(f)

    def predict_churn(customer_data): ...
    ```

    ## Use instead
    Load once, explicitly, when the service starts, and keep the loaded model:
    ```python
    @asynccontextmanager
    async def lifespan(app):
        app.state.model = load_verified(settings.model_path)
        yield
    ```

    ## Known problems
    The loads of one file that share a placement (a Streamlit app reading its model, scaler and
    encoders on every rerun) are one finding at the first, the others its related places.
    A scoring function is taken as per-record when a parameter of it (not a path or a model)
    reaches the model; one handed a whole batch by its caller is also flagged when it loads.
    Loads through helpers of other modules are seen only when they are called `.load(...)` on a
    registry-like object.
    """

    id = "ML407"
    name = "model-load-side-effect"
    severity = Severity.P2
    online_only = True

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        if module.is_test:
            return
        facts = inference(module)
        users = [e for e in facts.entries if e.function is not None] or []
        service = any(load.placement == "import" for load in facts.loads) and (
            any(e.kind == "route" for e in facts.entries) or facts.launches_ui)
        # One problem, one finding: the loads of a file that share a placement (a Streamlit app reading
        # its model, scaler and encoders on every rerun) are one finding at the first, the rest related.
        groups: dict[str, list] = {}
        for load in facts.loads:
            kind = "service" if load.placement == "import" and service else load.placement
            if kind in ("service", "import", "rerun", "request"):
                groups.setdefault(kind, []).append(load)
        for kind, loads in groups.items():
            load, others = loads[0], loads[1:]
            text = module.text(load.call.node.func)
            also = [(None, o.call.line, f"{module.text(o.call.node.func)}() loads another artifact here too")
                    for o in others[:MAX_RELATED]]
            if kind == "service":
                # the module is the service itself: its import is the process's start
                yield Hit(f"the model is loaded ({text}) at the top of the service module, once per process when "
                          "the server imports it; that works, but anything importing the app (a test, a tool) needs "
                          "the file, and a failed load surfaces as an import error. A startup hook (a lifespan, an "
                          "app factory) makes the load explicit", node=load.call.node, severity=Severity.P3,
                          confidence="medium", related=also)
            elif kind == "import":
                related = [(None, e.function.lineno, f"{e.name}() uses it") for e in users[:1]]
                yield Hit(f"the model is loaded ({text}) when the module is imported; importing it reads the file, "
                          "fails if it is missing and cannot be pointed at another model. Load it once at startup "
                          "(a lifespan/startup hook, an app factory, a cached loader)",
                          node=load.call.node, related=related + also, confidence="high",
                          fix=f"Move the `{text}(...)` call into a startup hook (a FastAPI lifespan, an app factory) "
                              "or a cached loader, with the path taken from configuration.")
            elif kind == "rerun":
                yield Hit(f"the model is loaded ({text}) each time the Streamlit script runs, and Streamlit runs it "
                          "again from the top on every widget interaction; every click re-reads and deserialises "
                          "the file. Load it in a function decorated with `@st.cache_resource`",
                          node=load.call.node, confidence="high", related=also,
                          fix=f"Move the `{text}(...)` call into a function decorated with `@st.cache_resource` "
                              "and call that function.")
            else:
                entry = next((e for e in facts.entries if e.function is not None
                              and any(f is load.function for f in e.reach)), None)
                related = [(None, entry.function.lineno, f"{entry.name}() runs per request")] \
                    if entry is not None and entry.function is not load.function else []
                yield Hit(f"the model is loaded ({text}) again on every request/record; each call pays the "
                          "deserialisation time and memory, and concurrent calls may see different models. Load it "
                          "once at startup and reuse it", node=load.call.node, related=related + also, confidence="high",
                          fix=f"Call `{text}(...)` once at startup (or in a cached loader) and reuse the loaded model "
                              "in every request.")


    def settled_elsewhere(self, finding: "Finding", project: "Project") -> bool:
        """A load at the top of a program that serves nothing (a polling scorer, a batch job run as
        `python score.py`) and that no other file of the project imports runs once, when the
        program starts: there is no import to pay for it. (A module whose `__main__` block only
        demonstrates a scoring function it exports is imported by its users: the load stays.)"""
        if "when the module is imported" not in finding.message:
            return False
        facts = project.facts.get(finding.file) or {}
        return bool(facts.get("script")) and "imported" in facts and not project.importers(finding.file)

    def check_project(self, project: Project) -> Iterator[ProjectHit]:
        """A route that predicts and calls, through the project's modules, a function of another file
        that loads the model every time it runs (not cached, not only while unset)."""
        reported: set[tuple[str, int]] = set()
        for r in rerun_loads(project.facts):
            reported.add((r.loader, r.load["line"]))
            name = r.qualname.rsplit(".", 1)[-1]
            yield ProjectHit(r.loader, r.load["line"], f"the model is loaded again every time {name}() runs, and the "
                             f"Streamlit script {r.script} calls it at {r.call['where']}, which Streamlit runs again on "
                             "every widget interaction; every click re-reads and deserialises the file. Decorate the "
                             "loader (or the script's call site) with `@st.cache_resource`", confidence="high",
                             related=[(r.script, r.call["line"], "called here on every rerun")])
        service = project.service_map
        for route in service.prediction_routes:  # a route that only (re)loads is meant to load
            for ref, via in _per_request_reach(service, route.function):
                tags = service.function(ref)["tags"]
                line = tags.get("load_each_call")
                if line is None or ref.file == route.file or "." in ref.qualname or (ref.file, line) in reported:
                    continue  # (a method of a project class is followed in the route's own file)
                reported.add((ref.file, line))
                name = ref.qualname.rsplit(".", 1)[-1]
                yield ProjectHit(ref.file, line, f"the model is loaded again every time {name}() runs, and the "
                                 f"route {route.label} ({route.file}) calls it on every request; each request pays "
                                 "the deserialisation time and memory. Load it once at startup (a lifespan hook, a "
                                 "cached loader) and reuse it", confidence="medium",
                                 related=[(route.file, via, f"{route.label} calls it here")])


def _per_request_reach(service, start):
    """(function, line of the route-side call that leads to it) for each project function a request
    reaches: not through cached functions, nor through calls made only while something is unset."""
    out, seen = [], {start.key}
    stack = [(start, None)]
    while stack:
        ref, via = stack.pop()
        facts = service.function(ref)
        if ref is not start and "cache" in facts["tags"]:
            continue
        if ref is not start:
            out.append((ref, via))
        for call in facts["calls"]:
            if call.get("once"):
                continue
            callee = service.resolve(ref.file, call["target"])
            if callee is not None and callee.key not in seen:
                seen.add(callee.key)
                stack.append((callee, via if via is not None else call["line"]))
    return out

ModelLoadSideEffect.invalid = [
    # a Streamlit page calls a loader of another module at its top level: every rerun loads
    {"helpers/store.py": """
        import joblib

        def open_model(path):
            return joblib.load(path)  # ruleid: ML407
        """,
     "helpers/__init__.py": "",
     "page.py": """
        import streamlit as st
        from helpers.store import open_model

        estimator = open_model("models/rent-4.joblib")
        size = st.slider("size", 10, 200)
        st.write(estimator.predict([[size]])[0])
        """},
    # a FastAPI dependency FastAPI calls on every request, declared through `Annotated`
    """
    from typing import Annotated
    import joblib
    from fastapi import Depends, FastAPI
    app = FastAPI()

    def bundle():
        return joblib.load("bundle.joblib")  # ruleid: ML407

    @app.post("/score")
    def score(item: Item, model: Annotated[object, Depends(bundle)]):
        return {"p": float(model.predict_proba(to_frame(item))[0, 1])}
    """,
    # a Streamlit script runs again from the top on every widget interaction
    """
    import joblib
    import streamlit as st

    model = joblib.load("model.joblib")  # ruleid: ML407
    area = st.number_input("area")
    st.write(model.predict([[area]])[0])
    """,
    # the loader lives in a helper module and loads on every call; the route in another module
    # calls it per request
    {"model_utils.py": """
        import joblib

        def fetch_model(path="artifacts/price-2.1.joblib"):
            return joblib.load(path)  # ruleid: ML407
        """,
     "app.py": """
        import pandas as pd
        from flask import Flask, jsonify, request
        from model_utils import fetch_model

        app = Flask(__name__)

        @app.post("/price")
        def price():
            model = fetch_model()
            frame = pd.DataFrame([request.get_json()])
            return jsonify({"price": float(model.predict(frame)[0])})
        """},
    # the seed: loaded at import by a module that serves a function
    """
    import pickle
    with open("churn_model.pkl", "rb") as f:
        model = pickle.load(f)  # ruleid: ML407

    def predict_churn(customer_data):
        return model.predict_proba(to_frame(customer_data))[0][1]
    """,
    # FastAPI: a torch load inside the handler
    """
    import torch
    from fastapi import FastAPI
    app = FastAPI()

    @app.post("/risk")
    def risk(batch: Batch) -> dict:
        net = RiskNet()
        net.load_state_dict(torch.load("risknet.pt"))  # ruleid: ML407
        net.eval()
        return {"risk": net(to_tensor(batch)).tolist()}
    """,
    # Flask: a helper without caching loads per request; joblib through an alias
    """
    import joblib as jl
    from flask import Flask, request
    app = Flask(__name__)

    def get_model():
        return jl.load("model.joblib")  # ruleid: ML407

    @app.post("/predict")
    def predict():
        model = get_model()
        return {"p": float(model.predict_proba(to_frame(request.get_json()))[0, 1])}
    """,
    # a registry lookup in the handler
    """
    from fastapi import FastAPI
    from registry import ModelRegistry
    app = FastAPI()
    registry = ModelRegistry()

    @app.post("/upsell")
    def upsell(payload: Upsell):
        model = registry.load("upsell")  # ruleid: ML407
        return {"p": float(model.predict_proba(to_frame(payload))[0, 1])}
    """,
    # a scoring function handed one record loads every time
    """
    import joblib
    import pandas as pd

    def score_application(application: dict) -> dict:
        bundle = joblib.load("models/loan_default.joblib")  # ruleid: ML407
        X = pd.DataFrame([application])[bundle["features"]]
        return {"p": float(bundle["model"].predict_proba(X)[0, 1])}
    """,
]

ModelLoadSideEffect.valid = [
    # a comparison script loads each model file it is given once, and scores the same rows with it
    """
    import argparse
    import joblib
    import pandas as pd
    from sklearn.metrics import mean_absolute_error

    def main():
        parser = argparse.ArgumentParser()
        parser.add_argument("--model", nargs="+")
        parser.add_argument("--games")
        args = parser.parse_args()
        games = pd.read_csv(args.games)
        rows = games[["elo_gap", "rest_gap"]].copy()
        for candidate in args.model:
            model = joblib.load(candidate)
            try:
                guesses = model.predict(rows)
            except ValueError:
                guesses = model.predict(rows.to_numpy())
            print(candidate, mean_absolute_error(games["margin"], guesses))

    if __name__ == "__main__":
        main()
    """,
    # a memo: the helper returns the loaded model early once it is set
    """
    import joblib
    from flask import Flask, request
    app = Flask(__name__)
    _model = None

    def get_model():
        global _model
        if _model is not None:
            return _model
        _model = joblib.load("model.joblib")
        return _model

    @app.post("/predict")
    def predict():
        return {"p": float(get_model().predict_proba(to_frame(request.get_json()))[0, 1])}
    """,
    # the Streamlit page caches the other module's loader
    {"helpers/store.py": """
        import joblib

        def open_model(path):
            return joblib.load(path)
        """,
     "helpers/__init__.py": "",
     "page.py": """
        import streamlit as st
        from helpers.store import open_model

        @st.cache_resource
        def estimator():
            return open_model("models/rent-4.joblib")

        size = st.slider("size", 10, 200)
        st.write(estimator().predict([[size]])[0])
        """},
    # the dependency is cached: FastAPI calls it per request, it loads once
    """
    from functools import lru_cache
    import joblib
    from fastapi import Depends, FastAPI
    app = FastAPI()

    @lru_cache(maxsize=1)
    def bundle():
        return joblib.load("bundle.joblib")

    @app.post("/score")
    def score(item: Item, model=Depends(bundle)):
        return {"p": float(model.predict_proba(to_frame(item))[0, 1])}
    """,
    # Streamlit: a cached resource is loaded once per process
    """
    import joblib
    import streamlit as st

    @st.cache_resource
    def fetch():
        return joblib.load("model.joblib")

    area = st.number_input("area")
    st.write(fetch().predict([[area]])[0])
    """,
    # the same helper called only while the module's holder is unset: loaded once, on first use
    {"model_utils.py": """
        import joblib

        def fetch_model(path="artifacts/price-2.1.joblib"):
            return joblib.load(path)
        """,
     "app.py": """
        import threading
        import pandas as pd
        from flask import Flask, jsonify, request
        from model_utils import fetch_model

        app = Flask(__name__)
        _model = None
        _lock = threading.Lock()

        @app.post("/price")
        def price():
            global _model
            with _lock:
                if _model is None:
                    _model = fetch_model()
            frame = pd.DataFrame([request.get_json()])
            return jsonify({"price": float(_model.predict(frame)[0])})
        """},
    # FastAPI startup event and lifespan
    """
    import joblib
    from contextlib import asynccontextmanager
    from fastapi import FastAPI
    MODEL = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        MODEL["bundle"] = joblib.load("artifacts/model.joblib")
        yield

    app = FastAPI(lifespan=lifespan)

    @app.on_event("startup")
    def warm():
        MODEL["other"] = joblib.load("artifacts/other.joblib")

    @app.post("/predict")
    def predict(req: Req):
        return {"p": float(MODEL["bundle"]["model"].predict_proba(req.frame())[0, 1])}
    """,
    # Flask app factory
    """
    import joblib, os
    from flask import Flask, request

    def create_app():
        app = Flask(__name__)
        bundle = joblib.load(os.environ["MODEL_PATH"])

        @app.post("/late-risk")
        def late_risk():
            return {"p": float(bundle["pipeline"].predict_proba(parse(request.get_json()))[0, 1])}

        return app
    """,
    # cached loaders
    """
    import joblib
    from functools import lru_cache
    _model = None

    @lru_cache(maxsize=1)
    def get_model():
        return joblib.load("model.joblib")

    def get_lazy():
        global _model
        if _model is None:
            _model = joblib.load("other.joblib")
        return _model

    def predict(record):
        return get_model().predict_proba(to_frame(record))[0, 1] + get_lazy().predict(to_frame(record))[0]
    """,
    # a script and a batch job's main()
    """
    import joblib
    import pandas as pd
    model = joblib.load("model.joblib")
    df = pd.read_csv("customers.csv")
    df["score"] = model.predict_proba(df[FEATURES])[:, 1]

    def main(in_path):
        model = joblib.load("model.joblib")
        rows = pd.read_csv(in_path)
        return model.predict(rows)
    """,
    {"score.ipynb": """
    import joblib
    model = joblib.load("model.joblib")
    # %%
    def score(customer):
        return model.predict_proba(to_frame(customer))[0, 1]
    """},
]
