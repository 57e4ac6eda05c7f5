from __future__ import annotations

import ast
from typing import Iterator

from wicked_data.checks.analysis.evaluation import evaluation
from wicked_data.checks.analysis.flowtypes import REBALANCED, RESAMPLED, CallSite, Val
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.syntax import syntax
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule

# Splitters that ignore the class labels; their stratified counterparts exist.
UNSTRATIFIED_SPLITTERS = {"KFold": "StratifiedKFold", "ShuffleSplit": "StratifiedShuffleSplit",
                          "RepeatedKFold": "RepeatedStratifiedKFold"}


class UnstratifiedSplit(Rule):
    """
    ## What it does
    On a classification problem, flags a shuffled `train_test_split` without `stratify=`, and a
    `KFold`, `ShuffleSplit` or `RepeatedKFold` where the stratified splitter applies.

    ## Why is this bad?
    A random split lets the class proportions drift between train and test. With 3% positives, a
    20% test set can hold half or double the expected positives, so the test score moves with the
    seed and folds can end up with almost no positives at all.

    ## Example
    ```python
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
    ```

    ## Use instead
    Pass the label as `stratify=` to the split (or use `StratifiedKFold`), so train and test keep the class proportions.

    ```python
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    ```

    ## Known problems
    Classes known to be of comparable size (a notebook's printed counts with the smallest class at
    30% or more, a stated `positive-rate`, a balanced benchmark set) or sampled down to even sizes
    are not flagged; a moderate imbalance (20-30%) over 1,000 printed rows or more is P3, a random
    split keeping the shares within a point or two. Where the counts are unknown it stays P2.
    The problem must be recognisable as classification (a classifier, a classification loss or
    metric); otherwise nothing is flagged. Unshuffled (time-ordered) splits, group splitters and
    PyTorch `random_split` (which cannot stratify) are not flagged.
    In a file that trains or scores models, a split whose parts are only printed (nothing is fitted,
    predicted or scored on them) is left alone. A file that trains both a classifier and a
    regressor asks only the splits its classifiers are trained on to stratify.
    """

    id = "ML206"
    name = "unstratified-split"
    severity = Severity.P2

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        facts = evaluation(module)
        if facts.task != "classification":
            return
        if facts.stated_balanced:
            return  # classes of comparable size (printed, stated, a balanced benchmark): a random split keeps them
        confidence = "high" if facts.imbalance else "medium"
        # a moderate imbalance over many rows: a random split's class shares stay within a point or two
        counts = facts.printed_counts
        mild = {"severity": Severity.P3} if counts and sum(counts) >= 1000 and not facts.severe_imbalance else {}
        for split in module.splits:
            call = split.call
            if split.kind != "function" or call is None or not split.shuffled:
                continue
            if not module.split_judged(split, held_out=False):
                continue  # parts only printed: nothing is trained or scored on them
            if module.source.is_notebook and not any(id(v) in module.used for v, _ in split.outputs):
                continue  # a notebook that stops before using its parts (nothing imports a notebook)
            if len(facts.tasks) > 1 and facts.split_task(split) != "classification":
                continue  # a classifier and a regressor side by side: this split's own model decides
            if split.inputs and all(_rebalanced(module, v) for v in split.inputs):
                continue  # the classes were sampled down to even sizes first: there is no rare class to miss
            stratify = call.kwarg_node("stratify")
            if stratify is None or (isinstance(stratify, ast.Constant) and stratify.value is None):
                labels = call.node.args[1] if len(call.node.args) > 1 else None
                label = module.text(labels) if labels is not None else None
                fix = (f"Pass `stratify={label}` to `{call.short}`" if label and "\n" not in label
                       else f"Pass the label as `stratify=` to `{call.short}`")
                yield Hit("a classification split without stratify=: class proportions can differ between train "
                          "and test. Pass stratify=y", node=call.node, confidence=confidence, fix=fix + ".", **mild)
        for call in module.calls:
            short = call.short
            if len(facts.tasks) > 1:
                break  # which model a splitter object serves is not traced
            if call.method is None and short in UNSTRATIFIED_SPLITTERS:
                rows = _split_rows(module, call)
                if not rows or all(_resampled(module, r) for r in rows):
                    continue  # a splitter nothing uses, or folds of rows resampled to balance: no class to miss
                yield Hit(f"{short} ignores the class labels on a classification problem; folds can miss the rare "
                          f"class. Use {UNSTRATIFIED_SPLITTERS[short]}", node=call.node, confidence=confidence, **mild,
                          fix=f"Use `{UNSTRATIFIED_SPLITTERS[short]}` instead of `{short}`, with the labels.")


UnstratifiedSplit.invalid = [
    """
    from sklearn.model_selection import train_test_split
    from sklearn.ensemble import RandomForestClassifier
    y = df["churned"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)  # ruleid: ML206
    RandomForestClassifier().fit(X_train, y_train)
    """,
    # an aliased module, stratify=None spelled out, the classifier built in a helper
    """
    import sklearn.model_selection as ms
    from sklearn.linear_model import LogisticRegression

    def make():
        return LogisticRegression(max_iter=200)

    Xtr, Xte, ytr, yte = ms.train_test_split(X, y, stratify=None, random_state=0)  # ruleid: ML206
    make().fit(Xtr, ytr)
    """,
    # KFold passed to cross_val_score for a classifier
    """
    from sklearn.model_selection import KFold, cross_val_score
    from xgboost import XGBClassifier
    cv = KFold(n_splits=5, shuffle=True, random_state=0)  # ruleid: ML206
    print(cross_val_score(XGBClassifier(), X, y, cv=cv, scoring="roc_auc"))
    """,
    # a whole frame split; the task is known from the metric
    {"nb.ipynb": """
    from sklearn.model_selection import train_test_split
    from sklearn.metrics import f1_score
    # %%
    train_df, test_df = train_test_split(df, test_size=0.25, random_state=42)  # ruleid: ML206
    # %%
    print(f1_score(test_df["label"], model.predict(test_df[FEATURES])))
    """},
    # Keras classifier (binary cross-entropy)
    """
    from sklearn.model_selection import train_test_split
    from tensorflow import keras
    X_tr, X_val, y_tr, y_val = train_test_split(X, y, test_size=0.1, random_state=1)  # ruleid: ML206
    net = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
    net.compile(loss="binary_crossentropy", optimizer="adam")
    net.fit(X_tr, y_tr, validation_data=(X_val, y_val))
    """,
]

UnstratifiedSplit.valid = [
    """
    from sklearn.model_selection import train_test_split
    from sklearn.ensemble import RandomForestClassifier
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    RandomForestClassifier().fit(X_train, y_train)
    """,
    # a regression problem
    """
    from sklearn.model_selection import train_test_split, KFold
    from sklearn.ensemble import GradientBoostingRegressor
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    cv = KFold(5, shuffle=True, random_state=0)
    GradientBoostingRegressor().fit(X_train, y_train)
    """,
    # a time-ordered split cannot be stratified
    """
    from sklearn.model_selection import train_test_split
    from sklearn.linear_model import LogisticRegression
    X_train, X_test, y_train, y_test = train_test_split(X, y, shuffle=False)
    LogisticRegression().fit(X_train, y_train)
    """,
    # StratifiedKFold; cv=5 on a classifier stratifies by itself
    """
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.svm import SVC
    cross_val_score(SVC(), X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0))
    cross_val_score(SVC(), X, y, cv=5)
    """,
    # stratified through a variable
    """
    from sklearn import model_selection
    from sklearn.tree import DecisionTreeClassifier
    labels = df.pop("is_fraud")
    a, b, c, d = model_selection.train_test_split(df, labels, stratify=labels, random_state=0)
    DecisionTreeClassifier().fit(a, c)
    """,
]


def _split_rows(module: ModuleAnalysis, splitter: CallSite) -> list[Val | None]:
    """The rows a splitter object is used to cut: the `X` of its `.split(X, y)` calls and of the
    calls it is given to as `cv=` (`cross_val_score(model, X, y, cv=kf)`). Empty when nothing uses it."""
    obj = splitter.val
    if obj is None:
        return []
    out: list[Val | None] = []
    for call in module.calls:
        if call.method == "split" and call.receiver is not None and module.flow.derives_from(call.receiver, obj, rows=False):
            out.append(call.arg(0, "X"))
        cv = call.kwargs.get("cv")
        if cv is not None and module.flow.derives_from(cv, obj, rows=False):
            out.append(call.arg(1, "X"))
    return out


def _rebalanced(module: ModuleAnalysis, rows: Val | None) -> bool:
    """A class sampled down to the others' size by hand (the rows, or the positions that chose them)."""
    return any(anc.flags & REBALANCED for anc in module.flow.ancestors(rows, rows=True))


def _resampled(module: ModuleAnalysis, rows: Val | None) -> bool:
    """The rows come from an oversampler (SMOTE and the like) left to balance the classes: its
    default `sampling_strategy` ('auto'), or a strategy that evens them ('all', 'not majority', 1.0).
    A partial ratio (`sampling_strategy=0.5`) or per-class counts leave an imbalance to stratify."""
    if rows is None:
        return False
    if _rebalanced(module, rows):
        return True
    for anc in module.flow.ancestors(rows):
        if not anc.flags & RESAMPLED or anc.call is None or anc.call.receiver is None:
            continue
        maker = anc.call.receiver.call  # `SMOTE(sampling_strategy=...)` behind `.fit_resample(...)`
        strategy = maker.kwarg_node("sampling_strategy") if maker is not None else None
        if strategy is None or (isinstance(strategy, ast.Constant) and (
                strategy.value in ("auto", "all", "not majority", "not minority", "minority") or strategy.value == 1)):
            return True
        if isinstance(strategy, ast.Dict) and len(strategy.values) > 1 and _same_counts(module, strategy.values):
            return True  # `{0: n, 1: n}`: every class brought to the same count
    return False


def _same_counts(module: ModuleAnalysis, values: list[ast.expr]) -> bool:
    """The per-class counts are one expression, directly or through names each assigned once."""
    syn = syntax(module)

    def shape(node: ast.expr) -> str:
        if isinstance(node, ast.Name):
            bound = syn.assigned_values(syn.function_of(node), node.id) or syn.assigned_values(None, node.id)
            if len(bound) == 1:
                return ast.dump(bound[0])
        return ast.dump(node)

    return len({shape(v) for v in values}) == 1
