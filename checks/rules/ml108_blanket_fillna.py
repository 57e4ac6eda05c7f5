from __future__ import annotations

import ast
from typing import Iterator

from wicked_data.checks.analysis import vocab
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule


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
    An out-of-range sentinel (`fillna(-999)`, any negative number) is accepted when every model
    the file fits is a tree ensemble (a forest, XGBoost, LightGBM, CatBoost), which splits the
    marker off as its own "missing" branch. A frame whose columns were all chosen (`df[count_cols].fillna(0)`) is not flagged, nor a
    frame that only feeds prints and plots (it reaches no model, file, return or object), nor
    `fillna(0)` right after a left/outer join of aggregated rows or a concatenation of count
    tables, where a missing value means "no records". A frame handed through an unknown helper is recognised by its variable name only; a
    module-level frame imported by another file is not followed there. Code that scores with a
    model it did not fit is not checked: its fills must repeat training's, which ML301 compares; and
    a constant fill after per-column statistic fills (`df[c].fillna(df[c].median(), inplace=True)`)
    only reaches the columns left over.
    """

    id = "ML108"
    name = "blanket-fillna"
    severity = Severity.P2

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        if module.predictions and not module.model_fits:
            return  # scoring code: its fills must repeat training's (ML301 compares the two sides)
        for call in module.method_calls("fillna", "replace"):
            value = self._constant_fill(call)
            if value is None:
                continue
            receiver_node = call.node.func.value  # type: ignore[attr-defined]
            if isinstance(receiver_node, ast.Subscript) or _chosen_columns(call.receiver) \
                    or _column_attribute(module, receiver_node):
                continue  # a column (`df["a"]`, `df.a`) or a chosen set of columns
            if not _reaches_model(module, call):
                continue  # a table for a plot or a printout: nothing learns from the filled values
            if _built_empty(call.receiver):
                continue  # `pd.DataFrame(index=..., columns=...).fillna(0)`: zeros to accumulate into, no data
            if value in ("0", "0.0") and _joined_aggregate(module, call.receiver):
                continue  # the join's missing rows mean "no records": 0 is the right count or sum
            if self._after_chosen_fill(module, call):
                continue  # columns already filled one by one: the constant only reaches those left over
            if _sentinel(value) and _trees_only(module):
                continue  # an out-of-range marker for tree models: they split it off as "missing"
            shape = _shape(call.receiver)
            if shape == "series":
                continue
            if shape == "frame":
                confidence = "high"
            elif _from_frame(module, call.receiver):
                confidence = "medium"  # a frame handed through a helper's return
            else:
                continue
            frame = module.text(receiver_node)
            fix = (f"Replace `{frame}.{call.method}({value})` with a value per column "
                   f"(`{frame}.{call.method}({{\"col\": ...}})`), or an imputer with `add_indicator=True` in the pipeline."
                   if frame and "\n" not in frame and len(frame) <= 40 else None)
            yield Hit(f"{call.method}({value}) fills every column's missing values with the same constant; "
                      "decide per column (a dict, or an imputer with a missing indicator)",
                      node=call.node, confidence=confidence, fix=fix)

    @classmethod
    def _after_chosen_fill(cls, module: ModuleAnalysis, call) -> bool:
        """The frame's columns were filled before, with values chosen per column (`X[num] =
        X[num].fillna(medians)`): this fill is a catch-all for the rest."""
        ancestors = list(module.flow.ancestors(call.receiver))
        held = {id(a) for a in ancestors}
        for earlier in module.method_calls("fillna"):
            # `df["distance"].fillna(df["distance"].median(), inplace=True)` on the same frame, before
            target = earlier.node.func.value  # type: ignore[attr-defined]
            value = earlier.node.args[0] if earlier.node.args else None
            if earlier.line < call.line and isinstance(target, ast.Subscript) and value is not None \
                    and not isinstance(value, (ast.Constant, ast.UnaryOp)) and earlier.kwarg_node("inplace") is not None:
                base = module.flow.val_at(target.value)
                if base is not None and id(base) in held:
                    return True
        for anc in ancestors:
            node = anc.node
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript) \
                    and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Attribute) \
                    and node.value.func.attr == "fillna" and node.value.args \
                    and not isinstance(node.value.args[0], (ast.Constant, ast.UnaryOp)):
                return True  # `X[cols] = X[cols].fillna(medians)`, the columns known at run time
            for held in (anc.colvals or {}).values():
                fill = held.call if held is not None else None
                if fill is not None and fill is not call and fill.method == "fillna" and cls._constant_fill(fill) is None \
                        and fill.kwarg_node("method") is None and fill.node.args:
                    return True
        return False

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


# A DataFrame's own attributes (pandas), which are not columns.
FRAME_ATTRIBUTES = {"T", "values", "loc", "iloc", "at", "iat", "array", "index", "columns", "dtypes", "attrs", "flags"}


def _column_attribute(module: ModuleAnalysis, node: ast.AST) -> bool:
    """`df.totalcharges`: an attribute of a table that is none of a table's own attributes reads one
    column (a Series), as `df["totalcharges"]` does."""
    if not isinstance(node, ast.Attribute) or node.attr in FRAME_ATTRIBUTES:
        return False
    base = module.flow.val_at(node.value)
    return base is not None and (_shape(base) == "frame" or _from_frame(module, base))


def _shape(val) -> str | None:
    """The receiver's shape, looking back through a method chain (`df.set_index(...).sort_index()`)."""
    for _ in range(8):
        if val is None or val.shape is not None:
            return val.shape if val is not None else None
        if val.call is None or val.call.receiver is None or val.call.method in ("groupby", "resample", "rolling"):
            return None
        val = val.call.receiver
    return None


def _chosen_columns(val) -> bool:
    """The frame is a chosen list of columns (`df[cols]`, through a method chain), not a whole frame."""
    for _ in range(8):
        if val is None:
            return False
        if isinstance(val.node, ast.Subscript) and isinstance(val.node.slice, (ast.List, ast.Name, ast.Attribute)) \
                and val.parents and val.parents[0].shape == "frame":
            return True
        if val.call is None or val.call.receiver is None:
            return False
        val = val.call.receiver
    return False


def _built_empty(val) -> bool:
    """The frame is made empty in place (`pd.DataFrame(index=folds, columns=models)`, no data given):
    filling it initialises an accumulator, it does not impute missing data."""
    for _ in range(4):
        if val is None or val.call is None:
            return False
        call = val.call
        if call.is_("pandas.DataFrame", "polars.DataFrame"):
            return not call.node.args and call.kwarg_node("data") is None
        val = call.receiver if call.method is not None else None
    return False


def _reaches_model(module: ModuleAnalysis, call) -> bool:
    """The filled frame (or, in place, the frame filled) reaches a model, a file, a return or an
    object's state (`ModuleAnalysis.consumed`); a generator's yields are not followed, so a fill
    inside one counts as reaching."""
    consumed = module.consumed
    if call.val is not None and id(call.val) in consumed:
        return True
    if call.receiver is not None and id(call.receiver) in consumed and call.kwarg_node("inplace") is not None:
        return True
    fn = call.val.fn if call.val is not None else None
    node = getattr(fn, "node", None)
    return node is not None and any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in ast.walk(node))


JOIN_METHODS = {"merge", "join"}
AGGREGATES = {"sum", "count", "size", "mean", "agg", "aggregate", "value_counts", "nunique", "pivot_table",
              "crosstab", "max", "min", "countDistinct", "groupBy", "groupby"}


def _joined_aggregate(module: ModuleAnalysis, val) -> bool:
    """The frame comes from a left/outer join (`merge(how="left")`, `join`, Spark's `join(..., "left")`)
    of aggregated rows (a groupby count, sum or size), or it is a pivot of one quantity (`pivot_table`,
    `unstack`, `crosstab`): its missing values are the rows or cells the aggregate had no record for."""
    for _ in range(8):
        if val is None or val.call is None:
            return False
        call = val.call
        if call.method in ("pivot_table", "pivot", "unstack") or call.short == "crosstab" and call.method is None:
            return True  # a table of one aggregated quantity per cell: an empty cell had no records
        if call.short == "concat" and call.method is None:
            # frames of counts stacked (`pd.concat(per_chunk_counts)`): a column missing from one
            # chunk is a category with no records there
            return any(a.call is not None and (a.call.method in AGGREGATES or a.call.short in AGGREGATES)
                       for arg in call.args if arg is not None for a in module.flow.ancestors(arg))
        if call.method in JOIN_METHODS or call.short == "merge":
            how = call.kwarg_node("how")
            if how is None and len(call.node.args) >= 3 and call.method == "join":
                how = call.node.args[2]
            how_text = how.value if isinstance(how, ast.Constant) else ("left" if call.method == "join" else "inner")
            if how_text not in ("left", "outer", "right", "full", "left_outer", "full_outer", "right_outer"):
                return False
            others = [a for a in call.args if a is not None]
            return any(a.call is not None and (a.call.method in AGGREGATES or a.call.short in AGGREGATES)
                       for other in others for a in module.flow.ancestors(other))
        if call.receiver is None:
            return False
        val = call.receiver
    return False


def _from_frame(module: ModuleAnalysis, val) -> bool:
    """The value is a frame handed through helpers: what it derives from (through returns, method
    chains and helper calls, not through a column selection) includes a value known to be a frame,
    and nothing on the way is a column."""
    stack, seen = [val], set()
    while stack and len(seen) < 400:
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
    # the same marker for a linear model, which reads -9999 as a real, extreme value
    """
    import pandas as pd
    from sklearn.linear_model import Ridge
    train = pd.read_parquet("train.parquet").fillna(-9999)  # ruleid: ML108
    model = Ridge().fit(train[COLS], train["y"])
    """,
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
    # one flag column, or a default column of zeros when the flag is absent: a per-column choice
    """
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    games = pd.read_csv("games.csv")
    flag = games["back_to_back"] if "back_to_back" in games.columns else pd.Series(0, index=games.index)
    games["b2b"] = flag.fillna(0).astype(int)
    LogisticRegression().fit(games[["b2b", "rest_days"]], games["won"])
    """,
    # a table of fold scores made empty and zeroed to accumulate into: no data is imputed
    """
    import pandas as pd
    from sklearn.linear_model import Ridge
    results = pd.DataFrame(index=range(len(folds)), columns=["ridge"]).fillna(0)
    for k, (fit_rows, held_rows) in enumerate(folds):
        model = Ridge().fit(X.iloc[fit_rows], y.iloc[fit_rows])
        results.loc[k, "ridge"] = model.score(X.iloc[held_rows], y.iloc[held_rows])
    results.to_csv("fold_scores.csv")
    """,
    # an out-of-range marker for a boosted tree model, the same on both parts
    """
    import pandas as pd
    import xgboost as xgb
    train = pd.read_parquet("train.parquet").fillna(-9999)
    valid = pd.read_parquet("valid.parquet").fillna(-9999)
    booster = xgb.XGBRegressor(n_estimators=400).fit(train[COLS], train["y"], eval_set=[(valid[COLS], valid["y"])])
    """,
    # numeric columns filled with their training medians first; the constant fills what is left
    """
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingRegressor
    numeric = X_fit.select_dtypes(include=[np.number]).columns
    medians = X_fit[numeric].median()
    X_fit[numeric] = X_fit[numeric].fillna(medians)
    X_fit = X_fit.fillna(0)
    HistGradientBoostingRegressor().fit(X_fit, y_fit)
    """,
    # one column through attribute access: `df.charges` is a Series, as `df["charges"]` is
    """
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    subs = pd.read_csv("subscribers.csv")
    subs.charges = pd.to_numeric(subs.charges, errors="coerce")
    subs.charges = subs.charges.fillna(0)
    LogisticRegression().fit(subs[["charges", "tenure"]], subs["left"])
    """,
    # a left join of per-customer counts: a missing count is no orders
    """
    import pandas as pd
    people = pd.read_csv("customers.csv")
    per_customer = pd.read_csv("orders.csv").groupby("customer_id").size().rename("orders").reset_index()
    table = people.merge(per_customer, on="customer_id", how="left").fillna(0)
    table.to_parquet("features.parquet")
    """,
    # a table for a chart: nothing learns from it
    """
    import pandas as pd
    import matplotlib.pyplot as plt
    sales = pd.read_csv("sales.csv")
    shown = sales.pivot(index="day", columns="store", values="units").fillna(0)
    shown.plot()
    plt.show()
    """,
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


def _sentinel(value: str) -> bool:
    """A negative number or one of magnitude 999 and above: outside what real features hold."""
    try:
        number = float(value)
    except ValueError:
        return False
    return number < 0 or abs(number) >= 999


def _trees_only(module: ModuleAnalysis) -> bool:
    """Every model the file fits is a tree ensemble (by its class, or a boosting library's native
    `train`)."""
    fits = module.model_fits
    if not fits:
        return False
    for fit in fits:
        classes = fit.classes or ({fit.ctor} if fit.ctor else set())
        native = (fit.call.qualname or "").startswith(("xgboost.", "lightgbm.", "catboost."))
        if not (native or classes and all(vocab.is_tree(c) for c in classes)):
            return False
    return True
