from __future__ import annotations

import ast
from typing import Iterator

from wicked_data.checks.analysis.evaluation import LARGE_SAMPLE, evaluation
from wicked_data.checks.analysis.flowtypes import REBALANCED, RESAMPLED, CallSite, Val
from wicked_data.checks.analysis.lineage import by_import_name, unstratified
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.project import Project
from wicked_data.checks.analysis.syntax import syntax
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, ProjectHit, Rule

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
    regressor asks only the splits its classifiers are trained on to stratify. A split helper of one
    module (`def make_split(frame, target): return train_test_split(...)`) is flagged where another
    module trains a classifier on its parts. K-fold folds that train nothing (out-of-fold encodings
    written at each fold's positions, the model fitted after the loop) are not flagged. A notebook
    that printed 100,000 rows or more for the split's data, or whose saved `classification_report`
    shows 200+ held-out rows of every class, gets a P3.
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
            if not unstratified(split):
                continue
            if not module.split_judged(split, held_out=False):
                continue  # parts only printed: nothing is trained or scored on them
            if module.source.is_notebook and not any(id(v) in module.used for v, _ in split.outputs):
                continue  # a notebook that stops before using its parts (nothing imports a notebook)
            if len(facts.tasks) > 1 and facts.split_task(split) != "classification":
                continue  # a classifier and a regressor side by side: this split's own model decides
            if split.inputs and all(_rebalanced(module, v) for v in split.inputs):
                continue  # the classes were sampled down to even sizes first: there is no rare class to miss
                # (rows oversampled before the split stay flagged: ML103's fix moves the split onto the
                # imbalanced rows, which then need stratify=)
            rows = max((facts.printed_rows(v) or 0 for v in split.inputs), default=0)
            share = min(counts) / sum(counts) if counts and sum(counts) else None
            held = _test_fraction(call)
            large = rows >= LARGE_SAMPLE and (share is None or rows * held * share >= 200)
            support = facts.reported_support(split)
            if support and min(support) >= 200:  # the saved report shows enough of every class held out
                large, rows = True, max(rows, sum(support))
            labels = call.node.args[1] if len(call.node.args) > 1 else None
            label = module.text(labels) if labels is not None else None
            fix = (f"Pass `stratify={label}` to `{call.short}`" if label and "\n" not in label
                   else f"Pass the label as `stratify=` to `{call.short}`")
            note = (f" (the notebook shows {rows:,} rows: the held-out share of each class varies little, so "
                    "this matters less)") if large and not mild else ""
            yield Hit("a classification split without stratify=: class proportions can differ between train "
                      f"and test. Pass stratify=y{note}", node=call.node, confidence=confidence, fix=fix + ".",
                      **(mild or ({"severity": Severity.P3} if large else {})))
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


    def check_project(self, project: Project) -> Iterator[ProjectHit]:
        """A split helper of one file (`def make_split(frame, target): return train_test_split(...)`)
        whose results a classifier of another file learns from: the helper's file shows no
        classifier, the caller's does."""
        helpers = by_import_name(project.facts, "functions")
        seen = set()
        for rel, f in sorted(project.facts.items()):
            for call in (f.get("lineage") or {}).get("classifies", ()):
                found = helpers.get(call["target"])
                if found is None or found[0] == rel or call.get("balanced"):
                    continue
                definer, qualname, summary = found
                if ((project.facts[definer].get("decisions") or {}).get("task")) == "classification":
                    continue  # the helper's own file is a classification file: its own check covers the split
                for split in summary.get("splits") or ():
                    if (definer, split["line"]) in seen:
                        continue
                    seen.add((definer, split["line"]))
                    yield ProjectHit(definer, split["line"], f"a split without stratify= in {qualname}(), whose parts "
                                     f"train a classifier in {rel} ({call['where']}): class proportions can differ "
                                     "between train and test. Pass stratify=y", confidence="medium",
                                     related=[(rel, call["line"], "a classifier learns from the split's parts here")],
                                     fix="Pass the label as `stratify=` to the split.")


UnstratifiedSplit.invalid = [
    # KFold folds train a classifier through a helper of the module
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import KFold

    def fit_on(rows, labels, c):
        return LogisticRegression(C=c, max_iter=500).fit(rows, labels)

    for a, b in KFold(n_splits=5, shuffle=True, random_state=1).split(X):  # ruleid: ML206
        model = fit_on(X.iloc[a], y.iloc[a], 1.0)
        print(roc_auc_score(y.iloc[b], model.predict_proba(X.iloc[b])[:, 1]))
    """,
    # a split helper of another module; the caller trains a classifier on its parts
    {"tools/parts.py": """
    from sklearn.model_selection import train_test_split
    def cut(table, label):
        return train_test_split(table.drop(columns=[label]), table[label], test_size=0.25, random_state=3)  # ruleid: ML206
    """, "fit.py": """
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier
    from tools.parts import cut
    a, b, c, d = cut(pd.read_csv("visits.csv"), "returned")
    RandomForestClassifier().fit(a, c)
    """},
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
    # KFold only places out-of-fold target encodings; the classifier is fitted after the loop
    """
    import numpy as np
    from sklearn.model_selection import KFold, train_test_split
    from sklearn.ensemble import HistGradientBoostingClassifier
    enc = np.zeros(len(loans))
    for fit_rows, fill_rows in KFold(5, shuffle=True, random_state=4).split(loans):
        means = loans.iloc[fit_rows].groupby("grade")["repaid"].mean()
        enc[fill_rows] = loans.iloc[fill_rows]["grade"].map(means).to_numpy()
    loans["grade_enc"] = enc
    a, b, c, d = train_test_split(loans[["grade_enc", "income"]], loans["repaid"], stratify=loans["repaid"], random_state=4)
    HistGradientBoostingClassifier().fit(a, c)
    """,
    # the split helper's caller learns a balanced benchmark set; another caller fits a regressor
    {"tools/parts.py": """
    from sklearn.model_selection import train_test_split
    def cut(table, label):
        return train_test_split(table.drop(columns=[label]), table[label], test_size=0.25, random_state=3)
    """, "fit.py": """
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from tools.parts import cut
    a, b, c, d = cut(load_iris(as_frame=True).frame, "target")
    LogisticRegression().fit(a, c)
    """, "price.py": """
    import pandas as pd
    from sklearn.linear_model import Ridge
    from tools.parts import cut
    a, b, c, d = cut(pd.read_csv("homes.csv"), "price")
    Ridge().fit(a, c)
    """},
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


def _test_fraction(call: CallSite) -> float:
    """The held-out share a split keeps (`test_size=0.2`; scikit-learn's default 0.25)."""
    size = call.kwarg_node("test_size")
    if isinstance(size, ast.Constant) and isinstance(size.value, float) and 0 < size.value < 1:
        return size.value
    return 0.25


def _split_rows(module: ModuleAnalysis, splitter: CallSite) -> list[Val | None]:
    """The rows a splitter object is used to cut: the `X` of its `.split(X, y)` calls and of the
    calls it is given to as `cv=` (`cross_val_score(model, X, y, cv=kf)`). Empty when nothing uses it."""
    obj = splitter.val
    if obj is None:
        return []
    out: list[Val | None] = []
    fitted = [v for f in module.model_fits for v in (f.X, f.y) if v is not None]
    for call in module.calls:
        if call.method == "split" and call.receiver is not None and module.flow.derives_from(call.receiver, obj, rows=False):
            if call.val is not None and not _folds_train(module, call, fitted):
                continue  # folds that only assign out-of-fold encodings: no model learns from them
            out.append(call.arg(0, "X"))
        cv = call.kwargs.get("cv")
        if cv is not None and module.flow.derives_from(cv, obj, rows=False):
            out.append(call.arg(1, "X"))
    return out


def _folds_train(module: ModuleAnalysis, split: CallSite, fitted: list[Val]) -> bool:
    """A model learns from the folds `split` yields: fitted inside the loop over them, or (folds kept
    for later) on rows derived from them. Out-of-fold encodings written at each fold's positions
    (`te[val_idx] = ...`) reach the model too, but are fitted after the loop, not in it."""
    loops = [node for node in syntax(module).nodes if isinstance(node, (ast.For, ast.AsyncFor))
             and any(n is split.node for n in ast.walk(node.iter))]
    if not loops:
        return any(module.flow.derives_from(v, split.val) for v in fitted)
    spans = [(loop.lineno, loop.end_lineno or loop.lineno) for loop in loops]
    # (a fit in a function of the module that the loop calls: `model = train(df.iloc[a], y[a], C)`)
    for call in module.calls:
        fn = call.callee.node if call.callee is not None else None
        if fn is not None and any(a <= call.line <= b for a, b in spans):
            spans.append((fn.lineno, fn.end_lineno or fn.lineno))
    return any(a <= f.line <= b for a, b in spans for f in module.model_fits)


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
