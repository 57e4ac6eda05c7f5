from __future__ import annotations

from typing import Iterator

from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.serving import Serving, applies, serving
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule


class PredictionCacheWithoutInvalidation(Rule):
    """
    ## What it does
    Flags predictions cached with a key that does not include the model version: a caching
    decorator (`@lru_cache`, `@cache`, cachetools `@cached(TTLCache(...))`, aiocache `@cached(ttl=...)`)
    on a function that predicts, or a write into a module-level cache (`TTLCache`, a dict named like a
    cache) of a value computed by one. A key that mentions a version, a checksum or the model id,
    or a cache that is cleared somewhere in the module, is fine.

    ## Why is this bad?
    After a new model is deployed or reloaded, the cache keeps answering with the old model's
    predictions (for the TTL, or forever with `lru_cache`), labelled as whatever the old response
    said. A/B comparisons mix models, a rollback does not roll back, and a bug fix appears not to
    work.

    ## Example
    ```python
    @cached(cache=TTLCache(maxsize=1024, ttl=300), key=lambda ids: hashkey(tuple(sorted(ids))))
    def cached_batch_prediction(ids): ...
    ```

    ## Use instead
    Put the model version in the key, and clear the cache when the model changes:
    ```python
    @cached(cache=_CACHE, key=lambda ids: hashkey(current().version, tuple(sorted(ids))))
    def cached_batch_prediction(ids): ...
    def reload():
        ...
        _CACHE.clear()
    ```

    ## Known problems
    Prediction is recognised by the model's methods and by helpers named like `predict*`/`score*`,
    also across files; a cache in front of a function with another name is missed. A version that
    the cached function reads inside its body does not count (the key is what matters).
    """

    id = "ML504"
    name = "prediction-cache-without-invalidation"
    severity = Severity.P2

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        if not applies(module):
            return
        facts = serving(module)
        for cache in facts.prediction_caches:
            if Serving.key_has_version(cache) or _cleared(facts, cache):
                continue
            yield Hit(f"{cache.function.name}() caches predictions ({_short(cache.spelled)}) with a key that ignores "
                      "the model version; after a new model is loaded the cache keeps serving the old model's "
                      "predictions. Put the model version in the key and clear the cache on reload",
                      node=cache.node, confidence="high" if cache.kind == "decorator" else "medium")


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _cleared(facts: Serving, cache) -> bool:
    """The cache is cleared somewhere (`CACHE.clear()`, `fn.cache_clear()`)."""
    names = {cache.function.name}
    if cache.kind == "object":
        names.add(cache.spelled.split("[")[0])
    return any(facts.evicted(n) for n in names) or any(
        n.attr in ("cache_clear", "invalidate") for n in facts.syntax.nodes
        if hasattr(n, "attr") and getattr(n, "value", None) is not None)


PredictionCacheWithoutInvalidation.invalid = [
    # the seed: cachetools keyed on the ids only
    """
    from cachetools import TTLCache, cached
    from cachetools.keys import hashkey

    @cached(cache=TTLCache(maxsize=1024, ttl=300), key=lambda lead_ids: hashkey(tuple(sorted(lead_ids))))  # ruleid: ML504
    def cached_batch_prediction(lead_ids):
        return current().predict_batch(lead_ids)
    """,
    # functools on a scoring helper called by a FastAPI route
    """
    from functools import lru_cache
    from fastapi import FastAPI
    app = FastAPI()

    @lru_cache(maxsize=10_000)  # ruleid: ML504
    def score_customer(customer_id: int) -> float:
        return float(MODEL.predict_proba(features_for(customer_id))[0, 1])

    @app.get("/score/{customer_id}")
    def score(customer_id: int):
        return {"p": score_customer(customer_id)}
    """,
    # Flask: a module-level dict cache
    """
    from flask import Flask, request
    app = Flask(__name__)
    _prediction_cache = {}

    @app.post("/predict")
    def predict():
        key = request.get_json()["customer_id"]
        if key not in _prediction_cache:
            _prediction_cache[key] = float(model.predict_proba(lookup(key))[0, 1])  # ruleid: ML504
        return {"p": _prediction_cache[key]}
    """,
]

PredictionCacheWithoutInvalidation.valid = [
    # the model version is part of the key
    """
    from cachetools import TTLCache, cached
    from cachetools.keys import hashkey
    _CACHE = TTLCache(maxsize=1024, ttl=300)

    @cached(cache=_CACHE, key=lambda ids: hashkey(MODEL_VERSION, tuple(sorted(ids))))
    def cached_prediction(ids):
        return PIPELINE.predict_batch(ids)
    """,
    # a cached loader and cached feature lookups are not prediction caches
    """
    from functools import lru_cache
    import joblib

    @lru_cache(maxsize=1)
    def get_model():
        return joblib.load("model.joblib")

    @lru_cache(maxsize=512)
    def customer_profile(customer_id):
        return DB.fetch_profile(customer_id)
    """,
    # cleared when the model changes
    """
    from functools import lru_cache

    @lru_cache(maxsize=4096)
    def predict_cached(key):
        return float(MODEL.predict_proba(row_for(key))[0, 1])

    def on_model_update(new_model):
        global MODEL
        MODEL = new_model
        predict_cached.cache_clear()
    """,
]
