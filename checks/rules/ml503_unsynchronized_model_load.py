from __future__ import annotations

import ast
import re
from typing import Iterator

from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.serving import GlobalWrite, Serving, applies, serving
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule

RELOADER = re.compile(r"reload|refresh|swap|update|set_model|load|switch|promote|rollout", re.I)


class UnsynchronizedModelLoad(Rule):
    """
    ## What it does
    Flags a model kept in shared state (a module global, an entry of a module-level registry dict,
    an attribute of a long-lived object) that a function loads lazily (`if MODEL is None:`,
    `if name not in REGISTRY:`) or replaces (a reload) without holding a lock. Loading once at
    import time, in a startup or lifespan hook, in a constructor (`__init__`), or in a function only
    called from those is fine.

    ## Why is this bad?
    Web servers run handlers concurrently (FastAPI runs sync endpoints in a thread pool, gunicorn
    threads, async tasks around `await`). Two first requests both see the model missing and both
    deserialise it, doubling memory and latency; a reload racing a prediction lets one request mix
    the old model with the new feature list, or see a half-built registry entry; if training just
    wrote a new file, concurrent loads can even pick different models.

    ## Example
    ```python
    def get_model(name):
        if name not in _MODELS:
            _MODELS[name] = joblib.load(path_for(name))
        return _MODELS[name]
    ```

    ## Use instead
    Load at startup, or guard the check-then-load (and any swap) with a lock, building the new
    model before publishing it:
    ```python
    _LOCK = threading.Lock()
    def get_model(name):
        with _LOCK:
            if name not in _MODELS:
                _MODELS[name] = joblib.load(path_for(name))
            return _MODELS[name]
    ```

    ## Known problems
    A load is recognised by the deserialiser (`joblib.load`, `torch.load`, ...), a loader named
    like `load_model`, or a module helper that deserialises. Locks are recognised by a `with` on a
    name bound to `threading.Lock()`/`asyncio.Lock()` or named like a lock; other synchronisation
    (a queue, a single-worker deployment) is not seen. An object's own attribute counts as shared state only in a
    module that serves requests (a web framework imported or routes defined): an offline pipeline
    object that loads its models on first use is not flagged. A function called from another module's
    startup hook is taken as a per-request loader unless its name says it reloads only.
    """

    id = "ML503"
    name = "unsynchronized-model-load"
    severity = Severity.P1

    def _cached_loaders(self, facts: Serving) -> Iterator[Hit]:
        """`@lru_cache` on a loader keyed by a version or a name, called while serving: the cache
        does not stop two concurrent first calls from loading the same model twice."""
        for fn in facts.functions:
            params = [a for a in fn.args.args if a.arg not in ("self", "cls")]
            if not facts.inference.is_cached(fn) or not params or not facts._returns_load(fn):
                continue
            if _streamlit_cached(facts, fn):
                continue  # Streamlit computes a cached resource once per key, under its own lock
            callers = [facts.enclosing(c.node) for c in facts.inference.callers(fn)]
            if not any(owner is not None and not facts.inference.is_startup(owner) for owner in callers):
                continue
            yield Hit(f"{fn.name}() loads models on demand, keyed by `{params[0].arg}`, behind a cache with no lock; "
                      "concurrent first requests for a key each load the model. Load the versions at startup, or "
                      "guard the load with a lock", node=fn.decorator_list[0], confidence="medium")

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        if not applies(module):
            return
        facts = serving(module)
        by_name: dict[str, list[GlobalWrite]] = {}
        for write in facts.global_writes:
            if write.locked or not facts.is_model_load(write.value) or not _concurrent(facts, write):
                continue
            by_name.setdefault(write.name, []).append(write)
        yield from self._cached_loaders(facts)
        for name, writes in by_name.items():
            lazy = [w for w in writes if w.lazy is not None]
            first = lazy[0] if lazy else writes[0]
            others = [(None, w.line, f"{w.function.name}() also replaces it without a lock")
                      for w in writes if w is not first]
            if first.lazy is not None:
                yield Hit(f"{first.function.name}() checks whether `{name}` holds the model and loads it if not, with "
                          "no lock; concurrent first requests each load it (and may load different files). Load it at "
                          "startup, or hold a lock around the check and the load",
                          node=first.lazy, related=[(None, first.line, "the unsynchronised load"), *others],
                          confidence="high")
            else:
                yield Hit(f"{first.function.name}() replaces the model in `{name}` with no lock; a request running "
                          "concurrently can see the old model with new metadata or a half-built entry. Build the new "
                          "model first and publish it under a lock", node=first.node, related=others,
                          confidence="medium")


def _streamlit_cached(facts: Serving, fn) -> bool:
    """`@st.cache_resource` (or the older `st.experimental_singleton`/`st.cache`): Streamlit
    computes each key once, under its own lock."""
    for deco in fn.decorator_list:
        name = facts.module.imports.resolve(deco.func if isinstance(deco, ast.Call) else deco) or ""
        if name.startswith("streamlit."):
            return True
    return False


def _concurrent(facts: Serving, write: GlobalWrite) -> bool:
    """Runs while requests are being served: not a startup hook, not a helper only called from
    module-level code or startup hooks; a lazy load, a route, or a function named like a reloader."""
    fn = write.function
    inference = facts.inference
    if write.kind == "attribute" and facts.framework is None and not facts.routes:
        return False  # an object's own attribute, in code that serves no concurrent requests (a pipeline, a script)
    if inference.is_startup(fn) or inference.is_cached(fn) or fn.name == "__init__":
        return False  # (an object under construction is not shared yet)
    callers = inference.callers(fn)
    if callers and all((owner := facts.enclosing(c.node)) is None or inference.is_startup(owner) or owner.name == "__init__"
                       for c in callers):
        return False
    is_route = any(r.function is fn for r in facts.routes)
    return write.lazy is not None or is_route or bool(RELOADER.search(fn.name))


UnsynchronizedModelLoad.invalid = [
    # the seed: a registry dict filled on first use, and a reload that swaps the entry
    """
    import joblib
    _MODEL_REGISTRY = {}

    def get_model(model_dir, prefix):
        if prefix not in _MODEL_REGISTRY:  # ruleid: ML503
            _MODEL_REGISTRY[prefix] = joblib.load(f"{model_dir}/{prefix}.joblib")
        return _MODEL_REGISTRY[prefix]

    def reload_model(model_dir, prefix):
        _MODEL_REGISTRY[prefix] = joblib.load(f"{model_dir}/{prefix}.joblib")
        return _MODEL_REGISTRY[prefix]
    """,
    # FastAPI: a lazy global through a loader helper
    """
    import pickle
    from fastapi import FastAPI
    app = FastAPI()
    _model = None

    def _read(path):
        with open(path, "rb") as fh:
            return pickle.load(fh)

    def model():
        global _model
        if _model is None:  # ruleid: ML503
            _model = _read("model.pkl")
        return _model

    @app.post("/predict")
    def predict(req: Req):
        return {"p": float(model().predict_proba(req.frame())[0, 1])}
    """,
    # Flask: a reload endpoint swaps the global
    """
    import joblib
    from flask import Flask
    app = Flask(__name__)
    MODEL = joblib.load("model.joblib")

    @app.post("/admin/reload")
    def reload():
        global MODEL
        MODEL = joblib.load("model.joblib")  # ruleid: ML503
        return {"reloaded": True}
    """,
    # a long-lived object that loads on first use, shared by a service's requests
    """
    import torch
    from fastapi import FastAPI

    app = FastAPI()

    class Scorer:
        def __init__(self, path):
            self.path = path
            self.net = None

        def score(self, x):
            if self.net is None:  # ruleid: ML503
                self.net = torch.load(self.path, weights_only=True)
            return self.net(x)

    scorer = Scorer("net.pt")

    @app.post("/score")
    def score(x: float):
        return {"y": float(scorer.score(x))}
    """,
]

UnsynchronizedModelLoad.invalid.append(
    # Flask: a cached loader keyed by version, called per request
    """
    import functools
    import joblib
    from flask import Flask, request
    app = Flask(__name__)

    @functools.lru_cache(maxsize=None)  # ruleid: ML503
    def load_model(version: str):
        return joblib.load(f"models/forecast-{version}.joblib")

    @app.post("/forecast")
    def forecast():
        model = load_model(request.json["version"])
        return {"units": float(model.predict(to_row(request.json))[0])}
    """,
)

UnsynchronizedModelLoad.valid = [
    # an offline pipeline object that reads its fold models on first use: nothing serves requests
    """
    import pickle

    class FoldEnsemble:
        def __init__(self, folder):
            self.folder = folder
            self.members = None

        def load_members(self):
            if self.members is None:
                with open(f"{self.folder}/members.pkl", "rb") as fh:
                    self.members = pickle.load(fh)

        def predict(self, frame):
            self.load_members()
            return sum(m.predict(frame) for m in self.members) / len(self.members)
    """,
    # Streamlit computes a cached resource once per key under its own lock
    """
    import joblib
    import streamlit as st

    @st.cache_resource
    def model_for(version: str):
        return joblib.load(f"models/{version}.joblib")

    def page():
        version = st.selectbox("version", ["v1", "v2"])
        st.write(model_for(version).predict([[st.number_input("x")]]))
    """,
    # a lock around the check and the load
    """
    import threading
    import joblib
    _LOCK = threading.Lock()
    _MODELS = {}

    def get_model(name):
        with _LOCK:
            if name not in _MODELS:
                _MODELS[name] = joblib.load(f"models/{name}.joblib")
            return _MODELS[name]
    """,
    # loaded in a lifespan hook, a startup helper, and once at import
    """
    import joblib
    from contextlib import asynccontextmanager
    from fastapi import FastAPI
    MODEL = {}
    DEFAULT = joblib.load("default.joblib")

    def load_all():
        global DEFAULT
        DEFAULT = joblib.load("default.joblib")

    @asynccontextmanager
    async def lifespan(app):
        MODEL["bundle"] = joblib.load("bundle.joblib")
        load_all()
        yield

    app = FastAPI(lifespan=lifespan)
    """,
    # a lazy global that is not a model (a database engine)
    """
    from sqlalchemy import create_engine
    _engine = None

    def engine():
        global _engine
        if _engine is None:
            _engine = create_engine(URL)
        return _engine
    """,
]
