"""Does the code record what the model is asked and answers (monitoring): a logger or metrics call
fed with the prediction or the caller's data, or a monitoring library wired into the app."""
from __future__ import annotations

import re

from wicked_data.checks.analysis.entries import Entry
from wicked_data.checks.analysis.flowtypes import CallSite, Val
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.names import last
from wicked_data.checks.analysis.production import Inference, inference
from wicked_data.checks.analysis.syntax import FunctionNode, decorator_names, syntax

# ---------------------------------------------------------------------- monitoring
MONITORING_MODULES = ("prometheus_client", "statsd", "datadog", "opentelemetry", "evidently", "whylogs",
                      "arize", "nannyml", "fiddler", "aporia", "newrelic", "ddtrace", "prometheus_fastapi_instrumentator",
                      "starlette_exporter", "aioprometheus", "mlflow", "wandb", "sentry_sdk")
LOG_METHODS = {"info", "debug", "warning", "warn", "log", "bind", "msg"}
TIMERS = ("time.perf_counter", "time.perf_counter_ns", "time.monotonic", "time.monotonic_ns", "time.time",
          "time.process_time", "timeit.default_timer")


METRIC_METHODS = {"observe", "inc", "labels", "time", "record", "gauge", "increment", "histogram", "timing"}


def monitors(module: ModuleAnalysis, facts: Inference, fn: FunctionNode, entry: Entry | None = None) -> bool:
    """Does `fn` (or what it calls) log, measure or count what the model does? Error-only logging
    in an `except` clause does not count. For an entry point, a log counts only when it records
    the predictions, the features or the caller's data (`len(ids)` is a count, not the data);
    a timer or a metric always counts."""
    ids = {id(f) for f in facts.reach(fn)}
    about = _prediction_values(module, entry) if entry is not None else None
    for call in module.calls:
        owner = facts.syntax.function_of(call.node)
        if owner is None or id(owner) not in ids or facts.syntax.in_handler(call.node):
            continue
        name = call.name or ""
        if call.is_(*TIMERS) or name.startswith(MONITORING_MODULES) or call.method in METRIC_METHODS:
            return True
        logs = (call.qualname is not None and call.qualname.startswith(("logging.", "loguru.logger.", "structlog."))
                and last(call.qualname) in LOG_METHODS) \
            or (call.method in LOG_METHODS and call.receiver is not None and _is_logger(call.receiver))
        if logs and (about is None or _records(module, call, about)):
            return True
    return False


def _prediction_values(module: ModuleAnalysis, entry: Entry) -> set[int]:
    """Ids of what a log of this entry point should record: the predictions, the model's inputs
    and the caller's data."""
    out = {id(v) for pred in entry.predictions for v in pred.inputs}
    out |= {id(o.val) for o in entry.origins if o.val is not None}
    for pred in entry.predictions:
        call = module.flow.call_at(pred.node)
        if call is not None and call.val is not None:
            out.add(id(call.val))
    return out


def _records(module: ModuleAnalysis, call: CallSite, about: set[int], limit: int = 300) -> bool:
    """One of the log call's arguments is computed from a value in `about`, other than by
    counting it (`len(lead_ids)`)."""
    stack = [v for v in [*call.args, *call.kwargs.values()] if v is not None]
    seen: set[int] = set()
    while stack and len(seen) < limit:
        cur = stack.pop()
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        if id(cur) in about:
            return True
        if cur.call is not None and cur.call.is_("len") and cur.call.method is None:
            continue
        stack.extend([*cur.parents, *cur.kw])
    if stack:
        module.limit_reached(call.node, f"what a log call records (over {limit} values)")
    return False


def _is_logger(val: Val) -> bool:
    if re.search(r"log", val.name or "", re.I):
        return True
    return val.call is not None and last(val.call.name) in ("getLogger", "get_logger", "getChild")


# Experiment trackers: in code that serves they can record predictions; in training code they record
# the training runs, which says nothing about the predictions served.
TRACKERS = ("mlflow", "wandb")


def uses_monitoring(module: ModuleAnalysis, trackers: bool = True) -> bool:
    """The module imports a metrics/monitoring library (an experiment tracker only with `trackers`)
    or instruments the app with middleware."""
    if module.imports.uses(*(m for m in MONITORING_MODULES if trackers or m not in TRACKERS)):
        return True
    syn = syntax(module)
    for fn in syn.functions:
        names = set(decorator_names(fn, module.imports))
        if names & {"middleware", "after_request", "before_request"}:
            facts = inference(module)
            if monitors(module, facts, fn):
                return True
    return False


