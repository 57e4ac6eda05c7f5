from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Iterator

from wicked_data.checks.analysis.flowtypes import CallSite, str_list
from wicked_data.checks.analysis.leakage import feature_selection
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule

if TYPE_CHECKING:
    from wicked_data.checks.analysis.project import Project
    from wicked_data.checks.models import Finding



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
    a forward shift is right only for building the target:
    ```python
    df = df.sort_values(["store", "date"])
    by_store = df.groupby("store")["sales"]
    df["sales_last_week"] = by_store.shift(7)
    df["sales_mean_7d"] = by_store.transform(lambda s: s.shift(1).rolling(7).mean())
    df["target_sales_next_week"] = by_store.shift(-7)  # only the label looks ahead
    model.fit(df[["sales_last_week", "sales_mean_7d"]], df["target_sales_next_week"])
    ```

    ## Known problems
    A forward shift builds the label when the code says so: the value becomes a fit's `y` (or
    `label=`), or a target column, or the file lists the other columns it writes and leaves this
    one out. Names are not read. A forward shift written to a column with no such evidence is
    reported at medium confidence; one that reaches no column and no fit is not reported (nothing
    says it is a feature).
    A forward shift whose column the file keeps out of its features (a `not in` list, a `drop`),
    or that another file of the project learns as its label, is the label being built.
    """

    id = "ML107"
    name = "future-window-feature"
    severity = Severity.P1

    def settled_elsewhere(self, finding: "Finding", project: "Project") -> bool:
        """The shifted column is the label another file of the project learns (`y = df["target"]` in
        the training module, the look-ahead written by a feature module): the next period's value is
        what the model predicts, not what it reads."""
        column = _written_column(finding.message)
        if column is None or "uses shift(" not in finding.message:
            return False
        return any(column in (facts.get("targets") or ()) for rel, facts in project.facts.items()
                   if rel != finding.file and not facts.get("test"))

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        targets = module.target_columns
        features = _feature_columns(module)
        flow = module.flow
        excluded: set[str] | None = None  # (walks the whole file: only asked when a look-ahead writes columns)
        for call, what in _look_aheads(module):
            imputes = call.method not in ("shift", "diff", "pct_change")  # only a shift can build a label
            sinks = [w for w in flow.column_writes
                     if w.value is not None and flow.derives_from(w.value, call.val, rows=False)]
            labels = [f for f in module.model_fits if f.y is not None and flow.derives_from(f.y, call.val, rows=False)]
            fed = [f for f in module.model_fits if f.X is not None and flow.derives_from(f.X, call.val, rows=False)]
            listed = [w for w in sinks if w.column in features or _listed(module, w.column) is True]
            if listed and not [w for w in listed if w.column in features]:
                excluded = _excluded_columns(module) if excluded is None else excluded
                listed = [w for w in listed if w.column not in excluded]  # a list of the columns left out
            if not imputes and not listed and (labels or any(
                    w.column in targets or _listed(module, w.column) is False for w in sinks)):
                continue  # the look-ahead builds the label
            if not imputes and not sinks and not fed:
                continue  # a value that reaches no feature: nothing says it is one
            if not imputes and not fed and sinks and excluded is None:
                excluded = _excluded_columns(module)
            if not imputes and not fed and sinks and all(w.column in excluded for w in sinks):
                continue  # the columns it writes are kept out of the features (`if c not in exclude`, a drop)
            evidence = fed or listed
            node = sinks[0].node if sinks else call.node
            column = f"'{sinks[0].column}'" if sinks else "a feature"
            yield Hit(f"{column} uses {what}: each row sees values from later rows, which do not exist at "
                      "prediction time", node=node, confidence="high" if evidence else "medium",
                      related=[(None, call.line, what)] if sinks and sinks[0].line != call.line else [])


def _written_column(message: str) -> str | None:
    match = re.match(r"'([^']+)' uses ", message)
    return match.group(1) if match else None


def _excluded_columns(module: ModuleAnalysis) -> set[str]:
    """Columns the file keeps out of a feature selection: named in a list that a membership test
    rejects (`[c for c in df.columns if c not in exclude]`) or that a `drop` removes."""
    lists: dict[str, set[str]] = {}  # a name bound to a literal list of strings, anywhere in the file
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            names = str_list(node.value)
            if names:
                lists.setdefault(node.targets[0].id, set()).update(names)

    def named(node: ast.AST | None) -> set[str]:
        if node is None:
            return set()
        if isinstance(node, ast.Name):
            return lists.get(node.id, set())
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        return set(str_list(node) or ())

    out: set[str] = set()
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.NotIn):
            out |= named(node.comparators[0])
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert) and isinstance(node.operand, ast.Call) \
                and isinstance(node.operand.func, ast.Attribute) and node.operand.func.attr == "isin" and node.operand.args:
            out |= named(node.operand.args[0])  # `df.columns[~df.columns.isin(removed)]`
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "difference" \
                and node.args:
            out |= named(node.args[0])  # `df.columns.difference(removed)`
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "drop":
            for kw in node.keywords:
                if kw.arg == "columns":
                    out |= named(kw.value)
            axis = next((kw.value for kw in node.keywords if kw.arg == "axis"), None)
            if node.args and isinstance(axis, ast.Constant) and axis.value in (1, "columns"):
                out |= named(node.args[0])
    return out


def _feature_columns(module: ModuleAnalysis) -> set[str]:
    """Columns the model reads: selected for a fit here."""
    cols: set[str] = set()
    for X in module.feature_matrices:
        selection = feature_selection(module, X)
        if selection is not None and selection.explicit:
            cols.update(selection.explicit)
    return cols


def _listed(module: ModuleAnalysis, column: str) -> bool | None:
    """Is `column` in the file's literal lists of the columns it writes? True when a list names it;
    False when a list names other columns the file writes but not this one (`["lag_1", "lag_7"]`
    beside a `units_next_day` written next to them: the list is the features, the rest the label);
    None when no such list exists."""
    written = {w.column for w in module.flow.column_writes}
    verdict = None
    for node in module.tree.body:
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        names = set(str_list(node.value) or ())
        if column in names:
            return True
        if len(names & written) >= 1 and not isinstance(node.value, ast.Constant):
            verdict = False
    return verdict


def _negative(node: ast.AST | None) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return True
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and node.value < 0


def _const(node: ast.AST | None):
    return node.value if isinstance(node, ast.Constant) else None


def _look_aheads(module: ModuleAnalysis) -> Iterator[tuple[CallSite, str]]:
    for call in module.calls:
        m = call.method
        if _const(call.kwarg_node("axis")) in (1, "columns"):
            continue  # along a row, across columns (`bfill(axis=1)` coalesces columns): no time involved
        periods = call.arg_node(0, "periods") or call.kwarg_node("n")  # pandas `periods=`, polars `n=`
        if m in ("shift", "diff", "pct_change") and _negative(periods):
            yield call, f"{m}({module.text(periods)})"
        elif m in ("bfill", "backfill", "backward_fill"):
            yield call, f"{m}()"
        elif m == "fillna" and _const(call.kwarg_node("method")) in ("bfill", "backfill"):
            yield call, "fillna(method='bfill')"
        elif m == "fill_null" and _const(call.kwarg_node("strategy")) == "backward":  # polars
            yield call, "fill_null(strategy='backward')"
        elif (m == "rolling" or (m or "").startswith("rolling_")) and _const(call.kwarg_node("center")) is True:
            yield call, f"{m}(center=True)"
        elif call.is_("pandas.merge_asof") and _const(call.kwarg_node("direction")) in ("forward", "nearest"):
            yield call, f"merge_asof(direction={_const(call.kwarg_node('direction'))!r})"
        elif m == "join_asof" and _const(call.kwarg_node("strategy")) in ("forward", "nearest"):  # polars
            yield call, f"join_asof(strategy={_const(call.kwarg_node('strategy'))!r})"


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
    # a groupby shift(-1) named like a label, but listed as a feature
    """
    import pandas as pd
    KEYS = ["store_id", "sku"]
    FEATURES = ["lag_1", "stock_on_hand_next_day"]

    def add_stock(df):
        df["lag_1"] = df.groupby(KEYS)["units_sold"].shift(1)
        df["stock_on_hand_next_day"] = df.groupby(KEYS)["stock_on_hand"].shift(-1)  # ruleid: ML107
        return df
    """,
    # merge_asof to the nearest later quote
    """
    import pandas as pd
    trades = pd.merge_asof(trades, quotes, on="ts", direction="nearest")  # ruleid: ML107
    """,
]

FutureWindowFeature.valid = [
    # next period's demand is the label: the feature selection leaves it out by name
    """
    import lightgbm as lgb

    class Forecaster:
        def shape(self, sales):
            sales["lag_1"] = sales.groupby("sku")["units"].shift(1)
            sales["next_units"] = sales.groupby("sku")["units"].shift(-1)
            return sales.dropna(subset=["next_units"])

        def matrices(self, sales):
            skip = ["sku", "day", "next_units"]
            inputs = [c for c in sales.columns if c not in skip]
            return sales[inputs], sales["next_units"]

        def fit(self, inputs, answers):
            self.model = lgb.LGBMRegressor().fit(inputs, answers)
    """,
    # a coalesce across year-suffixed columns of one row: axis=1 reads no later row
    """
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    pupils = pd.read_csv("pupils.csv")
    pupils["grade"] = pupils[["grade_2022", "grade_2023", "grade_2024"]].bfill(axis=1).iloc[:, 0]
    LogisticRegression().fit(pupils[["grade", "absences"]], pupils["lagging"])
    """,
    # a feature module: the next-day label is built with a groupby shift(-1), the feature list omits it
    """
    FEATURE_COLUMNS = ["lag_1", "lag_7"]

    def add_history(df):
        units = df.groupby(["store_id", "sku"])["units_sold"]
        df["lag_1"], df["lag_7"] = units.shift(1), units.shift(7)
        df["units_next_day"] = units.shift(-1)
        return df
    """,
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
