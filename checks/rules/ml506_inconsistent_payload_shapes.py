from __future__ import annotations

from typing import Iterator

from wicked_data.checks.analysis.project import Project
from wicked_data.checks.analysis.service_map import RouteRef, ServiceMap
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import ProjectHit, ProjectRule


class InconsistentPayloadShapes(ProjectRule):
    """
    ## What it does
    Flags endpoints that do the same job (they call the same prediction helper or reach the same
    model call, in any file of the project) but accept different request shapes: a bare JSON array
    on one, an object with a `lead_ids` field on another, or objects with different fields.

    ## Why is this bad?
    Clients have to know which endpoint wants which shape, one of them inevitably sends the wrong
    one (a 422, or worse a silently empty `payload.get("ids")`), and every change to the scoring
    contract has to be made, documented and tested twice. The two shapes drift further apart with
    each release.

    ## Example
    ```python
    @router.post("/leads/predict-batch")
    def predict_batch(lead_ids: List[int] = Body(...)): ...          # ["1", "2"]

    @router.post("/advanced-ml/predict-batch")
    def advanced_predict_batch(payload: dict = Body(...)): ...       # {"lead_ids": [...]}
    ```

    ## Use instead
    One request model for the job, shared by every endpoint (keep the legacy route as a thin
    adapter that builds the model, and deprecate it):
    ```python
    class BatchRequest(BaseModel):
        lead_ids: list[int] = Field(min_length=1, max_length=500)
    ```

    ## Known problems
    The job is recognised by the prediction helpers and model calls a route reaches; two routes
    that score through different helpers of the same model are not compared, and a single-item
    endpoint is not compared with a batch endpoint (a batch is an array, a schema with a list
    field, or a payload key named like `ids`/`items`/`records`). Request shapes are
    read from annotations, schemas of the same file and the keys read from a raw payload.
    """

    id = "ML506"
    name = "inconsistent-payload-shapes"
    severity = Severity.P3

    def check_project(self, project: Project) -> Iterator[ProjectHit]:
        service = ServiceMap(project)
        routes = [r for r in service.prediction_routes if r.facts["shape"]]
        reported: set[str] = set()
        for i, route in enumerate(routes):
            if route.function.key in reported:
                continue
            jobs = service.jobs(route)
            others = [o for o in routes[i + 1:] if service.jobs(o) & jobs and _differs(route, o)]
            if not others:
                continue
            reported |= {o.function.key for o in others}
            yield ProjectHit(route.file, route.facts["line"],
                             f"{route.label} and {others[0].label} do the same job with different request shapes "
                             f"({_describe(route)} against {_describe(others[0])}); clients must know which shape each "
                             "endpoint wants. Share one request model", confidence="medium",
                             related=[(o.file, o.facts["line"], f"{o.label} takes {_describe(o)}") for o in others])


def _differs(a: RouteRef, b: RouteRef) -> bool:
    """Different shapes for the same kind of request (a single item and a batch are different jobs)."""
    sa, sb = a.facts["shape"], b.facts["shape"]
    if sa.get("batch") != sb.get("batch"):
        return False
    if sa["kind"] != sb["kind"]:
        return True
    return bool(sa["fields"]) and bool(sb["fields"]) and set(sa["fields"]) != set(sb["fields"])


def _describe(route: RouteRef) -> str:
    shape = route.facts["shape"]
    if shape["kind"] == "array":
        return f"a bare JSON array (`{shape['text']}`)"
    fields = ", ".join(shape["fields"])
    return f"an object with {fields or 'unknown fields'} (`{shape['text']}`)"


InconsistentPayloadShapes.invalid = [
    # the seed: a legacy bare array and a wrapped object in front of the same cached pipeline
    {"routes.py": """
    from typing import List
    from fastapi import APIRouter, Body
    import pipeline
    router = APIRouter()

    @router.post("/leads/predict-batch")
    def predict_batch(lead_ids: List[int] = Body(...)):  # ruleid: ML506
        return pipeline.cached_batch_prediction(lead_ids)

    @router.post("/advanced-ml/predict-batch")
    def advanced_predict_batch(payload: dict = Body(...)):
        return pipeline.cached_batch_prediction(payload.get("lead_ids") or [])
    """, "pipeline.py": """
    def cached_batch_prediction(lead_ids):
        return MODEL.predict_proba(rows(lead_ids))[:, 1]
    """},
    # Flask and FastAPI apps of one project scoring through the same model helper
    {"api_v1.py": """
    from flask import Flask, request
    from scoring import score_orders
    app = Flask(__name__)

    @app.post("/v1/score")
    def score():  # ruleid: ML506
        body = request.get_json()
        return {"scores": score_orders(body["orders"])}
    """, "api_v2.py": """
    from fastapi import FastAPI
    from pydantic import BaseModel
    from scoring import score_orders
    app = FastAPI()

    class ScoreRequest(BaseModel):
        items: list[dict]
        currency: str

    @app.post("/v2/score")
    def score(req: ScoreRequest):
        return {"scores": score_orders(req.items)}
    """, "scoring.py": """
    def score_orders(orders):
        return MODEL.predict_proba(to_frame(orders))[:, 1].tolist()
    """},
]

InconsistentPayloadShapes.valid = [
    # two endpoints sharing one request model; a different job with another shape
    """
    from fastapi import FastAPI
    from pydantic import BaseModel
    app = FastAPI()

    class BatchRequest(BaseModel):
        lead_ids: list[int]

    class Feedback(BaseModel):
        lead_id: int
        converted: bool

    @app.post("/leads/predict-batch")
    def predict_batch(req: BatchRequest):
        return pipeline.predict_batch(req.lead_ids)

    @app.post("/advanced-ml/predict-batch")
    def advanced_predict_batch(req: BatchRequest):
        return pipeline.predict_batch(req.lead_ids)

    @app.post("/feedback")
    def feedback(item: Feedback):
        return store.save_feedback(item)
    """,
    # one item and a batch of items are different requests
    """
    from typing import List
    from fastapi import Body, FastAPI
    from pydantic import BaseModel
    app = FastAPI()

    class Invoice(BaseModel):
        invoice_id: str
        amount: float

    @app.post("/invoices/score")
    def score_invoice(invoice: Invoice):
        return score_frame([invoice.model_dump()])

    @app.post("/invoices/score-batch")
    def score_invoices(records: List[dict] = Body(..., embed=True)):
        return score_frame(records)

    def score_frame(rows):
        return MODEL.predict_proba(to_frame(rows))[:, 1].tolist()
    """,
]
