from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.monitoring import monitors, uses_monitoring
from wicked_data.checks.analysis.production import inference
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule

if TYPE_CHECKING:
    from wicked_data.checks.analysis.project import Project
    from wicked_data.checks.models import Finding


class NoPredictionMonitoring(Rule):
    """
    ## What it does
    Flags a module whose online inference entry points (route handlers, functions scoring the
    records or the ids they are given, and returning the scores) neither log nor measure anything about their predictions: no log that records the
    predictions, the model's inputs or the caller's data (`logger.info("p=%s", p)`, a structured
    log), no latency timer (`time.perf_counter()`), no metric (Prometheus, StatsD, OpenTelemetry,
    Datadog, MLflow). A log of something else (a batch size, the model's name) and error logging
    inside an `except` clause do not count. A monitoring library used anywhere in the project
    silences the rule; an experiment tracker (MLflow, W&B) only where the module itself serves
    predictions (in training code it records the training runs), or in a project with no front end
    (no routes, UI or command line): there it marks experiment code, whose predictions feed evaluations.

    ## Why is this bad?
    A model in production degrades silently: inputs drift, a feature pipeline upstream breaks and
    sends zeros, latency creeps up. Without a record of inputs, predictions and timings there is
    nothing to compute drift from, no way to investigate a complaint about one decision, and no
    alert before the business notices.

    ## Example
    ```python
    def predict_churn(customer_data):
        return model.predict_proba(to_frame(customer_data))[0][1]
    ```

    ## Use instead
    Record every prediction with its inputs, the model version and the latency:
    ```python
    start = time.perf_counter()
    p = float(model.predict_proba(X)[0, 1])
    PREDICTION_LATENCY.observe(time.perf_counter() - start)
    log.info("prediction", extra={"customer_id": cid, "p": p, "model_version": VERSION})
    ```

    ## Known problems
    A log counts when one of its arguments is computed from the predictions or the inputs, however
    little of them it records; any timer counts, whatever it times. A log in a function the entry
    point does not call (a wrapper around it) is not seen. Logging middleware counts whatever it
    logs. Middleware or a gateway outside the reviewed code that logs requests is not seen. Batch jobs
    are not checked (their output file is their record).
    """

    id = "ML408"
    name = "no-prediction-monitoring"
    severity = Severity.P2
    online_only = True

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        if module.source.is_notebook or module.role == "training" or module.is_test or uses_monitoring(module):
            return
        facts = inference(module)
        silent = [e for e in facts.entries if e.online and e.function is not None
                  and not monitors(module, facts, e.function, e)]
        if not silent:
            return
        first = silent[0]
        related = [(None, e.predictions[0].line, f"{e.name}() is not monitored either") for e in silent[1:]]
        if len(silent) == 1 and first.function.lineno != first.predictions[0].line:
            related.insert(0, (None, first.function.lineno, f"{first.name}() serves predictions"))
        yield Hit(f"predictions served by {first.name}() are not logged or measured (no log of inputs and outputs, "
                  "no latency timer, no metrics); drift, broken inputs and slowdowns go unnoticed. Log each "
                  "prediction with its inputs and model version, and export latency/count metrics",
                  node=first.predictions[0].node, related=related, confidence="medium",
                  fix=f"In {first.name}(), log each prediction with its inputs, the model version and the latency "
                      "(a structured log line or a metrics counter and histogram).")

    def settled_elsewhere(self, finding: "Finding", project: "Project") -> bool:
        """A project with no front end (no routes, UI or command line answering users) that tracks
        its runs with MLflow or W&B is experiment code: its prediction functions feed evaluations."""
        return not project.front_ends and any(f.get("tracks") for f in project.facts.values())

    def satisfied(self, module: ModuleAnalysis) -> bool:
        # (an MLflow or W&B run in code that serves nothing tracks training, not predictions)
        serves = any(e.online for e in inference(module).entries)
        return uses_monitoring(module, trackers=serves)


NoPredictionMonitoring.invalid = [
    # the seed
    """
    import pickle
    with open("churn_model.pkl", "rb") as f:
        model = pickle.load(f)

    def predict_churn(customer_data):
        features = to_frame(customer_data)
        return model.predict_proba(features)[0][1]  # ruleid: ML408
    """,
    # FastAPI: only errors are logged
    """
    import logging
    from fastapi import FastAPI, HTTPException
    log = logging.getLogger("svc")
    app = FastAPI()

    @app.post("/score")
    def score(txn: Transaction):
        try:
            p = float(state["model"].predict_proba(build(txn))[0, 1])  # ruleid: ML408
        except Exception:
            log.exception("scoring failed")
            raise HTTPException(status_code=500)
        return {"p": p}
    """,
    # Flask with two endpoints: one finding, the other as related
    """
    import joblib as jl
    from flask import Flask, request
    app = Flask(__name__)
    model = jl.load("model.joblib")

    @app.post("/one")
    def one():
        return {"p": float(model.predict_proba(frame(request.get_json()))[0, 1])}  # ruleid: ML408

    @app.post("/many")
    def many():
        return {"p": model.predict_proba(frame(request.get_json()))[:, 1].tolist()}
    """,
    # the only log records the batch size and the model's name, not the predictions
    """
    import logging
    logger = logging.getLogger(__name__)

    class Scorer:
        def predict_batch(self, lead_ids):
            bundle = self.bundle
            logger.info("scoring %d leads with %s", len(lead_ids), bundle["name"])
            features = build_features(fetch_rows(lead_ids))
            return [bundle["model"].predict_proba(features.loc[[i]])[0, 1] for i in lead_ids]  # ruleid: ML408
    """,
    # FastAPI: a request counter in the log line, nothing about the prediction
    """
    from loguru import logger
    from fastapi import FastAPI
    app = FastAPI()

    @app.post("/score")
    def score(txn: Transaction):
        logger.info("score request received")
        return {"p": float(MODEL.predict_proba(build(txn))[0, 1])}  # ruleid: ML408
    """,
]

NoPredictionMonitoring.valid = [
    # the prediction logged by a helper, with %-style arguments
    """
    import logging
    from flask import Flask, request
    app = Flask(__name__)
    log = logging.getLogger("svc")

    def _record(customer_id, probability):
        log.info("customer=%s p=%.4f", customer_id, probability)

    @app.post("/churn")
    def churn():
        body = validate(request.get_json())
        p = float(MODEL.predict_proba(to_frame(body))[0, 1])
        _record(body["customer_id"], p)
        return {"p": p}
    """,
    # the inputs logged with an f-string before predicting
    """
    import logging
    logger = logging.getLogger(__name__)

    def score_order(order: Order):
        features = to_frame(order)
        logger.debug(f"features {features.to_dict('records')}")
        return MODEL.predict(features)[0]
    """,
    # structured logging and a latency timer
    """
    import logging, time
    from fastapi import FastAPI
    log = logging.getLogger(__name__)
    app = FastAPI()

    @app.post("/score")
    def score(txn: Transaction):
        start = time.perf_counter()
        p = float(MODEL.predict_proba(build(txn))[0, 1])
        log.info("scored", extra={"p": p, "ms": (time.perf_counter() - start) * 1000})
        return {"p": p}
    """,
    # Prometheus metrics
    """
    from prometheus_client import Histogram
    LATENCY = Histogram("latency_seconds", "prediction latency")

    @LATENCY.time()
    def predict(record):
        return MODEL.predict_proba(to_frame(record))[0, 1]
    """,
    # monitoring in another module of the project
    {"service.py": """
    from flask import Flask, request
    from metrics import PREDICTIONS
    app = Flask(__name__)

    @app.post("/predict")
    def predict():
        return {"p": float(MODEL.predict_proba(frame(request.get_json()))[0, 1])}
    """, "metrics.py": """
    from prometheus_client import Counter
    PREDICTIONS = Counter("predictions_total", "predictions served")
    """},
    # a batch job that fetches its rows by date and stores the scores
    """
    def score_day(day):
        rows = warehouse.fetch_rows(day)
        rows["p"] = MODEL.predict_proba(rows[FEATURES])[:, 1]
        rows.to_sql("scores", ENGINE, if_exists="append")
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
