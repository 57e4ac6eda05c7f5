from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Iterator

from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.serving import Route, Serving, applies, serving
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule

if TYPE_CHECKING:
    from wicked_data.checks.analysis.project import Project
    from wicked_data.checks.models import Finding

SCHEMA_CALL = re.compile(r"schema|validat|model_validate|parse_obj|TypeAdapter", re.I)


class UnvalidatedRequestPayload(Rule):
    """
    ## What it does
    Flags an endpoint (FastAPI, Flask, Starlette) whose request body is taken raw: a parameter
    annotated `dict`, `list[int]`, `List[str]`, `Any` or declared with `Body(...)` without a
    schema model, or a `request.json` / `request.get_json()` / `await request.json()` read that no
    schema or validator parses. Payloads that reach the model in the same module are ML404's
    (unvalidated-model-input) and are not reported twice.

    ## Why is this bad?
    Without a request model the endpoint has no contract: no required fields, no types beyond
    the container, no bounds on the batch size, no generated API documentation. A wrong key is
    silently ignored (`payload.get("ids")` returns None), a 100 000-id array ties up a worker, and
    clients drift into different shapes for the same call.

    ## Example
    ```python
    @router.post("/advanced-ml/predict-batch")
    def advanced_predict_batch(payload: dict = Body(...)):
        lead_ids = payload.get("lead_ids") or []
    ```

    ## Use instead
    Declare the body once, with its bounds:
    ```python
    class BatchRequest(BaseModel):
        lead_ids: list[PositiveInt] = Field(min_length=1, max_length=500)

    @router.post("/advanced-ml/predict-batch")
    def advanced_predict_batch(req: BatchRequest): ...
    ```

    ## Known problems
    One finding per handler, at its first unvalidated read of the body (the other reads are related
    places). A class imported from another module is assumed to be a schema. A body validated by hand (a
    `marshmallow` schema called through a helper with an unusual name) may be flagged; checks such
    as `if not ids: raise` do not count as validation. A form field taken by key
    (`request.form["message"]`) is not flagged: Flask answers a missing key with 400 and the value is
    always a string.
    """

    id = "ML505"
    name = "unvalidated-request-payload"
    severity = Severity.P2

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        if not applies(module):
            return
        facts = serving(module)
        covered, entries = _covered_by_ml404(facts)
        for route in facts.routes:
            if id(route.function) in entries:
                continue
            for param in route.params:
                if param.kind == "raw" and param.body and param.node.lineno not in covered \
                        and not _validated(facts, route, {param.name}):
                    yield Hit(f"{route.name}() takes its request body as `{param.name}: {param.annotation or 'Body'}` "
                              "with no request model: no required fields, types or size limits. Declare a pydantic "
                              "model for the body", node=param.node, confidence="high")
            # one finding per handler: the first unvalidated read, the others as related places
            reads = [read for read in route.body_reads if read.lineno not in covered and not _form_field(facts, read)
                     and not _validated(facts, route, _bound_to(facts, read), read)]
            if not reads:
                continue
            first, *more = reads
            lines = sorted({r.lineno for r in more if r.lineno != first.lineno})
            also = f" (and {len(lines)} more read{'s' if len(lines) > 1 else ''} of it)" if lines else ""
            yield Hit(f"{route.name}() reads the raw request body ({module.text(first)}){also} without a schema; "
                      "missing fields and wrong types surface as errors deep in the code. Parse it with a schema model",
                      node=first, confidence="high",
                      related=[(None, line, "the request body is read here too") for line in lines])


    def settled_elsewhere(self, finding: Finding, project: Project) -> bool:
        """The body parameter is typed with a request model the route's module imports from another
        file of the project (`items: List[CustomerData]`, `CustomerData` a pydantic model in
        `schema.py`): the model validates it."""
        service = (project.facts.get(finding.file) or {}).get("service") or {}
        models = {name for rel, facts in project.facts.items() if rel != finding.file
                  for name in ((facts.get("service") or {}).get("schemas") or {})}
        for route in service.get("routes", ()):
            for param in route["params"]:
                if param["line"] == finding.line and param["annotation"]:
                    return bool(set(re.findall(r"[A-Za-z_]\w*", param["annotation"])) & models)
        return False

def _covered_by_ml404(facts: Serving) -> tuple[set[int], set[int]]:
    """What ML404 already reports (caller data reaching the model unvalidated): the lines of that
    data, and the entry functions (ids) it reports."""
    inference = facts.inference
    lines, functions = set(), set()
    for entry in inference.entries:
        missing = inference.unvalidated(entry)
        lines |= {o.line for o in missing}
        if missing and entry.function is not None:
            functions.add(id(entry.function))
    return lines, functions


def _bound_to(facts: Serving, read: ast.AST) -> set[str]:
    parent = facts.syntax.parent.get(id(read))
    if isinstance(parent, ast.Assign):
        return {t.id for t in parent.targets if isinstance(t, ast.Name)}
    return set()


VALIDATING_METHODS = {"is_valid", "full_clean", "validate", "validate_python"}


def _validated(facts: Serving, route: Route, names: set[str], read: ast.AST | None = None) -> bool:
    """The body goes through a schema class or a validator in the route or what it calls; for a
    list, each item (`for raw in items: Lead.model_validate(raw)`) counts."""
    names = set(names)
    for node in ast.walk(route.function):
        loops = [(node.iter, node.target)] if isinstance(node, (ast.For, ast.AsyncFor)) else \
            [(g.iter, g.target) for g in node.generators] if isinstance(node, (ast.ListComp, ast.GeneratorExp)) else []
        for iter_node, target in loops:
            if any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(iter_node)):
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    for fn in facts.reach(route.function):
        calls = facts.calls_in(fn)
        # what the code asks of an object decides that it validates: `form = F(request.POST)` followed
        # by `form.is_valid()` (Django forms, marshmallow/cerberus-style validators)
        checked = {c.node.func.value.id for c in calls if c.method in VALIDATING_METHODS
                   and isinstance(c.node.func, ast.Attribute) and isinstance(c.node.func.value, ast.Name)}
        for call in calls:
            holder = facts.syntax.parent.get(id(call.node))
            validates = isinstance(holder, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in checked for t in holder.targets)
            if not (validates or facts.inference._is_validator(call) or SCHEMA_CALL.search(ast.unparse(call.node.func))):
                continue
            args = [*call.node.args, *(k.value for k in call.node.keywords)]
            if any(read is not None and any(n is read for n in ast.walk(a)) for a in args):
                return True
            if any(isinstance(n, ast.Name) and n.id in names for a in args for n in ast.walk(a)):
                return True
    return False


UnvalidatedRequestPayload.invalid = [
    # the seed: a bare array and a raw dict for the same job
    """
    from typing import List
    from fastapi import APIRouter, Body
    router = APIRouter()

    @router.post("/leads/predict-batch")
    def predict_batch(lead_ids: List[int] = Body(...)):  # ruleid: ML505
        return pipeline.cached_batch_prediction(lead_ids)

    @router.post("/advanced-ml/predict-batch")
    def advanced_predict_batch(payload: dict = Body(...)):  # ruleid: ML505
        return pipeline.cached_batch_prediction(payload.get("lead_ids") or [])
    """,
    # Flask: the JSON body handed to another module's scorer
    """
    from flask import Flask, jsonify, request
    from scoring import score_orders
    app = Flask(__name__)

    @app.route("/score", methods=["POST"])
    def score():
        body = request.get_json(force=True)  # ruleid: ML505
        return jsonify(score_orders(body["orders"]))
    """,
    # Starlette-style: awaiting the raw JSON
    """
    from fastapi import FastAPI, Request
    app = FastAPI()

    @app.post("/rank")
    async def rank(request: Request):
        data = await request.json()  # ruleid: ML505
        return {"ranked": ranker.rank_items(data["items"])}
    """,
]

UnvalidatedRequestPayload.valid = [
    # the request model lives in a schema module of the project
    {"schema.py": """
        from pydantic import BaseModel, Field

        class Household(BaseModel):
            rooms: int = Field(ge=1, le=20)
            area_m2: float = Field(gt=5, lt=2000)
        """,
     "api.py": """
        from typing import List
        import joblib
        import pandas as pd
        from fastapi import FastAPI
        from schema import Household

        app = FastAPI()
        model = joblib.load("artifacts/energy-1.2.joblib")

        @app.post("/estimate")
        def estimate(homes: List[Household]):
            frame = pd.DataFrame([h.model_dump() for h in homes])
            return {"kwh": model.predict(frame).tolist()}
        """},
    # a list of raw items, each validated before it is scored (bad items are answered one by one)
    """
    from fastapi import FastAPI
    from pydantic import BaseModel, ValidationError
    app = FastAPI()

    class Row(BaseModel):
        visits: int

    @app.post("/score-many")
    def score_many(items: list[dict]):
        out = []
        for raw in items:
            try:
                out.append(Row.model_validate(raw).visits)
            except ValidationError as exc:
                out.append(str(exc))
        return out
    """,
    # a Django form checked with is_valid() before its cleaned data is used
    """
    from django.http import JsonResponse
    from .forms import ScoringForm

    def score(request):
        form = ScoringForm(request.POST)
        if not form.is_valid():
            return JsonResponse({"errors": form.errors}, status=400)
        return JsonResponse({"score": model.predict([list(form.cleaned_data.values())])[0]})
    """,
    # request models, path and query scalars
    """
    from fastapi import FastAPI
    from pydantic import BaseModel, Field
    app = FastAPI()

    class BatchRequest(BaseModel):
        lead_ids: list[int] = Field(min_length=1, max_length=500)

    @app.post("/predict-batch")
    def predict_batch(req: BatchRequest):
        return pipeline.predict_batch(req.lead_ids)

    @app.get("/leads/{lead_id}/score")
    def score(lead_id: int, explain: bool = False):
        return pipeline.predict_batch([lead_id])
    """,
    # Flask: the body parsed by a schema
    """
    from flask import Flask, request
    app = Flask(__name__)

    @app.post("/score")
    def score():
        order = OrderSchema().load(request.get_json())
        return {"p": scorer.score_order(order)}

    @app.post("/score-v2")
    def score_v2():
        payload = request.get_json()
        order = validate_order(payload)
        return {"p": scorer.score_order(order)}
    """,
    # the payload reaches the model here: ML404 reports it, not this rule
    """
    import pandas as pd
    from fastapi import Body, FastAPI
    app = FastAPI()

    @app.post("/engagement")
    def engagement(user: dict = Body(...)):
        return {"p": float(MODEL.predict_proba(pd.DataFrame([user]))[0, 1])}
    """,
]


def _form_field(facts: Serving, read: ast.AST) -> bool:
    """`request.form["message"]`: one form field taken by key. Flask answers a missing key with 400
    itself, and a form field is always a string: there is no shape a schema would add."""
    parent = facts.syntax.parent.get(id(read))
    return isinstance(read, ast.Attribute) and read.attr in ("form", "values") and isinstance(parent, ast.Subscript) \
        and parent.value is read
