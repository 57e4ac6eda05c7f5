"""Model loads by library semantics: which calls deserialise a model, and whether the format can
run code (pickle underneath) or not (skops, safetensors, ONNX, native boosters, Keras, MLflow)."""
from __future__ import annotations

import ast

from wicked_data.checks.analysis import libraries
from wicked_data.checks.analysis.flowtypes import APPLIED, CallSite
from wicked_data.checks.analysis.names import last

# Deserialisers that execute code from the artifact (pickle underneath).
UNSAFE_LOADS = libraries.names("load_unsafe")
# Loaders of formats that cannot run code, or of registries that version the model.
SAFE_LOADS = libraries.names("load_safe")
LOAD_METHODS = {"load_model", "from_pretrained", "load", "load_state_dict"}

def unsafe_load(call: CallSite) -> bool | None:
    """True for a code-executing deserialiser, False for a safe model loader, None for no load."""
    if call.short not in _LOAD_SHORTS and call.method not in LOAD_METHODS:  # asked of every call: most are not loads
        return None
    if call.is_(*UNSAFE_LOADS):
        if call.is_("torch.load"):
            weights = call.kwarg_node("weights_only")
            return not (isinstance(weights, ast.Constant) and weights.value is True)
        return True
    if call.is_("numpy.load"):
        allow = call.kwarg_node("allow_pickle")
        return True if isinstance(allow, ast.Constant) and allow.value is True else None
    if call.is_(*SAFE_LOADS):
        if call.is_("lightgbm.Booster", "xgboost.Booster"):
            return False if call.kwarg_node("model_file") is not None else None
        return False
    if call.method in LOAD_METHODS and call.receiver is not None and call.method != "load_state_dict":
        if call.method == "load" and not (call.val is not None and call.val.flags & APPLIED):
            return None  # `x.load(...)` is a model load when what it returns is used as one
        return False
    return None


_LOAD_SHORTS = {last(n) for n in (*UNSAFE_LOADS, *SAFE_LOADS, "numpy.load")} | LOAD_METHODS
