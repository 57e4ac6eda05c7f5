from __future__ import annotations

import ast
import re
from typing import Iterator

from wicked_data.checks.analysis.entries import Entry
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.production import Inference, inference
from wicked_data.checks.analysis.syntax import syntax
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule

VERSION = re.compile(r"version|model_id|model_name|model_tag|revision|variant|\barm\b|experiment", re.I)
MODEL_KEYS = {"model", "model_id", "model_name", "model_uri"}


class NoModelVersionInOutput(Rule):
    """
    ## What it does
    Flags an online inference entry point (a route handler, a function scoring one record) whose
    response never says which model produced it: nothing in the function or the response it builds
    mentions a version (a `model_version` field, a `"model": BUNDLE["version"]` entry, an
    `X-Model-Version` header, a response model with a version field).

    ## Why is this bad?
    Without the model version in each response, two models cannot run side by side (A/B tests,
    canaries, shadow deployments), a complaint about one decision cannot be traced to the model
    that made it, and logs of predictions cannot be split by model when comparing them.

    ## Example
    ```python
    def predict_churn(customer_data):
        return model.predict_proba(features)[0][1]
    ```

    ## Use instead
    Return the version with every prediction, taken from the artifact's metadata:
    ```python
    return {"churn_probability": p, "model_version": bundle["version"]}
    ```

    One finding per file, at its first entry; the file's other entries that answer without the
    version are its related places.

    ## Known problems
    Any mention of a version (or a model id/name) in the function counts, even one that does not
    reach the response; a version added by a middleware or a gateway outside the module is not
    seen. Batch jobs are not checked.
    """

    id = "ML409"
    name = "no-model-version-in-output"
    severity = Severity.P3

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        if module.source.is_notebook or module.role == "training" or module.is_test or _version_header(module):
            return
        facts = inference(module)
        silent = [entry for entry in facts.entries
                  if entry.online and entry.function is not None and not _says_version(facts, entry)]
        if not silent:
            return
        # one finding per file: the service has no version to report, whichever entry answers
        first, others = silent[0], silent[1:]
        node = _response(first) or first.predictions[0].node
        names = ", ".join(f"{e.name}()" for e in others[:3]) + (", ..." if len(others) > 3 else "")
        yield Hit(f"{first.name}() returns predictions without the model version that produced them"
                  + (f" (and {len(others)} more entr{'y' if len(others) == 1 else 'ies'} of this file: {names})"
                     if others else "")
                  + "; responses from different models cannot be told apart, so no A/B comparison or tracing. "
                  "Return the version (e.g. a `model_version` field) with each prediction",
                  node=node, confidence="medium",
                  related=[(None, (_response(e) or e.predictions[0].node).lineno,
                            f"{e.name}() returns predictions without the version too") for e in others[:8]],
                  fix=f"Return the model's version from {first.name}()"
                      + (" and the other entries" if others else "")
                      + " next to each prediction (a `model_version` field read from the artifact's metadata).")


def _says_version(facts: Inference, entry: Entry) -> bool:
    functions = [entry.function, *(f for f in entry.reach if f is not entry.function)]
    for fn in functions:
        for node in ast.walk(fn):
            if _versionish(node):
                return True
    for deco in entry.function.decorator_list:  # `response_model=Score` where Score has `model_version`
        if isinstance(deco, ast.Call):
            for kw in deco.keywords:
                if kw.arg == "response_model" and _class_has_version(facts, kw.value):
                    return True
    returns = entry.function.returns
    return returns is not None and _class_has_version(facts, returns)


def _versionish(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return bool(VERSION.search(node.id))
    if isinstance(node, ast.Attribute):
        return bool(VERSION.search(node.attr))
    if isinstance(node, ast.keyword):
        return bool(node.arg and VERSION.search(node.arg))
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(VERSION.search(node.value)) or node.value in MODEL_KEYS
    return False


def _class_has_version(facts: Inference, ann: ast.AST) -> bool:
    name = ann.id if isinstance(ann, ast.Name) else getattr(ann, "attr", None)
    for node in facts.syntax.nodes:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return any(_versionish(n) for n in ast.walk(node))
    return False


HEADER = re.compile(r"x-[\w-]*model[-_]?version", re.I)


def _version_header(module: ModuleAnalysis) -> bool:
    """A version header set for every response (middleware, `after_request`)."""
    if not HEADER.search(module.source.text):  # the source has no such string at all
        return False
    for node in syntax(module).nodes:
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search(
                r"model[-_]?version", node.value, re.I) and node.value.lower().startswith("x-"):
            return True
    return False


def _response(entry: Entry) -> ast.AST | None:
    """The last `return value` of the entry function itself."""
    found = None
    stack = list(entry.function.body)
    while stack:
        node = stack.pop(0)
        if isinstance(node, ast.Return) and node.value is not None:
            found = node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt) and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                stack.append(child)
    return found


NoModelVersionInOutput.invalid = [
    # the seed: a bare probability
    """
    import pickle
    with open("churn_model.pkl", "rb") as f:
        model = pickle.load(f)

    def predict_churn(customer_data):
        features = to_frame(customer_data)
        return model.predict_proba(features)[0][1]  # ruleid: ML409
    """,
    # Flask jsonify without a version
    """
    import joblib as jl
    from flask import Flask, jsonify, request
    app = Flask(__name__)
    model = jl.load("model.joblib")

    @app.post("/churn-score")
    def churn_score():
        payload = request.get_json()
        probability = model.predict_proba(frame(payload))[0, 1]
        return jsonify({"customer_id": payload.get("customer_id"), "p": float(probability)})  # ruleid: ML409

    @app.post("/churn-label")
    def churn_label():  # one cause, one finding: this route is a related place of the first
        payload = request.get_json()
        return jsonify({"churn": int(model.predict(frame(payload))[0])})
    """,
    # FastAPI with a response model that has no version
    """
    from fastapi import FastAPI
    from pydantic import BaseModel
    app = FastAPI()

    class Score(BaseModel):
        probability: float

    @app.post("/score", response_model=Score)
    def score(txn: Transaction) -> Score:
        p = float(MODEL["pipeline"].predict_proba(build(txn))[0, 1])
        return Score(probability=p)  # ruleid: ML409
    """,
]

NoModelVersionInOutput.valid = [
    """
    def score_application(application: dict, bundle) -> dict:
        probability = bundle["model"].predict_proba(to_frame(application))[0, 1]
        return {"default_probability": float(probability), "model_version": bundle["version"]}
    """,
    # a response model with a version field
    """
    from fastapi import FastAPI
    from pydantic import BaseModel
    app = FastAPI()

    class Score(BaseModel):
        fraud_probability: float
        model_version: str

    @app.post("/score", response_model=Score)
    def score(txn: Transaction):
        return make_score(MODEL["model"].predict_proba(build(txn))[0, 1])
    """,
    # a header set for every response
    """
    from flask import Flask, request
    app = Flask(__name__)

    @app.after_request
    def stamp(response):
        response.headers["X-Model-Version"] = MODEL_VERSION
        return response

    @app.post("/predict")
    def predict():
        return {"p": float(MODEL.predict_proba(frame(request.get_json()))[0, 1])}
    """,
    # a batch job and a training script are not checked
    """
    import joblib
    import pandas as pd

    def main(in_path, out_path):
        model = joblib.load("model.joblib")
        rows = pd.read_csv(in_path)
        rows["p"] = model.predict_proba(rows[FEATURES])[:, 1]
        rows.to_csv(out_path)
    """,
]
