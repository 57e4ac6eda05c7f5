from __future__ import annotations

import ast
from typing import Iterator

from wicked_data.checks.analysis.guards import call_name, zero_guarded
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.production import inference
from wicked_data.checks.analysis.serving import serving as serving_facts
from wicked_data.checks.analysis.syntax import config_valued, FunctionNode, path_valued, Syntax
from wicked_data.checks.analysis.values import aggregated, positive as _positive, written_column
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule

# Calls whose result cannot be zero (or is NaN instead): the denominator is guarded.
GUARD_CALLS = {"max", "maximum", "fmax", "clip", "clip_lower", "replace", "where", "mask", "nan_to_num"}
# Calls that keep the value (and its zeros): look through them.
PASS_CALLS = {"float", "int", "abs", "astype", "to_numpy", "values", "get", "item", "round", "squeeze", "Decimal"}


class UnguardedDivision(Rule):
    """
    ## What it does
    Flags a division on an inference path (a serving function, a scoring job, a feature module)
    whose denominator is a field of the caller's record or a column of the data
    (`customer["order_count"]`, `df["floor_area_m2"]`), directly or through a variable, with no
    zero guard: no `max(d, 1)`, `np.maximum`, `.clip(lower=1)`, `.replace(0, np.nan)`, `.where(...)`,
    `d + eps`, `d or 1`, no enclosing `if d` / `np.where(d > 0, ...)` / conditional expression, no
    earlier `if d == 0: raise/return`, and no `except ZeroDivisionError`.

    ## Why is this bad?
    A real customer with zero orders makes the service raise `ZeroDivisionError` (a 500 for that
    customer, every time), and in pandas the same division silently produces `inf` or `NaN` that
    the model turns into an arbitrary score. Training data often has no zeros in that column, so
    the bug only shows in production.

    ## Example
    ```python
    "avg_order_value": customer_data["total_revenue"] / customer_data["order_count"],
    ```

    ## Use instead
    Decide what a zero means and write it down:
    ```python
    orders = customer_data["order_count"]
    avg_order_value = customer_data["total_revenue"] / orders if orders else 0.0
    df["avg_order_value"] = df["total_revenue"] / df["order_count"].replace(0, np.nan)
    ```

    ## Known problems
    A column divided in the entry function of an offline feature job (called only from the file's
    own top level or `__main__` block) is left to ML508: pandas gives inf/NaN there, no exception.
    Training code (a module that fits a model) and notebooks are not checked: a division there
    breaks loudly during development. Neither is the top level of a feature script that applies
    no model (it runs once over stored files, an offline job); its functions are, since a service
    may import them. Ranges declared in a pydantic model (`Field(gt=0)`) are not
    read, and a guard is recognised when its test mentions the same field or variable, without
    checking which way it compares. `d + k` counts as guarded when `k` is a positive constant, a
    parameter defaulting to one, or what every caller in the file passes (`count + smoothing`),
    whatever the sign of `d`; a value passed from another file is not followed.
    """

    id = "ML405"
    name = "unguarded-division"
    severity = Severity.P1

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        if module.source.is_notebook or module.role == "training" or module.is_test:
            return
        facts = inference(module)
        syn = facts.syntax
        serving = facts.serving_functions
        module_level = any(p.function is None for p in facts.predictions)
        feature_module = module.role == "feature"
        for node in syn.nodes:  # the shared traversal (`ast.walk` order)
            if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Div, ast.FloorDiv)):
                denominator = node.right
            elif isinstance(node, ast.AugAssign) and isinstance(node.op, (ast.Div, ast.FloorDiv)):
                denominator = node.value
            else:
                continue
            fn = syn.function_of(node)
            if _path_join(module, syn, fn, node):
                continue
            on_path = id(fn) in serving if fn is not None else module_level
            if not (on_path or feature_module and fn is not None):
                continue  # (a feature script's own top level runs once over stored files: an offline job)
            if not on_path and _vectorised(module, denominator) and _run_by_own_program(facts, fn):
                continue  # a column divided in an offline feature job: no exception, inf/NaN (ML508's finding)
            source = _data_source(module, syn, fn, denominator, depth=3)
            if source is None or zero_guarded(syn, fn, node, denominator) or serving_facts(module).above_zero(denominator):
                continue  # (guarded in the code, or by the request schema: `Field(gt=0)`)
            yield Hit(f"the denominator `{module.text(denominator)}` comes from the input data ({source}) and nothing "
                      "guards it against zero; a record with 0 raises ZeroDivisionError or yields inf/NaN that "
                      "reaches the model. Decide what zero means (`x / d if d else 0`, `.replace(0, np.nan)`, "
                      "`max(d, 1)`)", node=node, confidence="high" if on_path else "medium", fix=_guard(module, node))


def _run_by_own_program(facts, fn) -> bool:
    """The function is the entry of the file's own program: its callers are all at the file's top level
    or in its `__main__` block (`if __name__ == "__main__": main()`), none in a function."""
    if fn is None:
        return False
    callers = facts.callers(fn)
    return bool(callers) and all(facts.syntax.function_of(c.node) is None for c in callers)


def _vectorised(module: ModuleAnalysis, expr: ast.expr) -> bool:
    """The denominator is a column or a frame (pandas, polars): dividing by its zeros gives inf/NaN
    element-wise instead of raising."""
    val = module.flow.val_at(expr)
    return val is not None and val.shape in ("series", "frame")


def _data_source(module: ModuleAnalysis, syn: Syntax, fn: FunctionNode | None, expr: ast.expr, depth: int) -> str | None:
    """The field or column the denominator reads (`customer['order_count']`), or None when it is a
    constant, a statistic, or already guarded."""
    if isinstance(expr, ast.Subscript):
        key = expr.slice
        written = written_column(module, expr) if depth > 0 else None
        if written is not None:  # a column computed earlier: its zeros are those of what it was computed from
            return _data_source(module, syn, fn, written, depth - 1)
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and not config_valued(module, expr.value) \
                and not aggregated(module, expr.value):
            return f"field '{key.value}'"
        return None
    if isinstance(expr, ast.Call):
        name = call_name(expr)
        if name in GUARD_CALLS:
            return None
        if name == "get" and expr.args and isinstance(expr.args[0], ast.Constant) and isinstance(expr.func, ast.Attribute) \
                and not config_valued(module, expr.func.value):
            return f"field '{expr.args[0].value}'"
        if name in PASS_CALLS:
            # a method keeps its receiver's zeros (`d.astype(float)`), a function its argument's (`float(d)`)
            inner = expr.func.value if isinstance(expr.func, ast.Attribute) else (expr.args[0] if expr.args else None)
            return _data_source(module, syn, fn, inner, depth) if inner is not None else None
        return None
    if isinstance(expr, ast.Attribute) and expr.attr in PASS_CALLS:
        return _data_source(module, syn, fn, expr.value, depth)
    if isinstance(expr, ast.BinOp):
        if isinstance(expr.op, ast.Add) and any(_positive(syn, fn, side) for side in (expr.left, expr.right)):
            return None  # d + eps, count + smoothing (a parameter defaulting to 20)
        if isinstance(expr.op, ast.Div):  # a quotient is zero where its numerator is
            return _data_source(module, syn, fn, expr.left, depth)
        if isinstance(expr.op, (ast.Mult, ast.Sub, ast.Add)):
            for side in (expr.left, expr.right):
                found = _data_source(module, syn, fn, side, depth)
                if found:
                    return found
        return None
    if isinstance(expr, ast.Name) and depth > 0:
        values = syn.assigned_values(fn, expr.id)
        found = [_data_source(module, syn, fn, v, depth - 1) for v in values]
        return found[-1] if found and found[-1] else None
    return None


def _path_join(module: ModuleAnalysis, syn: Syntax, fn: FunctionNode | None, node: ast.AST) -> bool:
    """`model_dir / manifest["artifact"]`: pathlib's `/`, not a division."""
    if not isinstance(node, ast.BinOp):
        return False
    if isinstance(node.right, (ast.JoinedStr, ast.Constant)) and isinstance(getattr(node.right, "value", ""), str):
        return True
    left = node.left
    while isinstance(left, ast.BinOp) and isinstance(left.op, ast.Div):
        left = left.left
    if isinstance(left, ast.Call):
        return call_name(left) in ("Path", "PurePath", "home", "cwd", "parent", "resolve", "expanduser")
    if isinstance(left, ast.Name) and any(isinstance(v, ast.Call) and call_name(v) in ("Path", "PurePath")
                                          for v in syn.assigned_values(fn, left.id)):
        return True
    return path_valued(module, left)


UnguardedDivision.invalid = [
    # the seed: a caller's field divides
    """
    import pandas as pd
    import pickle
    with open("churn_model.pkl", "rb") as f:
        model = pickle.load(f)

    def predict_churn(customer_data):
        features = pd.DataFrame([{
            "order_count": customer_data["order_count"],
            "avg_order_value": customer_data["total_revenue"] / customer_data["order_count"],  # ruleid: ML405
        }])
        return model.predict_proba(features)[0][1]
    """,
    # Flask: a request field, through a variable
    """
    from flask import Flask, jsonify, request
    app = Flask(__name__)

    @app.post("/bnpl/decision")
    def decision():
        body = request.json
        p_default = float(bundle["model"].predict_proba(make_features(body))[0, 1])
        installments = body["installments"]
        loss = p_default * body["basket_value"] / installments  # ruleid: ML405
        return jsonify({"p": p_default, "loss": loss})
    """,
    # a batch job dividing by a column of its input
    """
    import joblib as jl
    import pandas as pd

    def main(in_path):
        ridge = jl.load("ridge.joblib")
        listings = pd.read_csv(in_path)
        listings["rent"] = ridge.predict(listings[COLUMNS])
        listings["rent_per_m2"] = listings["rent"] / listings["floor_area_m2"]  # ruleid: ML405
        return listings
    """,
    # a feature module shared by training and serving
    """
    import pandas as pd

    def build_features(df):
        out = pd.DataFrame(index=df.index)
        out["claims_per_year"] = df["n_claims"] / df["policy_years"].astype(float)  # ruleid: ML405
        return out
    """,
    # an offset that the only caller sets to zero guards nothing
    {"features.py": """
    def per_seat(df, offset):
        return df["revenue"] / (df["seats"] + offset)  # ruleid: ML405

    def add_rates(df):
        df["revenue_per_seat"] = per_seat(df, 0)
        return df
    """},
]

UnguardedDivision.valid = [
    # a mask named before the division, applied with .where()
    """
    import joblib
    import pandas as pd
    model = joblib.load("m.joblib")

    def score(rows: pd.DataFrame):
        nonzero = rows["visits"].ne(0)
        rows["ctr"] = (rows["clicks"] / rows["visits"]).where(nonzero, 0.0)
        return model.predict_proba(rows[["ctr"]])[:, 1]
    """,
    # smoothed rates in a feature module: a count plus a positive smoothing term, given as a
    # constant, a parameter's default, or by the module's only caller
    {"features.py": """
    PRIOR_WEIGHT = 5

    def smoothed(df, column, smoothing):
        stats = df.groupby(column)["clicks"].agg(["sum", "count"])
        return df[column].map(stats["sum"] / (stats["count"] + smoothing))

    def add_rates(df, smoothing: float = 20.0):
        df["campaign_ctr"] = df["campaign"].map(df["clicks"] / (df["sends"] + smoothing))
        df["page_ctr"] = df["clicks"] / (df["views"] + PRIOR_WEIGHT)
        df["source_ctr"] = smoothed(df, "source", smoothing)
        return df
    """},
    # guards of every kind
    """
    import numpy as np
    import pandas as pd

    def build_features(df, record):
        out = pd.DataFrame(index=df.index)
        income = df["annual_income"].replace(0, np.nan)
        out["premium_to_income"] = df["annual_premium"] / income
        out["claims_per_year"] = df["n_claims"] / np.maximum(df["policy_years"], 1.0)
        out["km_per_item"] = df["distance_km"] / df["items"].clip(lower=1)
        out["ratio"] = np.where(df["avg"] > 0, df["amount"] / df["avg"], 1.0)
        out["norm"] = (df["x"] - df["x"].mean()) / (df["x"].std() + 1e-6)
        per_item = record["distance_km"] / max(record["items"], 1)
        share = record["a"] / record["b"] if record["b"] else 0.0
        return out, per_item, share
    """,
    # an early exit on zero, a try around the division
    """
    def score(customer, model):
        if customer["order_count"] == 0:
            return 0.0
        aov = customer["total_revenue"] / customer["order_count"]
        try:
            rate = customer["returns"] / customer["orders"]
        except ZeroDivisionError:
            rate = 0.0
        return model.predict_proba([[aov, rate]])[0, 1]
    """,
    # training code is not checked; constants and lengths are not data fields
    """
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier
    df = pd.read_csv("customers.csv")
    df["avg_order_value"] = df["total_revenue"] / df["order_count"]
    df["tenure_months"] = df["tenure_days"] / 30
    RandomForestClassifier().fit(df[FEATURES], df["churned"])
    """,
    # the rows whose denominator is zero are dropped first
    """
    import joblib
    import pandas as pd
    model = joblib.load("tip.joblib")

    def score(trips: pd.DataFrame):
        trips = trips[trips["miles"] > 0]
        trips = trips.loc[trips["minutes"] != 0]
        trips["per_mile"] = trips["fare"] / trips["miles"]
        trips["speed"] = trips["miles"] / (trips["minutes"] / 60)
        return model.predict(trips[["per_mile", "speed"]])
    """,
]


def _guard(module: ModuleAnalysis, node: ast.BinOp) -> str | None:
    """The division written with its zero decided, in the code's own terms."""
    top, bottom = module.text(node.left), module.text(node.right)
    if "\n" in top + bottom or len(top) + len(bottom) > 100:
        return None
    top = f"({top})" if isinstance(node.left, (ast.BinOp, ast.BoolOp, ast.IfExp)) else top
    bottom = f"({bottom})" if isinstance(node.right, (ast.BinOp, ast.BoolOp, ast.IfExp)) else bottom
    return (f"Decide what a zero `{bottom}` means and write it: `{top} / {bottom} if {bottom} else 0.0` for one "
            f"value, `{top} / {bottom}.replace(0, np.nan)` for a column.")
