from __future__ import annotations

import ast
from typing import Iterator

from checks.analysis.module import ModuleAnalysis
from checks.models import Severity
from checks.rules.base import Hit, Rule



class BlanketFillna(Rule):
    """
    ## What it does
    Flags `fillna(constant)` (or `replace(np.nan, constant)`) applied to a whole DataFrame, so that
    every column's missing values become the same number or string.

    ## Why is this bad?
    Missing means different things per column: no orders (0 is right), unknown income (0 is a
    lie), a date never set. One constant erases the difference, creates fake values the model
    learns from, and hides data-quality problems that should be measured.

    ## Example
    ```python
    df = df.fillna(0)
    ```

    ## Use instead
    Decide per column, keep a missing indicator where missingness is informative, and learn
    statistics inside the pipeline:
    ```python
    df = df.fillna({"order_count": 0, "segment": "unknown"})
    SimpleImputer(strategy="median", add_indicator=True)
    ```

    ## Known problems
    A frame whose columns were all chosen to share one meaning (`df[count_cols].fillna(0)`) is not
    flagged; a whole frame passed through an unknown helper is recognised by its variable name only.
    """

    id = "ML108"
    name = "blanket-fillna"
    severity = Severity.P2

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        for call in module.method_calls("fillna", "replace"):
            value = self._constant_fill(call)
            if value is None:
                continue
            receiver_node = call.node.func.value  # type: ignore[attr-defined]
            if isinstance(receiver_node, ast.Subscript):
                continue  # a column or a chosen set of columns
            shape = _shape(call.receiver)
            if shape == "series":
                continue
            if shape == "frame":
                confidence = "high"
            elif _from_frame(module, call.receiver):
                confidence = "medium"  # a frame handed through a helper's return
            else:
                continue
            yield Hit(f"{call.method}({value}) fills every column's missing values with the same constant; "
                      "decide per column (a dict, or an imputer with a missing indicator)",
                      node=call.node, confidence=confidence)

    @staticmethod
    def _constant_fill(call) -> str | None:
        node = call.node
        if call.method == "fillna":
            if call.kwarg_node("method") is not None:
                return None
            value = call.arg_node(0, "value")
        else:  # replace(np.nan, 0)
            if len(node.args) < 2 or not _is_nan(node.args[0]):
                return None
            value = node.args[1]
        if isinstance(value, ast.UnaryOp) and isinstance(value.operand, ast.Constant):
            return ast.unparse(value)
        if isinstance(value, ast.Constant) and value.value is not None:
            return repr(value.value)
        return None


def _shape(val) -> str | None:
    """The receiver's shape, looking back through a method chain (`df.set_index(...).sort_index()`)."""
    for _ in range(8):
        if val is None or val.shape is not None:
            return val.shape if val is not None else None
        if val.call is None or val.call.receiver is None or val.call.method in ("groupby", "resample", "rolling"):
            return None
        val = val.call.receiver
    return None


def _from_frame(module: ModuleAnalysis, val) -> bool:
    """The value is a frame handed through helpers: what it derives from (through returns, method
    chains and helper calls, not through a column selection) includes a value known to be a frame,
    and nothing on the way is a column."""
    stack, seen = [val], set()
    while stack and len(seen) < 40:
        cur = stack.pop()
        if cur is None or id(cur) in seen or cur.shape == "series" or cur.key is not None:
            continue
        seen.add(id(cur))
        if cur.shape == "frame":
            return True
        stack += cur.parents
    return False


def _is_nan(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr in ("nan", "NaN", "NAN")) or (
        isinstance(node, ast.Name) and node.id in ("nan", "NaN"))


BlanketFillna.invalid = [
    """
    import pandas as pd
    df = pd.read_csv("customers.csv")
    df = df.fillna(0)  # ruleid: ML108
    """,
    """
    import numpy as np
    import pandas as pd
    def prepare(path):
        raw = pd.read_parquet(path)
        clean = raw.drop_duplicates().replace(np.nan, -1)  # ruleid: ML108
        return clean
    features = prepare("x.parquet")
    features.fillna("missing", inplace=True)  # ruleid: ML108
    """,
    {"prep.ipynb": """
    import pandas as pd
    data = pd.read_csv("loans.csv")
    # %%
    data.fillna(value=0, inplace=True)  # ruleid: ML108
    """},
]

BlanketFillna.valid = [
    """
    import pandas as pd
    df = pd.read_csv("customers.csv")
    df["order_count"] = df["order_count"].fillna(0)
    df = df.fillna({"segment": "unknown", "income": df["income"].median()})
    count_cols = ["orders", "returns"]
    df[count_cols] = df[count_cols].fillna(0)
    df = df.fillna(method="ffill")
    s = df["notes"]
    s = s.fillna("")
    """,
]
