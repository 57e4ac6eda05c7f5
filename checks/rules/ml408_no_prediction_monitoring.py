from __future__ import annotations

from typing import Iterator

from checks.analysis.module import ModuleAnalysis
from checks.analysis.production import inference, monitors, uses_monitoring
from checks.models import Severity
from checks.rules.base import Hit, Rule


class NoPredictionMonitoring(Rule):
    """
    ## What it does
    Flags a module whose online inference entry points (route handlers, functions scoring one
    record) neither log nor measure anything about their predictions: no `logger.info(...)` or
    structured log of inputs and outputs, no latency timer (`time.perf_counter()`), no metric
    (Prometheus, StatsD, OpenTelemetry, Datadog, MLflow). Error logging inside an `except` clause
    does not count. A monitoring library used anywhere in the project silences the rule.

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
    Any logging call or timer on the entry point's path counts as monitoring, whatever it records.
    Middleware or a gateway outside the reviewed code that logs requests is not seen. Batch jobs
    are not checked (their output file is their record).
    """

    id = "ML408"
    name = "no-prediction-monitoring"
    severity = Severity.P2

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        if module.source.is_notebook or module.role == "training" or uses_monitoring(module):
            return
        facts = inference(module)
        silent = [e for e in facts.entries if e.online and e.function is not None
                  and not monitors(module, facts, e.function)]
        if not silent:
            return
        first = silent[0]
        related = [(None, e.predictions[0].line, f"{e.name}() is not monitored either") for e in silent[1:]]
        if len(silent) == 1 and first.function.lineno != first.predictions[0].line:
            related.insert(0, (None, first.function.lineno, f"{first.name}() serves predictions"))
        yield Hit(f"predictions served by {first.name}() are not logged or measured (no log of inputs and outputs, "
                  "no latency timer, no metrics); drift, broken inputs and slowdowns go unnoticed. Log each "
                  "prediction with its inputs and model version, and export latency/count metrics",
                  node=first.predictions[0].node, related=related, confidence="medium")

    def satisfied(self, module: ModuleAnalysis) -> bool:
        return uses_monitoring(module)


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
]

NoPredictionMonitoring.valid = [
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
