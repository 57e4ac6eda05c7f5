from __future__ import annotations

from typing import Iterator

from wicked_data.checks.analysis.project import Project
from wicked_data.checks.analysis.service_map import ServiceMap
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import ProjectHit, ProjectRule

# Objects that are the application (routers and blueprints are mounted on one).
APPLICATIONS = {"FastAPI", "Flask", "Starlette", "Quart", "Sanic", "Litestar", "Application"}


class MissingHealthEndpoint(ProjectRule):
    """
    ## What it does
    Flags a prediction service (FastAPI, Flask, Starlette: routes that reach a model, in any file
    of the project) that has no health or readiness endpoint (a route whose path or function is
    named like `health`, `healthz`, `ready`, `live`, `status` or `ping`). The finding points at
    the application object (`app = FastAPI(...)`), else at the first prediction route.

    ## Why is this bad?
    The orchestrator (Kubernetes, a load balancer, ECS) cannot tell a worker whose model failed
    to load, or is still loading, from a healthy one: it sends traffic to workers that answer every
    request with a 500, and never restarts them. Operators cannot ask which model version a worker
    is serving.

    ## Example
    ```python
    app = FastAPI()
    app.include_router(prediction_router)
    ```

    ## Use instead
    Report readiness with the model's status and version:
    ```python
    @app.get("/health")
    def health():
        bundle = registry.current()
        return {"status": "ok" if bundle else "loading", "model": bundle and bundle["name"]}
    ```

    ## Known problems
    Health checks implemented outside the application (a sidecar, a TCP probe, a framework
    plugin) are not seen. A health route that does not check the model still satisfies the rule.
    """

    id = "ML509"
    name = "missing-health-endpoint"
    severity = Severity.P3

    def check_project(self, project: Project) -> Iterator[ProjectHit]:
        service = ServiceMap(project)
        if not service.prediction_routes or service.health_routes:
            return
        first = service.prediction_routes[0]
        apps = [(rel, app["line"]) for rel, s in sorted(service.services.items()) for app in s["apps"]
                if app["kind"] in APPLICATIONS]
        file, line = apps[0] if apps else (first.file, first.facts["line"])
        yield ProjectHit(file, line, f"the prediction service ({first.label} and others) has no health or readiness "
                         "endpoint; orchestrators cannot tell a worker whose model failed to load from a healthy one. "
                         "Add /health reporting whether the model is loaded and which version",
                         confidence="medium", related=[(first.file, first.facts["line"], f"{first.label} serves predictions")])


MissingHealthEndpoint.invalid = [
    # the seed: the app in one file, the prediction routes in another
    {"main.py": """
    from fastapi import FastAPI
    from routes import router
    app = FastAPI(title="lead scoring")  # ruleid: ML509
    app.include_router(router)
    """, "routes.py": """
    from fastapi import APIRouter
    from schemas import BatchRequest
    router = APIRouter()

    @router.post("/predict-batch")
    def predict_batch(req: BatchRequest):
        return PIPELINE.predict_batch(req.lead_ids)
    """},
    # Flask, one file
    """
    import joblib
    from flask import Flask, request
    app = Flask(__name__)  # ruleid: ML509
    model = joblib.load("model.joblib")

    @app.post("/predict")
    def predict():
        return {"p": float(model.predict_proba(parse(request.get_json()))[0, 1])}
    """,
]

MissingHealthEndpoint.valid = [
    # a readiness route reporting the model
    """
    from fastapi import FastAPI
    app = FastAPI()

    @app.get("/healthz")
    def healthz():
        return {"ready": MODEL is not None, "model": MODEL_VERSION}

    @app.post("/predict")
    def predict(req: Req):
        return {"p": float(MODEL.predict_proba(req.frame())[0, 1])}
    """,
    # a web app that serves no model
    """
    from flask import Flask
    app = Flask(__name__)

    @app.get("/users/<int:uid>")
    def user(uid):
        return {"id": uid, "name": DB.name_of(uid)}
    """,
]
