"""Is the data time-ordered? Signals, strongest first: time-series operations (lags, rolling
windows, differences), sorting by a date, parsed date columns, columns named like dates."""
from __future__ import annotations

import ast

from wicked_data.checks.analysis.flowtypes import is_time_name, str_list
from wicked_data.checks.analysis.module import ModuleAnalysis

SERIES_OPS = {"shift", "rolling", "ewm", "diff", "pct_change", "expanding", "resample", "asfreq", "lag"}


def temporal_evidence(module: ModuleAnalysis) -> tuple[str, int, str] | None:
    """(strength 'high'|'medium'|'low', line, what) for the first sign that rows are ordered in
    time; 'low' when only a column's name suggests a date."""
    return module.shared(_compute)


def _compute(module: ModuleAnalysis) -> tuple[str, int, str] | None:
    stated = module.stated.get("time-column")
    if stated:
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value == stated:
                return "high", node.lineno, f"the rows carry the time column {stated!r} (stated in [tool.wicked-data])"
        for call in module.calls:
            if call.method == "sort_values" and stated in (str_list(call.arg_node(0, "by")) or ()):
                return "high", call.line, f"rows are sorted by the time column {stated!r}"
    medium = None
    for call in module.calls:
        if call.method in SERIES_OPS and call.receiver is not None:
            return "high", call.line, f".{call.method}() builds time-series features"
        if call.method == "sort_values":
            by = str_list(call.arg_node(0, "by"))
            timed = [c for c in by or () if is_time_name(c)]
            if timed:
                return "high", call.line, f"rows are sorted by {timed[0]!r}"
        if medium is None and call.is_("pandas.to_datetime"):
            medium = ("medium", call.line, "dates are parsed with pd.to_datetime")
        if medium is None and call.kwarg_node("parse_dates") is not None:
            medium = ("medium", call.line, "dates are parsed at load time")
        if medium is None and call.receiver is not None and isinstance(call.node.func, ast.Attribute) \
                and isinstance(call.node.func.value, ast.Attribute) and call.node.func.value.attr == "dt":
            medium = ("medium", call.line, "a column is used as a date (the .dt accessor)")
    if medium:
        return medium
    # only a column's name says it may be a date (a "time" column can be a duration): low
    for write in module.flow.column_writes:
        if is_time_name(write.column) and write.column.lower() not in ("hour", "weekday", "dayofweek") \
                and write.column not in module.target_columns:
            return "low", write.line, f"a column named like a date, {write.column!r}"
    targets = module.target_columns
    for node in _subscript_keys(module):
        if is_time_name(node.value) and node.value not in targets:
            return "low", node.lineno, f"a column named like a date, {node.value!r}"
    return None


def _subscript_keys(module: ModuleAnalysis):
    for call in module.calls:
        for val in [call.receiver, *call.args]:
            if val is not None and isinstance(val.key, str) and isinstance(val.node, ast.Subscript) \
                    and isinstance(val.node.slice, ast.Constant):
                yield val.node.slice
