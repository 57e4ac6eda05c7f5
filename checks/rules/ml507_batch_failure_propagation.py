from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Iterator

from wicked_data.checks.analysis import vocab
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.names import data_root
from wicked_data.checks.analysis.project import third_party
from wicked_data.checks.analysis.serving import Serving, applies, element_type, serving, unwrap_annotation
from wicked_data.checks.analysis.syntax import FunctionNode, resolved_last
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule

if TYPE_CHECKING:
    from wicked_data.checks.analysis.project import Project
    from wicked_data.checks.models import Finding

FEATURE_CALL = re.compile(r"feature|transform|prepare|preprocess|engineer|encode|build_row|to_frame|vectori", re.I)


class BatchFailurePropagation(Rule):
    """
    ## What it does
    Flags a loop over the items of a batch (a parameter of the function: `lead_ids`, `records`,
    `batch.items`) that applies the model or feature code to each item with no error handling
    inside the loop, so the first item that raises aborts the whole batch. List comprehensions
    that score each item are flagged the same way, and so is an endpoint that takes a list of raw
    dicts (`records: List[dict]`) and scores it in one vectorised model call.

    ## Why is this bad?
    One unknown id (`KeyError`), one row with a missing field or an infinite feature (`ValueError`
    from `predict_proba`) turns a 500-lead request into a 500 error: the 499 good leads get no score,
    the client retries the same batch and fails again, and the nightly job scores nothing.

    ## Example
    ```python
    for lead_id in lead_ids:
        proba = model.predict_proba(features.loc[[lead_id]])[0]
        predictions.append({"lead_id": lead_id, "probability": proba[1]})
    ```

    ## Use instead
    Handle each item, report per-item errors, and keep going:
    ```python
    for lead_id in lead_ids:
        try:
            proba = model.predict_proba(features.loc[[lead_id]])[0]
        except (KeyError, ValueError) as exc:
            errors.append({"lead_id": lead_id, "error": str(exc)})
            continue
        predictions.append({"lead_id": lead_id, "probability": proba[1]})
    ```

    ## Known problems
    A loop counts as a batch loop when it iterates a parameter of its function (or a value built
    from one); a loop that trains (cross-validation folds), applies each of several models to the
    same rows (an ensemble) or packs already computed scores into the project's own result class is
    not one. Vectorised scoring of validated items (a list of request models) is not flagged,
    although one unexpected value can still fail it as a unit. A `try` around the whole loop does not count: it still
    loses the batch.
    """

    id = "ML507"
    name = "batch-failure-propagation"
    severity = Severity.P1

    def settled_elsewhere(self, finding: "Finding", project: "Project") -> bool:
        """The loop is in a module nothing runs: the project answers users from other files, and no
        other non-test file imports this one, which is no program of its own either (a batch
        helper of a class only its tests use). A program (a nightly scoring job) keeps it."""
        return project.off_service(finding.file, finding.line) and not (project.facts.get(finding.file) or {}).get("main")

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        if not applies(module):
            return
        facts = serving(module)
        yield from _vectorised_raw_batches(facts)
        for fn in facts.functions:
            params = _batch_names(facts, fn)
            if not params:
                continue
            for node in facts.own_nodes(fn):
                if isinstance(node, (ast.For, ast.AsyncFor)):
                    iter_node, body = node.iter, node.body
                elif isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.DictComp)) and len(node.generators) == 1:
                    iter_node, body = node.generators[0].iter, [node.elt if not isinstance(node, ast.DictComp) else node.value]
                else:
                    continue
                if not {n.id for n in ast.walk(iter_node) if isinstance(n, ast.Name)} & params:
                    continue
                if _counted(node, iter_node, params):
                    continue  # `for _ in range(horizon)`: steps of a forecast, not the batch's items
                if _fits_inside(body) or _over_models(facts, node, body):
                    continue  # cross-validation folds being trained, or each model of an ensemble applied to all rows
                call = _unguarded_work(facts, node, body)
                if call is None:
                    continue
                yield Hit(f"{fn.name}() scores the batch item by item with no error handling in the loop; the first item "
                          f"that raises ({module.text(call.func)} failing on one bad record) aborts the whole batch. Catch "
                          "errors per item and report them next to the successful predictions",
                          node=node, related=[(None, call.lineno, "this call can fail for one item")], confidence="high")


def _fits_inside(body: list[ast.AST]) -> bool:
    """The loop trains (`.fit(...)`, `lgb.train(...)`): folds of a cross-validation, not records."""
    return any(isinstance(n, ast.Call) and (isinstance(n.func, ast.Attribute) and n.func.attr in vocab.FIT_METHODS
                                           or isinstance(n.func, ast.Attribute) and n.func.attr == "train")
               for stmt in body for n in ast.walk(stmt))


def _over_models(facts: Serving, loop: ast.AST, body: list[ast.AST]) -> bool:
    """Each item is a model (or a model's name) applied to the same rows (`[m.predict(X) for m in
    models]`, `model = self.models[name]; model.predict_proba(X)`): an ensemble, not a batch scored
    item by item. The item picks the model, and no model is given anything the item picks."""
    target = loop.target if isinstance(loop, (ast.For, ast.AsyncFor)) else loop.generators[0].target
    picked = {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    for stmt in body:  # names bound in the loop from the item (`model = self.models[name]`)
        for node in ast.walk(stmt):
            if isinstance(node, ast.Assign) and any(isinstance(n, ast.Name) and n.id in picked for n in ast.walk(node.value)):
                picked |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    predictions = [n for stmt in body for n in ast.walk(stmt) if isinstance(n, ast.Call)
                   and isinstance(n.func, ast.Attribute) and n.func.attr in APPLIED]

    def mentions(node: ast.AST) -> bool:
        return any(isinstance(n, ast.Name) and n.id in picked for n in ast.walk(node))

    def picks_data(node: ast.AST) -> bool:
        """The item is (part of) the data given, not only a column key of a frame the loop does not
        pick (`encoder.transform(df[col])`: the loop runs over the columns of one record)."""
        if isinstance(node, ast.Subscript) and not mentions(node.value):
            return False
        if isinstance(node, ast.Name):
            return node.id in picked
        return any(picks_data(child) for child in ast.iter_child_nodes(node))

    return bool(predictions) and all(mentions(c.func.value) and not any(picks_data(a) for a in [*c.args, *(k.value for k in c.keywords)])
                                     for c in predictions)


# A fitted object applied to data: a model's prediction, a transform's output.
APPLIED = set(vocab.PREDICT_METHODS) | {"transform", "fit_transform", "inverse_transform"}


def _counted(loop: ast.AST, iter_node: ast.AST, params: set[str]) -> bool:
    """A loop over `range(...)` whose counter never picks an item of the batch (`items[i]`)."""
    if not (isinstance(iter_node, ast.Call) and isinstance(iter_node.func, ast.Name) and iter_node.func.id == "range"):
        return False
    target = loop.target if isinstance(loop, (ast.For, ast.AsyncFor)) else loop.generators[0].target
    counters = {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    for node in ast.walk(loop):
        first = node.slice.elts[0] if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Tuple) \
            and node.slice.elts else getattr(node, "slice", None)  # `X[:, i]` picks a column, not an item
        if isinstance(node, ast.Subscript) and {n.id for n in ast.walk(first) if isinstance(n, ast.Name)} & counters:
            root = data_root(node.value)
            if isinstance(root, ast.Name) and root.id in params:
                return False
    return True


def _vectorised_raw_batches(facts: Serving) -> Iterator[Hit]:
    """A route taking a list of raw dicts (`records: List[dict]`) that scores them in one model call:
    one record with a missing or malformed field makes the whole call raise."""
    for route in facts.routes:
        raw = [p for p in route.params if p.kind == "raw" and p.body and _raw_items(p.node.annotation, facts.module.imports)]
        if not raw:
            continue
        names = {p.name for p in raw}
        for call in facts.calls_in(route.function):
            mentions = any(isinstance(n, ast.Name) and n.id in names for a in call.node.args for n in ast.walk(a))
            if not mentions or call.callee is None:
                continue
            model_calls = [c for f in facts.reach(call.callee.node) for c in facts.calls_in(f)
                           if c.method in ("predict", "predict_proba", "decision_function")]
            if model_calls:
                yield Hit(f"{route.name}() hands the whole batch of unvalidated records to {call.callee.node.name}(), "
                          "which scores it in one model call; one record with a missing or malformed field fails the "
                          "whole batch. Validate each record (a request model) and score or reject items one by one",
                          node=model_calls[0].node, confidence="medium",
                          related=[(None, call.line, f"{route.name}() passes the raw batch here")])


def _raw_items(annotation: ast.expr | None, imports) -> bool:
    """`List[dict]`, `list[dict[str, Any]]`, `list`, `List[Any]`: a list whose items are not validated
    (type names read through the imports)."""
    ann = unwrap_annotation(annotation, imports)
    if ann is None:
        return False
    if not isinstance(ann, ast.Subscript):
        return resolved_last(ann, imports) in ("list", "List")
    if resolved_last(ann.value, imports) not in ("list", "List"):
        return False
    item = element_type(ann, imports)
    item = item.value if isinstance(item, ast.Subscript) else item
    return resolved_last(item, imports) in ("dict", "Dict", "Any", "Mapping")


def _batch_names(facts: Serving, fn: FunctionNode) -> set[str]:
    """The function's parameters (and the request, for a route), and local names computed from them."""
    names = {a.arg for a in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]} - {"self", "cls"}
    if any(r.function is fn for r in facts.routes):
        names |= facts.request_names(fn)
    for node in facts.own_nodes(fn):
        if isinstance(node, ast.Assign) and {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)} & names:
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _unguarded_work(facts: Serving, loop: ast.AST, body: list[ast.AST]) -> ast.Call | None:
    """The first model or feature call in the loop body that no `try` inside the loop covers."""
    for stmt in body:
        for node in ast.walk(stmt):
            if not isinstance(node, ast.Call):
                continue
            call = facts.module.flow.call_at(node)
            if call is None:
                continue
            callee = call.callee.node if call.callee is not None else facts.syntax.called_function(node)
            if _is_work(facts, call) and not _handled_inside(facts, node, loop) \
                    and not (callee is not None and _handles_own_errors(facts, callee)):
                return node
    return None


def _is_work(facts: Serving, call) -> bool:
    """A model call, a scoring helper, feature code, or a module function that predicts. Building a
    record of the project's own class (`Result(item=..., score=float(p))`) is packing results."""
    if _builds_record(facts, call):
        return False
    name = call.method or (call.callee.node.name if call.callee is not None else "") or ""
    callee = call.callee.node if call.callee is not None else facts.syntax.called_function(call.node)
    return facts.is_prediction_call(call) or bool(FEATURE_CALL.search(name)) or (
        callee is not None and facts.predicts(callee))


def _builds_record(facts: Serving, call) -> bool:
    """A call of a class the project defines (here, or imported from one of its own modules): an
    instance built from values already computed, not the model applied."""
    if call.method is not None or not isinstance(call.node.func, ast.Name):
        return False
    name = call.node.func.id
    if any(isinstance(n, ast.ClassDef) and n.name == name for n in facts.module.tree.body):
        return True
    resolved = facts.module.imports.resolve(call.node.func) or ""
    return resolved != name and name[:1].isupper() and not third_party(resolved.lstrip("."))


def _handles_own_errors(facts: Serving, fn: FunctionNode) -> bool:
    """A per-item helper that catches its own failures: every model/feature call in it is inside a
    `try` with a handler, or its whole body is a `try` that catches any exception (`except
    Exception: return {..., "prediction": "Error"}`)."""
    body = [stmt for stmt in fn.body if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))]
    if body and all(isinstance(stmt, ast.Try) and any(_catches_all(h) for h in stmt.handlers) for stmt in body):
        return True
    work = [c for c in facts.calls_in(fn) if _is_work(facts, c)]
    return bool(work) and all(facts.syntax.handled(c.node) for c in work)


def _catches_all(handler: ast.ExceptHandler) -> bool:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return handler.type is None or any(isinstance(k, ast.Name) and k.id in ("Exception", "BaseException") for k in kinds)


def _handled_inside(facts: Serving, node: ast.AST, loop: ast.AST) -> bool:
    child = node
    for anc in facts.syntax.ancestors(node):
        if anc is loop:
            return False
        if isinstance(anc, ast.Try) and child in anc.body and anc.handlers:
            return True
        child = anc
    return False



def _games_rated_by(body: str, mark: str = "") -> str:
    """A FastAPI route scoring each game of the request with a nested coroutine whose body is `body`."""
    return """
    import asyncio
    import joblib
    from fastapi import FastAPI, Request
    app = FastAPI()
    model = joblib.load("matchups.joblib")

    def rate(game):
        return float(model.predict_proba([[game["home_form"], game["away_form"]]])[0, 1])

    @app.post("/rate")
    async def rate_all(request: Request):
        games = (await request.json())["games"]

        async def rate_one(game):
            BODY

        return {"games": await asyncio.gather(*[rate_one(g) for g in games])}MARK
""".replace("BODY", body).replace("MARK", mark)

BatchFailurePropagation.invalid = [
    # a nested coroutine scores each game with nothing catching its failure
    _games_rated_by('return {**game, "p_home": rate(game)}', "  # ruleid: ML507"),
    # the seed: a per-lead loop inside the batch method
    """
    class Pipeline:
        def predict_batch(self, lead_ids):
            features = build_features(fetch_rows(lead_ids))
            predictions = []
            for lead_id in lead_ids:  # ruleid: ML507
                proba = self.model.predict_proba(features.loc[[lead_id]])[0]
                predictions.append({"lead_id": lead_id, "probability": float(proba[1])})
            return predictions
    """,
    # FastAPI: a comprehension over the request's items, a try around the whole loop
    """
    from fastapi import FastAPI
    app = FastAPI()

    @app.post("/score-batch")
    def score_batch(batch: Batch):
        try:
            scores = [score_one(item) for item in batch.items]  # ruleid: ML507
        except Exception:
            raise HTTPException(500, "batch failed")
        return {"scores": scores}

    def score_one(item):
        return float(MODEL.predict_proba(to_frame(item))[0, 1])
    """,
    # Flask: feature code per record
    """
    from flask import Flask, request
    app = Flask(__name__)

    @app.post("/batch")
    def batch():
        records = request.get_json()["records"]
        out = []
        for record in records:  # ruleid: ML507
            out.append(model.predict([prepare_features(record)])[0])
        return {"predictions": out}
    """,
]

BatchFailurePropagation.invalid.append(
    # FastAPI: raw records scored in one vectorised call
    """
    from typing import List
    import pandas as pd
    from fastapi import Body, FastAPI
    app = FastAPI()

    def score_frame(frame):
        X = build_features(frame)[FEATURES]
        return MODEL.predict_proba(X)[:, 1].tolist()  # ruleid: ML507

    @app.post("/score-batch")
    def score_batch(records: List[dict] = Body(..., embed=True)):
        return {"scores": score_frame(pd.DataFrame(records))}
    """,
)

BatchFailurePropagation.valid = [
    # each game scored by a nested coroutine that catches its own failure and answers "error"
    _games_rated_by('try:\n                return {**game, "p_home": rate(game)}\n            except Exception as err:\n                return {**game, "p_home": None, "error": str(err)}'),
    # one record; the loop applies each column's saved encoder to that record's column
    """
    import joblib
    import pandas as pd
    from fastapi import FastAPI
    app = FastAPI()
    model, encoders = joblib.load("model.joblib"), joblib.load("encoders.joblib")

    def score(record: dict, coders: dict) -> float:
        row = pd.DataFrame([record])
        for column, coder in coders.items():
            row[column] = coder.transform(row[column].astype(str))
        return float(model.predict_proba(row)[0, 1])

    @app.post("/score")
    def route(record: dict) -> dict:
        return {"p": score(record, encoders)}
    """,
    # the batch is scored once, under a try; the loop only packs each score into a response record
    """
    from fastapi import FastAPI, HTTPException
    from pydantic import BaseModel
    app = FastAPI()

    class Forecast(BaseModel):
        shop: int
        predicted: float

    @app.post("/forecast")
    def forecast(req: Request):
        try:
            values = ENGINE.predict(req.rows)
        except ValueError as exc:
            raise HTTPException(status_code=422, detail=str(exc))
        out = []
        for row, value in zip(req.rows, values):
            out.append(Forecast(shop=row.shop, predicted=float(value)))
        return out
    """,
    # per-item error handling
    """
    def predict_batch(model, features, lead_ids):
        predictions, errors = [], []
        for lead_id in lead_ids:
            try:
                proba = model.predict_proba(features.loc[[lead_id]])[0]
            except (KeyError, ValueError) as exc:
                errors.append({"lead_id": lead_id, "error": str(exc)})
                continue
            predictions.append({"lead_id": lead_id, "probability": float(proba[1])})
        return {"predictions": predictions, "errors": errors}
    """,
    # one vectorised call, and a loop that only formats results
    """
    def predict_batch(model, frame, ids):
        probs = model.predict_proba(frame)[:, 1]
        return [{"id": i, "p": round(float(p), 4)} for i, p in zip(ids, probs)]
    """,
    # FastAPI: the per-item helper catches its own errors
    """
    from fastapi import FastAPI
    app = FastAPI()

    def score_one(item, bundle):
        try:
            p = float(bundle["model"].predict_proba(build_features(item))[0, 1])
        except Exception as exc:
            return {"id": item.id, "error": type(exc).__name__}
        return {"id": item.id, "p": p}

    @app.post("/score-batch")
    def score_batch(req: BatchRequest):
        return {"scores": [score_one(item, STORE.bundle) for item in req.items]}
    """,
]
