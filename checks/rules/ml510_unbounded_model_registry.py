from __future__ import annotations

import ast
from typing import Iterator

from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.serving import applies, serving
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule


class UnboundedModelRegistry(Rule):
    """
    ## What it does
    Flags a module-level dict (or a dict attribute of a long-lived object) that functions fill
    with loaded models under a computed key (`_MODELS[name] = joblib.load(...)`) while nothing ever
    removes an entry: no `pop`, `del`, `clear`, `popitem`, and no size check.

    ## Why is this bad?
    Every model name, prefix, tenant or version ever requested stays in memory for the life of the
    worker. With per-customer models or a reload that adds a new key per version, memory grows
    until the process is killed, and each of N workers holds its own copy.

    ## Example
    ```python
    _MODEL_REGISTRY = {}
    def get_model(prefix):
        if prefix not in _MODEL_REGISTRY:
            _MODEL_REGISTRY[prefix] = _load_bundle(prefix)
        return _MODEL_REGISTRY[prefix]
    ```

    ## Use instead
    Bound the registry and evict: an `LRUCache(maxsize=...)`, `functools.lru_cache(maxsize=...)`
    on the loader, or an explicit eviction when a newer version is loaded:
    ```python
    _MODEL_REGISTRY = cachetools.LRUCache(maxsize=4)
    ```

    ## Known problems
    Only dicts created empty in the module (or in `__init__`) are followed. Entries keyed by a
    literal (`_MODELS["default"] = ...`) are bounded and not flagged. Eviction in another module
    is not seen.
    """

    id = "ML510"
    name = "unbounded-model-registry"
    severity = Severity.P3

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        if not applies(module):
            return
        facts = serving(module)
        for name, decl in facts.module_dicts.items():
            writes = [w for w in facts.global_writes if w.kind == "item" and w.name == name
                      and facts.is_model_load(w.value) and not _literal_key(w.node)]
            if not writes or facts.evicted(name):
                continue
            yield Hit(f"`{name}` keeps every loaded model for the life of the process and nothing evicts an entry; "
                      "memory grows with each new key or version. Bound it (an LRU cache) or evict old models",
                      node=decl, related=[(None, w.line, f"{w.function.name}() adds a model") for w in writes],
                      confidence="medium")


def _literal_key(node: ast.AST) -> bool:
    target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
    return isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant)


UnboundedModelRegistry.invalid = [
    # the seed
    """
    from typing import Any, Dict
    import joblib
    _MODEL_REGISTRY: Dict[str, Dict[str, Any]] = {}  # ruleid: ML510

    def _load_bundle(model_dir, prefix):
        return joblib.load(f"{model_dir}/{prefix}.joblib")

    def get_model(model_dir, prefix):
        if prefix not in _MODEL_REGISTRY:
            _MODEL_REGISTRY[prefix] = _load_bundle(model_dir, prefix)
        return _MODEL_REGISTRY[prefix]
    """,
    # FastAPI: per-tenant models in an object's dict
    """
    import torch
    from fastapi import FastAPI
    app = FastAPI()

    class Models:
        def __init__(self):
            self.by_tenant = {}  # ruleid: ML510

        def get(self, tenant):
            if tenant not in self.by_tenant:
                self.by_tenant[tenant] = torch.load(f"models/{tenant}.pt", weights_only=True)
            return self.by_tenant[tenant]
    """,
]

UnboundedModelRegistry.valid = [
    # an LRU cache, and a registry that evicts the old version
    """
    import joblib
    from cachetools import LRUCache
    _CACHE = LRUCache(maxsize=4)
    _MODELS = {}

    def get(name, version):
        if name in _MODELS and _MODELS[name]["version"] != version:
            _MODELS.pop(name)
        if name not in _MODELS:
            _MODELS[name] = joblib.load(f"models/{name}-{version}.joblib")
        return _MODELS[name]
    """,
    # a fixed set of models loaded at startup
    """
    import joblib
    MODELS = {}

    def startup():
        MODELS["churn"] = joblib.load("churn.joblib")
        MODELS["upsell"] = joblib.load("upsell.joblib")
    """,
]
