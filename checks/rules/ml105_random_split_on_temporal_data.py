from __future__ import annotations

import ast
from typing import Iterator

from wicked_data.checks.analysis.flowtypes import Split, Val
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.names import last
from wicked_data.checks.analysis.temporal import temporal_evidence
from wicked_data.checks.analysis.vocab import CV_FUNCS, SHUFFLED_SPLITTERS
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule


class RandomSplitOnTemporalData(Rule):
    """
    ## What it does
    Flags a shuffled split (`train_test_split` without `shuffle=False`, `ShuffleSplit`,
    `KFold(shuffle=True)`, `df.sample(frac=...)`) of data that is ordered in time: rows carry
    dates, are sorted by date, or feed lags and rolling windows.

    ## Why is this bad?
    A shuffled split trains on the future and tests on the past. Trends, seasonality and
    customer behaviour leak across the split, and the score does not say how the model does on
    next month's data, which is the only thing production asks of it.

    ## Example
    ```python
    df["tenure"] = (snapshot - pd.to_datetime(df["signup_date"])).dt.days
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
    ```

    ## Use instead
    Split on a date cut-off, or use `TimeSeriesSplit`:
    ```python
    train = df[df["snapshot_date"] < "2024-01-01"]
    test = df[df["snapshot_date"] >= "2024-01-01"]
    ```

    A shuffled split or cross-validation of the training part of a split by date (to tune or to
    pick a threshold) is not flagged: the final test is still out-of-time.

    ## Known problems
    Date columns that describe a static attribute (a birth date) are read as a time signal, with
    medium confidence. When nothing but a column's name suggests a date (no parsing, no `.dt`, no
    sort by it), the finding is a P3 note at low confidence: a "time" column can be a duration. Time order established in another file is not seen. In a file that trains or
    scores models, a split whose parts are only printed is left alone, and so is a K-fold loop whose
    held-out indices nothing uses (folds drawn for bagging).
    """

    id = "ML105"
    name = "random-split-on-temporal-data"
    severity = Severity.P2

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        evidence = None
        for node, what in self._shuffled_splits(module):
            evidence = evidence or temporal_evidence(module)
            if evidence is None:
                return
            strength, line, reason = evidence
            if strength == "low":  # a name is evidence of last resort: never more than a note
                yield Hit(f"{what} shuffles the rows, and {reason} (line {line}) may mean they are ordered in "
                          "time; if so, the model trains on the future and is tested on the past. Check the column "
                          "holds dates; if it does, split by date or use TimeSeriesSplit",
                          node=node, confidence="low", severity=Severity.P3, related=[(None, line, reason)])
                continue
            yield Hit(f"{what} shuffles rows of time-ordered data ({reason}, line {line}); the model trains on "
                      "the future and is tested on the past. Split by date or use TimeSeriesSplit",
                      node=node, confidence=strength, related=[(None, line, reason)],
                      fix=f"Replace {what} with a cut at a date (the rows before it train, the rows after it test), "
                          "or `TimeSeriesSplit` for cross-validation.")

    @staticmethod
    def _shuffled_splits(module: ModuleAnalysis) -> Iterator[tuple[ast.AST, str]]:
        seen = set()
        split: Split
        for split in module.splits:
            if split.shuffled and not split.temporal and not _inside_training_window(module, split.inputs[:1]) \
                    and module.split_judged(split, held_out=split.kind == "splitter"):
                seen.add(split.line)
                yield split.node, f"{last(split.splitter) or 'the split'}"
        for call in module.calls:
            if call.short not in CV_FUNCS or call.line in seen \
                    or _inside_training_window(module, [call.arg(1, "X")]):
                continue
            cv = call.kwargs.get("cv")
            if cv is not None and cv.ctor and (last(cv.ctor) in SHUFFLED_SPLITTERS or _shuffle_true(cv.node)):
                seen.add(call.line)
                yield call.node, f"{call.short} with {last(cv.ctor)}"


def _inside_training_window(module: ModuleAnalysis, data: list[Val | None]) -> bool:
    """The rows are the training part of a split by date: shuffling them to tune or validate is
    fine, since the final test is out-of-time."""
    return any(val is not None and any(
        role == "train" and (split := module.flow.split_of(key)) is not None and split.temporal
        for key, role in val.roles) for val in data)


def _shuffle_true(node) -> bool:
    return isinstance(node, ast.Call) and any(
        kw.arg == "shuffle" and isinstance(kw.value, ast.Constant) and kw.value.value is True for kw in node.keywords)


RandomSplitOnTemporalData.invalid = [
    """
    import pandas as pd
    from sklearn.model_selection import train_test_split
    df = pd.read_csv("customers.csv")
    df["tenure"] = (df["snapshot"] - pd.to_datetime(df["signup_date"])).dt.days
    X_train, X_test, y_train, y_test = train_test_split(df[["tenure"]], df["churned"], random_state=0)  # ruleid: ML105
    """,
    # lag features, then a shuffled K-fold handed to cross-validation
    """
    import pandas as pd
    from sklearn.model_selection import KFold, cross_val_score
    sales = pd.read_csv("sales.csv")
    sales["lag_7"] = sales.groupby("store")["units"].shift(7)
    cv = KFold(n_splits=5, shuffle=True, random_state=0)
    scores = cross_val_score(model, sales[["lag_7"]], sales["units"], cv=cv)  # ruleid: ML105
    """,
    # a random sample of dated rows used as the training set
    """
    import pandas as pd
    events = pd.read_csv("events.csv", parse_dates=["event_time"])
    train = events.sample(frac=0.8, random_state=1)  # ruleid: ML105
    test = events.drop(train.index)
    """,
    # the shuffled CV runs on all rows, not just the training window of the split by date
    """
    import pandas as pd
    from sklearn.model_selection import KFold, cross_val_score
    df = pd.read_csv("customers.csv", parse_dates=["snapshot_date"])
    train = df[df["snapshot_date"] < "2024-01-01"]
    test = df[df["snapshot_date"] >= "2024-01-01"]
    scores = cross_val_score(model, df[FEATURES], df["churned"], cv=KFold(5, shuffle=True))  # ruleid: ML105
    """,
]

RandomSplitOnTemporalData.valid = [
    # out-of-time test set; the shuffled CV only tunes inside the training window
    """
    import pandas as pd
    from sklearn.model_selection import KFold, cross_val_score
    df = pd.read_csv("customers.csv", parse_dates=["snapshot_date"])
    train = df[df["snapshot_date"] < "2024-01-01"]
    test = df.loc[df["snapshot_date"] >= "2024-01-01"]
    scores = cross_val_score(model, train[FEATURES], train["churned"], cv=KFold(5, shuffle=True, random_state=0))
    """,
    # the same, with the cut-off in a helper and a validation set carved from the training window
    """
    import pandas as pd
    from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict, train_test_split

    def time_split(frame, cutoff, gap):
        return frame[frame["snapshot_date"] < cutoff - gap], frame[frame["snapshot_date"] >= cutoff]

    frame = pd.read_parquet("snapshots.parquet")
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"])
    train, test = time_split(frame, pd.Timestamp("2024-01-01"), pd.Timedelta(days=30))
    X_train, y_train = build_features(train), train["churned"]
    folds = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=0)
    oof = cross_val_predict(model, X_train, y_train, cv=folds, groups=train["customer_id"])
    X_fit, X_val, y_fit, y_val = train_test_split(X_train, y_train, random_state=0)
    """,
    """
    import pandas as pd
    df = pd.read_csv("customers.csv", parse_dates=["snapshot_date"])
    train = df[df["snapshot_date"] < "2024-01-01"]
    test = df[df["snapshot_date"] >= "2024-01-01"]
    """,
    """
    import pandas as pd
    from sklearn.model_selection import TimeSeriesSplit, train_test_split
    sales = pd.read_csv("sales.csv").sort_values("date")
    sales["lag_1"] = sales["units"].shift(1)
    for tr, te in TimeSeriesSplit(n_splits=4).split(sales):
        pass
    X_tr, X_te, y_tr, y_te = train_test_split(sales[["lag_1"]], sales["units"], shuffle=False, test_size=0.2)
    """,
    # no dates anywhere: a shuffled split is fine
    """
    from sklearn.datasets import load_iris
    from sklearn.model_selection import train_test_split
    X, y = load_iris(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    """,
]
