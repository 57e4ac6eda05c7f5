from __future__ import annotations

import ast
from typing import Iterator

from wicked_data.checks.analysis import vocab
from wicked_data.checks.analysis.evaluation import LARGE_SAMPLE, evaluation
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.production import inference
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule

HOLD_OUT_KINDS = ("function", "random_split", "holdout", "sample", "mask", "slice")
PREDICT_METHODS = vocab.PREDICT_METHODS | {"evaluate", "score", "transform"}


class NoCrossValidation(Rule):
    """
    ## What it does
    Flags a single hold-out split (`train_test_split`, `random_split`, `df.sample` + `drop`, a
    mask or slice named train/test) when nothing in the project cross-validates: no
    `cross_val_score`/`cross_validate`, no search (`GridSearchCV`...), no K-fold splitter, no
    `cv=` argument, no `xgb.cv`/`lgb.cv`.

    ## Why is this bad?
    One split gives one number. Its variance is unknown: another random split can move the score
    by several points, enough to reverse a comparison between two models or to promise a
    performance production will not see.

    ## Example
    ```python
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
    model.fit(X_train, y_train)
    print(f1_score(y_test, model.predict(X_test)))
    ```

    ## Use instead
    Cross-validate on the training part (keep the test split for the final check):
    ```python
    scores = cross_val_score(model, X_train, y_train, cv=StratifiedKFold(5, shuffle=True, random_state=0),
                             scoring="roc_auc")
    print(scores.mean(), scores.std())
    ```

    ## Known problems
    Deep-learning projects often cannot afford cross-validation; there the finding has low
    confidence, as it does for a date cut-off or an unshuffled split (a single backtest: the advice
    is then a rolling-origin backtest, not K-fold). A split whose held-out part is never scored,
    predicted on or used as an evaluation set in the module is left alone (the missing evaluation
    is the problem there). Hand-written fold loops that do
    not use a scikit-learn splitter are not recognised as cross-validation.
    In a file that trains or scores models, a split whose parts are only printed (nothing is fitted,
    predicted or scored on them) is left alone, and so is a split whose held-out part is only
    watched during training (an eval set with no early stopping, its loss logged) inside a helper
    that returns the model, not the parts. A notebook that printed 100,000 rows or more for the split's
    data (`shape`, `len`, `info()`), or whose saved `classification_report` shows 20,000 held-out
    rows, gets a P3: a hold-out that large varies little.
    A file that trains nothing and scores a loaded model on a split it re-creates (an evaluation or
    threshold script) is left alone: cross-validation belongs to the file that trains.
    """

    id = "ML203"
    name = "no-cross-validation"
    severity = Severity.P2

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        holdouts = sorted((s for s in module.splits if s.kind in HOLD_OUT_KINDS
                           and module.split_judged(s, held_out=False)),
                          key=lambda s: s.line)  # (a split whose parts are only printed judges nothing)
        if not holdouts:
            return
        if not (module.model_fits or module.gradient_steps or module.cv_calls or module.tuner_searches) \
                and inference(module).loads:
            return  # a loaded model scored on a hold-out: nothing here is trained that could be cross-validated
        facts = evaluation(module)
        if facts.cross_validates:
            return
        if not _held_out_used(module, facts, holdouts):
            return  # nothing is judged on the held-out part here: a missing evaluation, not a single split
        first = holdouts[0]
        related = sorted({(None, s.line, "another hold-out split") for s in holdouts[1:] if s.line != first.line})
        confidence = "low" if facts.deep_learning or first.kind in ("mask", "slice", "random_split") else "high"
        if first.temporal or first.shuffled is False:
            advice = ("score several forecast origins instead of one cut-off (TimeSeriesSplit or a rolling-origin "
                      "backtest); a shuffled K-fold would leak the future")
            confidence = "low"
        else:
            advice = "cross-validate on the training part (cross_val_score with a K-fold splitter)"
        rows = max((facts.printed_rows(v) or 0 for v in first.inputs), default=0)
        support = facts.reported_support(first)
        large = {"severity": Severity.P3} if rows >= LARGE_SAMPLE or support and sum(support) >= LARGE_SAMPLE // 5 else {}
        shown = f"the notebook printed {rows:,} rows" if rows >= LARGE_SAMPLE else \
            f"the held-out part has {sum(support or ()):,} rows by the saved report"
        note = f" ({shown}: a hold-out of that size varies little, so this matters less)" if large else ""
        yield Hit("the model is judged on one hold-out split and nothing cross-validates; the score's variance "
                  f"is unknown. {advice[0].upper()}{advice[1:]}{note}",
                  node=first.node, related=related, confidence=confidence, **large)

    def satisfied(self, module: ModuleAnalysis) -> bool:
        return evaluation(module).cross_validates


def _held_out_used(module: ModuleAnalysis, facts, holdouts) -> bool:
    """The held-out part is used to judge a model: a metric, a prediction or an evaluation set
    (`eval_set=`, `valid_sets=`, `validation_data=`) over it, or the split is made in a helper that
    hands its parts to callers."""
    if any(e.held_out for e in facts.evaluations) or facts.evaluations and not any(e.roles for e in facts.evaluations):
        return True
    held = {id(v) for s in holdouts for v, role in s.outputs if role in ("test", "validation")}
    for call in module.calls:
        watched = any(k in vocab.EVAL_SET_KWARGS for k in call.kwargs) and not _stops_early(module, call)
        if call.method in PREDICT_METHODS or call.short == "DataLoader" or call.method in vocab.DATA_WRITE_METHODS \
                or any(k in vocab.EVAL_SET_KWARGS for k in call.kwargs) and not watched:
            values = [call.receiver, *call.args, *call.kwargs.values()]
            if any(id(a) in held for v in values for a in module.flow.ancestors(v, rows=True)):
                return True
    return any(s.line >= fn.node.lineno and s.line <= (fn.node.end_lineno or fn.node.lineno) and _hands_parts(fn, s)
               for s in holdouts for fn in [*module.flow.functions.values(), *module.flow.nested])


def _hands_parts(fn, split) -> bool:
    """The function returns the split's parts (a split helper), not only what it trained on them."""
    parts = {id(v) for v, _ in split.outputs}
    if split.call is not None and split.call.val is not None:
        parts.add(id(split.call.val))  # `return train_test_split(...)`: the parts, whole
    returned = [*fn.returns, *(v for t in fn.returned_tuples for v in t if v is not None)]

    def near(val, depth: int = 3) -> bool:  # the part itself, or rows picked by it (`X.loc[train_idx]`)
        if id(val) in parts:
            return True
        return depth > 0 and any(near(p, depth - 1) for p in [*val.parents, *val.index]
                                 if p.call is None or p.call.method in ("copy", "reset_index"))

    return any(near(r) for r in returned)


def _stops_early(module: ModuleAnalysis, call) -> bool:
    """The fit chooses by its evaluation rows (early stopping, a best checkpoint); without that, an
    eval set is only watched (its loss logged), and nothing is judged on it."""
    texts = [module.text(call.node)]
    receiver = call.receiver
    if receiver is not None and receiver.node is not None:
        texts.append(module.text(receiver.node))
        texts += [module.text(a.node) for a in module.flow.ancestors(receiver) if isinstance(a.node, ast.Call)]
    return any(s in t for t in texts for s in vocab.EARLY_STOPPERS)


NoCrossValidation.invalid = [
    """
    from sklearn.model_selection import train_test_split
    from sklearn.ensemble import RandomForestClassifier
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)  # ruleid: ML203
    model = RandomForestClassifier().fit(X_train, y_train)
    print(model.score(X_test, y_test))
    """,
    # an aliased module, a train/validation/test cascade (one finding, the second split related)
    """
    import sklearn.model_selection as ms
    X_tmp, X_test, y_tmp, y_test = ms.train_test_split(X, y, test_size=0.2, random_state=0)  # ruleid: ML203
    X_train, X_val, y_train, y_val = ms.train_test_split(X_tmp, y_tmp, test_size=0.25, random_state=0)
    preds = model.fit(X_train, y_train).predict(X_val)
    """,
    # pandas sample/drop split inside a helper
    """
    def split(df, frac=0.8):
        train = df.sample(frac=frac, random_state=1)  # ruleid: ML203
        test = df.drop(train.index)
        return train, test

    train, test = split(pd.read_csv("data.csv"))
    """,
    # LightGBM with an eval set on one validation split
    """
    import lightgbm as lgb
    from sklearn.model_selection import train_test_split
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, random_state=7)  # ruleid: ML203
    model = lgb.LGBMClassifier(n_estimators=1000)
    model.fit(X_tr, y_tr, eval_set=[(X_va, y_va)], callbacks=[lgb.early_stopping(50)])
    """,
    # notebook; the split in one cell, the model in another
    {"explore.ipynb": """
    from sklearn.model_selection import train_test_split
    from sklearn.linear_model import Ridge
    # %%
    a_train, a_test, b_train, b_test = train_test_split(A, b)  # ruleid: ML203
    # %%
    Ridge().fit(a_train, b_train).score(a_test, b_test)
    """},
    # PyTorch random_split (low confidence)
    """
    import torch
    from torch.utils.data import random_split
    train_ds, val_ds = random_split(dataset, [0.8, 0.2], generator=torch.Generator().manual_seed(0))  # ruleid: ML203
    val_loader = torch.utils.data.DataLoader(val_ds, batch_size=64)
    """,
]

NoCrossValidation.valid = [
    # an evaluation script: the saved model scored on the training script's split, re-created
    """
    import joblib
    import pandas as pd
    from sklearn.metrics import precision_recall_curve
    from sklearn.model_selection import train_test_split
    rows = pd.read_csv("churn.csv")
    _, X_test, _, y_test = train_test_split(rows.drop(columns=["churned"]), rows["churned"], test_size=0.2,
                                            stratify=rows["churned"], random_state=7)
    model = joblib.load("churn_model.joblib")
    print(precision_recall_curve(y_test, model.predict_proba(X_test)[:, 1]))
    """,
    # split, fit and save: nothing is judged on the held-out part here (no evaluation is the problem)
    """
    import joblib
    from sklearn.model_selection import train_test_split
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    joblib.dump(model.fit(X_train, y_train), "model.joblib")
    """,
    # cross_val_score beside the hold-out
    """
    from sklearn.model_selection import train_test_split, cross_val_score
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    print(cross_val_score(model, X_train, y_train, cv=5).mean())
    """,
    # a grid search cross-validates
    """
    from sklearn import model_selection
    Xtr, Xte, ytr, yte = model_selection.train_test_split(X, y, random_state=0)
    search = model_selection.GridSearchCV(model, grid, cv=5).fit(Xtr, ytr)
    """,
    # a K-fold loop
    """
    from sklearn.model_selection import StratifiedKFold
    for tr, va in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
        model.fit(X[tr], y[tr])
    """,
    # native xgboost cross-validation
    """
    import xgboost as xgb
    from sklearn.model_selection import train_test_split
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=3)
    xgb.cv(params, xgb.DMatrix(X_train, label=y_train), nfold=5)
    """,
    # the split is in prepare.py, cross-validation in train.py
    {"prepare.py": """
    from sklearn.model_selection import train_test_split
    train, test = train_test_split(df, random_state=0)
    train.to_csv("train.csv"); test.to_csv("test.csv")
    """, "train.py": """
    from sklearn.model_selection import cross_validate
    cross_validate(model, X, y, cv=5, scoring=["roc_auc", "f1"])
    """},
]
