from __future__ import annotations

import ast
import re
from typing import Iterator

from checks.analysis.flow import CallSite
from checks.analysis.leakage import feature_selection
from checks.analysis.module import ModuleAnalysis
from checks.models import Severity
from checks.rules.base import Hit, Rule

LABEL_NAME = re.compile(r"(^|_)(y|target|label|labels|outcome|next|future)(_|$)|^(y|target|label)", re.I)


class FutureWindowFeature(Rule):
    """
    ## What it does
    Flags features that look ahead in time: `shift(-k)`, `diff(-k)`, `pct_change(-k)`, `bfill()`
    (or `fillna(method='bfill')`), `rolling(..., center=True)`, and `merge_asof` with
    `direction='forward'` or `'nearest'`, unless the value becomes the label.

    ## Why is this bad?
    Each row gets information from rows after it. At prediction time those rows do not exist yet,
    so the feature is unavailable or different, and the offline score is inflated.

    ## Example
    ```python
    df["next_week_sales"] = df["sales"].shift(-7)
    X = df[["next_week_sales", "price"]]
    ```

    ## Use instead
    Look back only (`shift(7)`, trailing `rolling(7)`, `ffill()`, `merge_asof(direction='backward')`);
    a forward shift is right only for building the target.

    ## Known problems
    A forward-shifted column is treated as the label when it becomes `y` or its name says so
    (`target`, `label`, `next_...`, `future_...`); a feature with such a name is missed.
    """

    id = "ML107"
    name = "future-window-feature"
    severity = Severity.P1

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        targets = module.target_columns
        features = _feature_columns(module)
        for call, what in _look_aheads(module):
            sinks = [w for w in module.flow.column_writes
                     if w.value is not None and module.flow.derives_from(w.value, call.val, rows=False)]
            imputes = call.method in ("bfill", "backfill", "fillna")  # filling gaps never builds a label
            if not imputes and any(w.column not in features and (w.column in targets or LABEL_NAME.search(w.column))
                                   for w in sinks):
                continue
            if not sinks and any(LABEL_NAME.search(name) for name, val in module.flow.bindings
                                 if module.flow.derives_from(val, call.val, rows=False)):
                continue
            if not imputes and any(module.flow.derives_from(f.y, call.val, rows=False)
                                   for f in module.model_fits if f.y is not None):
                continue
            node = sinks[0].node if sinks else call.node
            column = f"'{sinks[0].column}'" if sinks else "a feature"
            yield Hit(f"{column} uses {what}: each row sees values from later rows, which do not exist at "
                      "prediction time", node=node, confidence="high" if sinks else "medium",
                      related=[(None, call.line, what)] if sinks and sinks[0].line != call.line else [])


def _feature_columns(module: ModuleAnalysis) -> set[str]:
    cols: set[str] = set()
    for X in module.feature_matrices:
        selection = feature_selection(module, X)
        if selection is not None and selection.explicit:
            cols.update(selection.explicit)
    return cols


def _negative(node: ast.AST | None) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return True
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and node.value < 0


def _const(node: ast.AST | None):
    return node.value if isinstance(node, ast.Constant) else None


def _look_aheads(module: ModuleAnalysis) -> Iterator[tuple[CallSite, str]]:
    for call in module.calls:
        m = call.method
        if m in ("shift", "diff", "pct_change") and _negative(call.arg_node(0, "periods")):
            yield call, f"{m}({module.text(call.arg_node(0, 'periods'))})"
        elif m in ("bfill", "backfill"):
            yield call, f"{m}()"
        elif m == "fillna" and _const(call.kwarg_node("method")) in ("bfill", "backfill"):
            yield call, "fillna(method='bfill')"
        elif m == "rolling" and _const(call.kwarg_node("center")) is True:
            yield call, "rolling(center=True)"
        elif call.is_("pandas.merge_asof") and _const(call.kwarg_node("direction")) in ("forward", "nearest"):
            yield call, f"merge_asof(direction={_const(call.kwarg_node('direction'))!r})"


FutureWindowFeature.invalid = [
    """
    import pandas as pd
    df = pd.read_csv("sales.csv").sort_values("date")
    df["sales_next_week"] = df["sales"].shift(-7)  # ruleid: ML107
    df["price_fwd_fill"] = df["price"].bfill()  # ruleid: ML107
    df["avg_3d"] = df["sales"].rolling(3, center=True).mean()  # ruleid: ML107
    df["target"] = df["sales"].shift(-1)
    model.fit(df[["sales_next_week", "price_fwd_fill", "avg_3d"]], df["target"])
    """,
    # a helper computes the look-ahead; the result is a feature column
    """
    import pandas as pd

    def momentum(s, k):
        return s.pct_change(periods=-k)

    prices = pd.read_csv("px.csv")
    prices["mom_5"] = momentum(prices["close"], 5)  # ruleid: ML107
    y = prices["close"] > prices["open"]
    """,
    # merge_asof to the nearest later quote
    """
    import pandas as pd
    trades = pd.merge_asof(trades, quotes, on="ts", direction="nearest")  # ruleid: ML107
    """,
]

FutureWindowFeature.valid = [
    # shift(-1) builds the label; features look back
    """
    import pandas as pd
    df = pd.read_csv("sales.csv").sort_values("date")
    df["lag_1"] = df["sales"].shift(1)
    df["roll_7"] = df["sales"].rolling(7).mean()
    df["label"] = (df["sales"].shift(-1) > df["sales"]).astype(int)
    model.fit(df[["lag_1", "roll_7"]], df["label"])
    """,
    """
    import pandas as pd
    y = prices["close"].shift(-5) / prices["close"] - 1
    X = prices[["close"]].ffill()
    trades = pd.merge_asof(trades, quotes, on="ts", direction="backward")
    """,
]
