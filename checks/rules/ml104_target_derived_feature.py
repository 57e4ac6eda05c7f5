from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterator

from wicked_data.checks.analysis.libraries.statsmodels import LABEL_COLUMNS
from wicked_data.checks.analysis.leakage import column_derivations, derived_from, feature_selection, is_forecast_label
from wicked_data.checks.analysis.lineage import target_derived
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, ProjectHit, Rule

if TYPE_CHECKING:
    from wicked_data.checks.analysis.project import Project


class TargetDerivedFeature(Rule):
    """
    ## What it does
    Flags a feature matrix that keeps the target column, a column computed from the target
    (`df['churn_flag'] = df['churned'] * 1`, a group mean of the target), or the source column the
    target was defined from (`y = df['days_late'] > 30` with `days_late` still among the features).

    ## Why is this bad?
    The model reads the answer from its inputs. Offline scores are near perfect and collapse in
    production, where the target (and anything computed from it) does not exist yet.

    ## Example
    ```python
    y = df["churned"]
    X = df.drop(columns=["customer_id"])  # 'churned' is still in X
    ```

    ## Use instead
    Drop the target and every column computed from it before building the feature matrix.

    ```python
    X = df.drop(columns=["customer_id", "churned"])
    ```

    ## Known problems
    Feature matrices built by position (`df.iloc[:, :-1]`), by dtype or by a comprehension over
    `df.columns` are not checked. A column computed from the target in another file is found when
    that file writes the rows to a data file this one reads (the same file name or configuration
    key); through a database table or a feature store it is missed. Each feature matrix is checked
    against the label it is learned with (a notebook training two models on one table keeps the
    other model's label as an ordinary column).
    """

    id = "ML104"
    name = "target-derived-feature"
    severity = Severity.P1

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        targets = module.target_columns
        if not targets:
            return
        popped = {c for call in module.method_calls("pop") for c in _strs(call)}
        strip = _strips_column_names(module)
        if strip:  # `df.columns = df.columns.str.strip()`: 'Delayed ' read before is the 'Delayed' dropped after
            targets = {t.strip() for t in targets}
        seen: set[int] = set()
        for X in module.feature_matrices:
            selection = feature_selection(module, X)
            if selection is None or selection.node.lineno in seen:
                continue
            derivations = column_derivations(module, X)  # the columns of the frames X is built from
            # the label this matrix is learned with; another model's label is only a column here
            own = {t.strip() if strip else t for t in module.paired_targets(X)} & targets
            in_frame = _label_in_frame(module, X)  # Prophet's `y`: the label, given inside the data frame
            if in_frame:
                own = in_frame
            for target in sorted(own or targets):
                hit = self._check_target(target, selection, derivations, popped,
                                         is_forecast_label(module, target), label_in_frame=target in in_frame)
                if hit:
                    seen.add(selection.node.lineno)
                    yield hit
                    break

    def check_project(self, project: Project) -> Iterator[ProjectHit]:
        """A column computed from the target in one file, saved to a data file, read by the file that
        learns that target and kept among its features."""
        for t in target_derived(project.facts):
            column = t.column["column"]
            yield ProjectHit(
                t.reader, t.use["line"], f"feature '{column}' is computed from the target '{t.target}' in {t.writer} "
                f"({t.column['where']}) and saved to {t.path}, which this file reads; the model reads the answer from "
                f"its inputs. Drop '{column}', or compute it from past rows only (out of fold for a target encoding)",
                related=[(t.writer, t.column["line"], f"'{column}' computed from '{t.target}' here")])

    @staticmethod
    def _check_target(target, selection, derivations, popped, forecast, label_in_frame: bool = False) -> Hit | None:
        leaky = derived_from(derivations, target)
        if label_in_frame:  # the model reads the label from this column of its frame: it is no feature
            popped = popped | {target}
            leaky = leaky - {target}
        sources = set() if forecast else set(derivations.get(target, (set(), 0))[0])
        for source in list(sources):  # a column computed from the target's own source is the target again
            sources |= derived_from(derivations, source) - {target}
        node = selection.node
        if selection.explicit is not None:
            cols = [c for c in selection.explicit if not (label_in_frame and c == target)]
            if target in cols:
                return Hit(f"the target column '{target}' is in the feature list", node=node)
            found = [c for c in cols if c in leaky]
            if len(found) > 1:  # every leaky feature named, each derivation a related place
                listed = ", ".join(f"'{c}'" for c in found)
                return Hit(f"features {listed} are computed from the target '{target}'", node=node,
                           related=[(None, derivations[c][1], f"'{c}' derived from '{target}'") for c in found])
            for col in cols:
                if col in leaky:
                    return Hit(f"feature '{col}' is computed from the target '{target}'", node=node,
                               related=[(None, derivations[col][1], f"'{col}' derived from '{target}'")])
                if col in sources:
                    return Hit(f"feature '{col}' is the column the target '{target}' is defined from",
                               node=node, confidence="medium",
                               related=[(None, derivations[target][1], f"'{target}' is defined from the same source")])
            return None
        dropped = set(selection.dropped or [])
        dropped |= {d.strip() for d in dropped}  # (a trailing space the file trims elsewhere)
        if target not in dropped and target not in popped:
            return Hit(f"the features are every column except {sorted(dropped)}: the target '{target}' is still "
                       "among them", node=node)
        for col in sorted(leaky - dropped):
            return Hit(f"feature '{col}' is computed from the target '{target}' and is not dropped", node=node,
                       related=[(None, derivations[col][1], f"'{col}' derived from '{target}'")])
        for col in sorted(sources - dropped):
            return Hit(f"'{col}', the column the target '{target}' is defined from, stays among the features",
                       node=node, confidence="medium",
                       related=[(None, derivations[target][1], f"'{target}' defined from '{col}'")])
        return None


def _label_in_frame(module: ModuleAnalysis, X) -> set[str]:
    """The label column a model's library reads from the frame it is fitted on (Prophet's `y`),
    for the models fitted on `X`."""
    fits = module.shared(_FrameLabelFits).fits
    return {LABEL_COLUMNS[f.ctor] for f in fits if f.X is not None and module.flow.derives_from(f.X, X)}


class _FrameLabelFits:
    """The fits of models that read their label from the frame (few, usually none), found once."""

    def __init__(self, module: ModuleAnalysis) -> None:
        self.fits = [f for f in module.model_fits if f.ctor in LABEL_COLUMNS]


def _strips_column_names(module: ModuleAnalysis) -> bool:
    """The file trims its column names (`df.columns = df.columns.str.strip()`)."""
    for call in module.method_calls("strip"):
        func = call.node.func
        inner = func.value if isinstance(func, ast.Attribute) else None
        if isinstance(inner, ast.Attribute) and inner.attr == "str" and isinstance(inner.value, ast.Attribute) \
                and inner.value.attr == "columns":
            return True
    return False


def _strs(call) -> list[str]:
    from wicked_data.checks.analysis.flowtypes import str_list
    return str_list(call.arg_node(0)) or []


TargetDerivedFeature.invalid = [
    # a click rate per site and hour joined back onto every row, the label's own rows included
    """
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    hits = pd.read_csv("impressions.csv")
    rate = hits.groupby(["site_id", "hour"])["click"].mean().rename("site_hour_rate")
    hits = hits.merge(rate, left_on=["site_id", "hour"], right_index=True, how="left")
    LogisticRegression().fit(hits[["site_hour_rate", "banner_pos"]], hits["click"])  # ruleid: ML104
    """,
    """
    import pandas as pd
    from sklearn.ensemble import GradientBoostingClassifier
    df = pd.read_csv("customers.csv")
    y = df["churned"]
    X = df.drop(columns=["customer_id"])  # ruleid: ML104
    GradientBoostingClassifier().fit(X, y)
    """,
    # a column derived from the target, through a group mean, stays in the explicit list
    """
    import pandas as pd
    from sklearn.model_selection import train_test_split
    loans = pd.read_csv("loans.csv")
    loans["grade_default_rate"] = loans.groupby("grade")["defaulted"].transform("mean")
    cols = ["income", "grade_default_rate", "term"]
    X_tr, X_te, y_tr, y_te = train_test_split(loans[cols], loans["defaulted"], random_state=0)  # ruleid: ML104
    """,
    # the target is defined from a column that is still a feature
    """
    import pandas as pd
    from lightgbm import LGBMClassifier
    orders = pd.read_parquet("orders.parquet")
    orders["is_late"] = (orders["days_late"] > 0).astype(int)
    features = orders.drop(columns=["order_id", "is_late"])  # ruleid: ML104
    model = LGBMClassifier().fit(features, orders["is_late"])
    """,
]

TargetDerivedFeature.valid = [
    # the label read with the file's trailing space, then the names trimmed and the label dropped
    """
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    members = pd.read_csv("members.csv")
    quick = LogisticRegression().fit(members[["tenure"]], members["left "])
    members.columns = members.columns.str.strip()
    inputs = members.drop(columns=["left"])
    full = LogisticRegression().fit(inputs, members["left"])
    """,
    """
    import pandas as pd
    from sklearn.model_selection import train_test_split
    df = pd.read_csv("customers.csv")
    X = df.drop(columns=["customer_id", "churned"])
    y = df["churned"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    """,
    """
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    data = pd.read_csv("fraud.csv")
    target = data.pop("is_fraud")
    LogisticRegression(max_iter=500).fit(data, target)
    """,
    """
    from xgboost import XGBClassifier
    FEATURES = ["amount", "merchant_risk", "hour"]
    clf = XGBClassifier(n_estimators=200).fit(tx[FEATURES], tx["label"])
    """,
]
