from __future__ import annotations

import ast
from pathlib import PurePosixPath
from typing import Iterator

from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.paths import path_origin
from wicked_data.checks.analysis.production import Inference, inference, INTEGRITY, Load
from wicked_data.checks.analysis.syntax import FunctionNode
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule


class UnsafeDeserialization(Rule):
    """
    ## What it does
    Flags `pickle.load`/`pickle.loads`, `joblib.load`, `cloudpickle`/`dill` loads, `numpy.load(...,
    allow_pickle=True)` and `torch.load` without `weights_only=True`, when nothing checks the
    artifact's integrity first (a SHA-256/HMAC digest compared with a recorded one, a
    `verify_checksum(...)` helper) in the function that loads it or in its caller.

    ## Why is this bad?
    Unpickling runs whatever code the file contains. Anyone who can replace the artifact (a shared
    bucket, a mounted volume, an upload, a compromised CI job) gets code execution in the service,
    with its credentials. A corrupted or truncated file fails in confusing ways instead of being
    refused up front.

    ## Example
    ```python
    with open("churn_model.pkl", "rb") as f:
        model = pickle.load(f)
    ```

    ## Use instead
    Verify a digest recorded at training time before loading, or use a format that cannot run code
    (skops, safetensors, ONNX, `torch.load(..., weights_only=True)`):
    ```python
    if hashlib.sha256(path.read_bytes()).hexdigest() != manifest["sha256"]:
        raise RuntimeError(f"{path} failed its checksum")
    bundle = joblib.load(path)
    ```

    ## Known problems
    A notebook, training or feature script that reads back an artifact the project itself writes
    (matched by file name) is not reported: nothing outside the project supplies that file and no
    service runs the load. The same load in a service, a scoring job or an inference module is.
    A path written in the code from literals alone (`open("model.pkl", "rb")`, `Path(__file__).parent
    / "model.joblib"`) gives a P3: replacing that file takes the access that changing the code takes.
    A path from a parameter, the environment or a configuration keeps the P2, unless every caller
    in the project hands the parameter a path written in the code, the project's own constants
    included (`os.path.join(values.ARTIFACT_DIR, "model.pkl")`): that is a P3 too.
    Any hashing or `verify`/`checksum` call in the loading function or its caller counts as an
    integrity check, without proving that its result guards the load. A check done by another
    module before calling the loader is not seen. `torch.load` defaults to `weights_only=True`
    since PyTorch 2.6; the rule still asks for it explicitly because the installed version is not
    known.
    """

    id = "ML402"
    name = "unsafe-deserialization"
    severity = Severity.P2

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        facts = inference(module)
        for load in facts.loads:
            if not load.unsafe or _integrity_checked(facts, load):
                continue
            call = load.call
            fix = "pass weights_only=True" if call.is_("torch.load") else \
                "verify a recorded checksum first, or use a format that cannot run code (skops, safetensors, ONNX)"
            untrusted = load.placement == "request" or any(
                o.kind == "request" for e in facts.entries for o in e.origins if o.function is load.function)
            confidence = "high" if untrusted or module.role in ("serving", "inference") else "medium"
            origin = path_origin(module, call.arg(0, "f") if call.args else None,
                                 call.node.args[0] if call.node.args else None)
            if not untrusted and origin is not None and origin.fixed:
                # the file sits where the code is (a literal path beside it): replacing it takes the same
                # access as changing the code, so the format is advice, not an open door
                yield Hit(f"{module.text(call.node.func)}() executes code stored in the artifact; the file is read "
                          "from a path fixed in the code, so whoever can replace it can change the code too, but a "
                          f"deployment that ships or mounts it separately should {fix}",
                          node=call.node, confidence="medium", severity=Severity.P3)
                continue
            yield Hit(f"{module.text(call.node.func)}() executes code stored in the artifact and nothing checks the "
                      f"file's integrity before it is loaded; {fix}", node=call.node, confidence=confidence)


    def calibrate(self, finding, project):
        """The path comes from the project's own constants (`values.ARTIFACT_DIR`), or from a
        parameter that every caller in the project fills with such a path: it is fixed in the code
        as much as a literal, and gets the literal's P3."""
        if finding.severity != Severity.P2 or not project.load_path_fixed(finding.file, finding.line):
            return None
        return Severity.P3, ("every path that reaches this load is written in the project's code, so replacing "
                             "the file takes the access that changing the code takes")

    def settled_elsewhere(self, finding, project) -> bool:
        """A notebook, training or feature script that loads an artifact the project itself writes (its
        own checkpoint, the encoder it saved a cell before): no one else's file is unpickled and no
        service runs the load. A service, a scoring job or an inference module keeps the finding: the
        file it loads can be replaced where it is deployed."""
        if project.deploys(finding.file):
            return False
        facts = project.facts.get(finding.file) or {}
        loaded = next((a for a in (facts.get("artifacts") or {}).get("loaded", ()) if a.get("line") == finding.line), None)
        path = (loaded or {}).get("path")
        if not path or path.startswith("config:"):
            return False
        written = set()
        for other in project.facts.values():
            written |= {PurePosixPath(a["path"]).name for a in (other.get("artifacts") or {}).get("written", ())
                        if a.get("path")}
            written |= {PurePosixPath(p).name for p in ((other.get("lineage") or {}).get("files") or {}).get("written") or ()}
        return PurePosixPath(path).name in written


def _integrity_checked(facts: Inference, load: Load) -> bool:
    if _checks_integrity(facts, load.function):
        return True
    if load.function is not None:
        return any(_checks_integrity(facts, facts.syntax.function_of(c.node)) for c in facts.callers(load.function))
    return False


def _checks_integrity(facts: Inference, fn: FunctionNode | None) -> bool:
    body = facts.syntax.body_nodes(fn) if fn is not None else facts.syntax.body_nodes(facts.syntax.tree)
    for node in body:
        if isinstance(node, ast.Call):
            call = facts.module.flow.call_at(node)
            name = call.name if call is not None and call.name else ""
            if call is not None and call.callee is not None:
                name = call.callee.node.name
            if name.startswith(("hashlib.", "hmac.")) or INTEGRITY.search(name.rsplit(".", 1)[-1]):
                return True
    return False


UnsafeDeserialization.invalid = [
    # the seed: a pickle loaded at import time
    """
    import pickle
    with open("churn_model.pkl", "rb") as f:
        model = pickle.load(f)  # ruleid: ML402
    """,
    # joblib through an alias in a batch job; torch without weights_only
    """
    import joblib as jl
    import torch

    def main(model_path, in_path):
        ridge = jl.load(model_path)  # ruleid: ML402
        net.load_state_dict(torch.load("risknet.pt"))  # ruleid: ML402
        return ridge
    """,
    # a FastAPI lifespan without a checksum still loads untrusted bytes
    """
    import joblib
    from contextlib import asynccontextmanager
    from fastapi import FastAPI
    resources = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        resources["bundle"] = joblib.load("artifacts/solar_lr.joblib")  # ruleid: ML402
        yield
    """,
    # bytes from a request
    """
    import pickle
    from flask import Flask, request
    app = Flask(__name__)

    @app.post("/score")
    def score():
        model = pickle.loads(request.data)  # ruleid: ML402
        return {"ok": True}
    """,
    # numpy arrays of objects
    """
    import numpy as np
    feats = np.load("features.npy", allow_pickle=True)  # ruleid: ML402
    """,
]

UnsafeDeserialization.valid = [
    # a checksum compared before the load
    """
    import hashlib, joblib

    def load_verified_bundle(directory, version):
        artifact = directory / f"fraud-{version}.joblib"
        expected = (directory / f"fraud-{version}.sha256").read_text().strip()
        if hashlib.sha256(artifact.read_bytes()).hexdigest() != expected:
            raise RuntimeError("checksum mismatch")
        return joblib.load(artifact)
    """,
    # the caller verifies, the helper loads; weights_only for torch
    """
    import joblib, torch
    from functools import lru_cache

    def _read(path):
        return joblib.load(path)

    @lru_cache(maxsize=1)
    def get_model(path):
        verify_checksum(path)
        return _read(path)

    state = torch.load("weights.pt", weights_only=True)
    """,
    # formats that cannot run code
    """
    import onnxruntime as ort
    from skops.io import load as skops_load
    from safetensors.torch import load_file
    session = ort.InferenceSession("model.onnx")
    clf = skops_load("model.skops", trusted=["sklearn.ensemble.RandomForestClassifier"])
    weights = load_file("model.safetensors")
    """,
]
