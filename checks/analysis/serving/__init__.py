"""Serving facts about one module: the routes of a prediction service and what they take and
return (`core`), the probabilities the model produces and what is done to them (`scores`), module
globals, locks, registries and prediction caches (`state`), and the per-file facts the project rules
and the audit read (`facts`). `serving(module)` computes them once per module, for files that look
like serving code (`applies`)."""
from wicked_data.checks.analysis.serving.base import element_type, module_name, unwrap_annotation
from wicked_data.checks.analysis.serving.core import Route, Serving, applies, serving
from wicked_data.checks.analysis.serving.facts import service_facts
from wicked_data.checks.analysis.serving.state import GlobalWrite

__all__ = ["GlobalWrite", "Route", "Serving", "applies", "element_type", "module_name", "serving", "service_facts",
           "unwrap_annotation"]
