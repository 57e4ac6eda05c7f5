from __future__ import annotations

import ast
from typing import Iterator

from wicked_data.checks.analysis.evaluation import EvaluationFacts, evaluation
from wicked_data.checks.analysis.flowtypes import LITERAL, CallSite
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule

HELD_OUT = {"test", "validation"}
TRAINING_STEPS = {"backward", "step", "fit", "zero_grad"}


class EvaluationOnTrainingData(Rule):
    """
    ## What it does
    Flags a metric computed on the rows the model was fitted on (the train part of a split, or
    the very `X`/`y` given to `fit` when there is no split), when the module computes no metric
    on held-out rows. A cross-validated score followed by a report computed on the refitted
    training rows is flagged too: the report is what gets read and saved.

    ## Why is this bad?
    A model scores well on the rows it has memorised: a deep random forest reaches ~100% training
    accuracy on noise. The number says nothing about new customers and hides overfitting.

    ## Example
    ```python
    model.fit(X, y)
    print("accuracy", accuracy_score(y, model.predict(X)))
    ```

    ## Use instead
    Score held-out rows (a test split or cross-validation); a training score is useful only next
    to them, as an overfitting diagnostic:
    ```python
    print("train", f1_score(y_train, model.predict(X_train)), "test", f1_score(y_test, model.predict(X_test)))
    ```

    ## Known problems
    Rows are matched through the data flow (split outputs, and data files named `train`/`test`):
    a frame read from a file named neutrally is not known to be training data. A helper of the
    module that computes a metric (`f(model, train_loader)` counting correct labels or summing
    absolute errors) is flagged when it is given only
    the training part of a split, without finding where the model was trained. Running losses printed
    inside a training loop are not metrics calls and are not flagged. A model also scored on rows of
    unknown origin (a file read by a helper) is not flagged: those may be the held-out rows. In a
    module that cross-validates, a training score that is never printed, logged, saved or returned
    is taken for a fit diagnostic and not flagged. In a hand-written training loop (no `fit`), a
    metric of the network's output is flagged when its rows start from the same data as the
    training loss's rows and neither is a split's part (two `TensorDataset`s of the same tensors).
    """

    id = "ML208"
    name = "evaluation-on-training-data"
    severity = Severity.P1

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        facts = evaluation(module)
        helpers = _helper_evaluations(module, facts)
        if any(e.held_out for e in facts.evaluations) or any(roles & HELD_OUT for _, roles in helpers):
            return
        by_fit: dict[int, list] = {}
        elsewhere = False  # a model scored on rows that are not the ones it was fitted on
        for ev in facts.evaluations:
            fit = facts.fitted_rows(ev)
            if fit is not None:
                by_fit.setdefault(id(fit), [fit]).append(ev)
            elif not ev.roles and any(facts.from_model(v) for v in ev.inputs):
                elsewhere = True
        if elsewhere and not module.model_fits and module.gradient_steps:
            # a hand-written training loop and a "validation" metric over the same tensors, with no split
            # anywhere (`fit_set = TensorDataset(x, t)`, `check_set = TensorDataset(x, t)`)
            hit = _same_tensors(module, facts)
            if hit is not None:
                yield hit
            return
        if elsewhere:
            # rows of unknown part (a test file read by a helper, `load_data("test.csv")`): "no metric
            # on held-out rows" cannot be said
            return
        if facts.cross_validates:
            # next to cross-validated scores, a training score nobody prints, saves or returns is a
            # fit diagnostic (`lin_rmse` of an underfitting baseline), not the reported number
            by_fit = {k: [fit, *kept] for k, (fit, *evs) in by_fit.items() if (kept := [e for e in evs if _reported(module, facts, e)])}
        for fit, first, *more in by_fit.values():
            related = [(None, fit.line, "the model is fitted on these rows here")] if fit.line != first.line else []
            related += [(None, ev.line, "also computed on the training rows") for ev in more]
            confidence = "high" if first.on_training_rows and not facts.cross_validates else "medium"
            yield Hit(f"{first.metric} is computed on the rows the model was fitted on, and no metric is computed "
                      "on held-out rows; the number measures memorisation. Evaluate on a test split",
                      node=first.call.node, related=related, confidence=confidence)
        if by_fit:
            return  # a helper wrapping the metric flagged above would repeat it
        for call, roles in helpers:
            if roles == {"train"}:
                name = call.callee.node.name
                yield Hit(f"{name}() scores the training rows, and nothing is scored on held-out rows; the number "
                          "measures memorisation (and anything chosen by it, such as the best checkpoint, is chosen "
                          "on training data). Evaluate on the validation or test split",
                          node=call.node, confidence="medium",
                          related=[(None, call.callee.node.lineno, f"{name}() computes the metric")])


def _roots(module: ModuleAnalysis, vals) -> set[int]:
    """The values the rows of `vals` start from: reads and constructors with no tracked input."""
    out = set()
    for val in vals:
        sources = module.flow.data_sources(val)  # (a helper called twice is looked through, not shared)
        for anc in module.flow.ancestors(val, rows=True):
            if id(anc) in sources and not anc.parents and not anc.flags & LITERAL and not isinstance(anc.node, ast.arg):
                out.add(id(anc))
    return out


def _same_tensors(module: ModuleAnalysis, facts: EvaluationFacts) -> Hit | None:
    """A metric of the network's output whose rows all start where the training loss's rows start,
    in a module with no split at all: the 'validation' set is the training set."""
    losses = [c for c in module.calls if facts._is_loss_call(c)]
    rows = [a for c in losses for a in c.args if a is not None]
    if any(facts.row_roles(a) for a in rows):
        return None  # the training rows are a split's part: the metric's rows are judged by their roles
    trained = _roots(module, rows)
    if not trained:
        return None
    for ev in facts.evaluations:
        if ev.roles or not any(facts.from_model(v) for v in ev.inputs):
            continue
        scored = _roots(module, ev.inputs)
        if scored and scored <= trained:
            return Hit(f"{ev.metric} is computed on the same rows the network is trained on (the tensors behind "
                       "the training loss), and nothing is split off or read from elsewhere; the number measures "
                       "memorisation, and anything chosen by it is chosen on training data. Hold out rows before "
                       "building the datasets", node=ev.call.node, confidence="medium",
                       related=[(None, losses[0].line, "the training loss is computed on these rows here")])
    return None


def _reported(module: ModuleAnalysis, facts: EvaluationFacts, ev) -> bool:
    """The metric's value reaches an output: a print or log call, a file or tracker, a return."""
    val = ev.call.val
    if val is None:
        return True
    flow = module.flow
    outputs = [v for call in facts.metric_reports for v in [*call.args, *call.kwargs.values()]]
    persisted = {id(n) for n in facts.persisted_metrics}
    outputs += [v for call in module.calls if id(call.node) in persisted for v in [call.receiver, *call.args, *call.kwargs.values()]]
    outputs += [r for f in flow.functions.values() for r in f.returns]
    return any(v is not None and flow.derives_from(v, val, rows=False) for v in outputs)


def _helper_evaluations(module: ModuleAnalysis, facts: EvaluationFacts) -> list[tuple[CallSite, frozenset[str]]]:
    """Calls of the module's own evaluation helpers (`evaluate(model, train_loader)`), with the
    split parts of the data they are given. A helper that trains (calls `backward`, `step` or
    `fit`) is a training step, not an evaluation."""
    out = []
    for call in module.evaluation_calls:
        fn = call.callee
        if fn is None or _trains(fn.node):
            continue
        data = [a for a in [*call.args, *call.kwargs.values()] if a is not None]
        out.append((call, frozenset().union(*(facts.row_roles(a) for a in data)) if data else frozenset()))
    return out


def _trains(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr in TRAINING_STEPS for n in ast.walk(node))



def _loop_validated_on(data: str, mark: str = "") -> str:
    """A hand-written PyTorch loop whose training and checking datasets come from `data`."""
    return """
    import pandas as pd
    import torch
    from sklearn.metrics import roc_auc_score
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    def tensors(frame):
        return (torch.tensor(frame[["a", "b"]].to_numpy(), dtype=torch.float32),
                torch.tensor(frame["hit"].to_numpy(), dtype=torch.float32))

    DATA
    fit_loader = DataLoader(TensorDataset(*fit_part), batch_size=256, shuffle=True)
    check_loader = DataLoader(TensorDataset(*check_part), batch_size=1024)
    net = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    opt = torch.optim.Adam(net.parameters())
    loss_fn = nn.BCEWithLogitsLoss()
    for epoch in range(5):
        for xb, tb in fit_loader:
            opt.zero_grad()
            loss_fn(net(xb).squeeze(1), tb).backward()
            opt.step()
        with torch.no_grad():
            scores = torch.cat([torch.sigmoid(net(xb).squeeze(1)) for xb, _ in check_loader])
            truth = torch.cat([tb for _, tb in check_loader])
        print(epoch, roc_auc_score(truth.numpy(), scores.numpy()))MARK
""".replace("    DATA\n", f"    {data}\n").replace("MARK", mark)

EvaluationOnTrainingData.invalid = [
    # a network trained and "validated" on datasets built from the same tensors, with no split
    _loop_validated_on('rows = pd.read_csv("visits.csv")\n    fit_part = tensors(rows)\n    check_part = tensors(rows)', "  # ruleid: ML208"),
    # the fitted rows under a hold-out's name: the data flow decides, not the name
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    X, y = load_xy()
    model = LogisticRegression().fit(X, y)
    X_holdout, y_holdout = X, y
    print(roc_auc_score(y_holdout, model.predict_proba(X_holdout)[:, 1]))  # ruleid: ML208
    """,
    """
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import accuracy_score
    model = RandomForestClassifier().fit(X, y)
    print("accuracy", accuracy_score(y, model.predict(X)))  # ruleid: ML208
    """,
    # cross-validated, then refitted on all rows and the final report computed on those rows
    """
    import json
    from sklearn.model_selection import cross_val_score
    from sklearn.metrics import roc_auc_score, classification_report
    print(cross_val_score(model, X, y, cv=5, scoring="roc_auc").mean())
    final = model.fit(X, y)
    summary = {"roc_auc": roc_auc_score(y, final.predict_proba(X)[:, 1]),  # ruleid: ML208
               "report": classification_report(y, final.predict(X))}
    json.dump(summary, open("final_report.json", "w"))
    """,
    # the training part of a split, scored twice through aliases (one finding, the second related)
    """
    import sklearn.model_selection as ms
    from sklearn import metrics
    from sklearn.linear_model import LogisticRegression
    X_train, X_test, y_train, y_test = ms.train_test_split(X, y, random_state=0)
    clf = LogisticRegression().fit(X_train, y_train)
    train_pred = clf.predict(X_train)
    print(metrics.f1_score(y_train, train_pred))  # ruleid: ML208
    print(clf.score(X_train, y_train))
    """,
    # XGBoost regressor, evaluated in a helper on the fitted frame
    """
    from xgboost import XGBRegressor
    from sklearn.metrics import mean_absolute_error

    def mae(model, X, y):
        return mean_absolute_error(y, model.predict(X))  # ruleid: ML208

    reg = XGBRegressor()
    reg.fit(features, target)
    print(mae(reg, features, target))
    """,
    # Keras evaluate on the training arrays
    """
    from tensorflow import keras
    model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", metrics=["AUC"])
    model.fit(X_train, y_train, epochs=3)
    print(model.evaluate(X_train, y_train))  # ruleid: ML208
    """,
    # PyTorch: the per-epoch score comes from the training loader; the validation loader is unused
    """
    import torch
    from torch.utils.data import DataLoader, random_split

    def evaluate(model, loader, device):
        total, count = 0.0, 0
        with torch.no_grad():
            for xb, yb in loader:
                total += torch.abs(model(xb.to(device)) - yb.to(device)).sum().item()
                count += len(yb)
        return total / count

    train_ds, val_ds = random_split(dataset, [len(dataset) - n_val, n_val])
    train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=256)
    for epoch in range(epochs):
        for xb, yb in train_loader:
            optimiser.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimiser.step()
        mae = evaluate(model, train_loader, device)  # ruleid: ML208
        if mae < best_mae:
            best_mae = mae
            torch.save(model, "best.pt")
    """,
    # a notebook with training data read from a file named train
    {"nb.ipynb": """
    import pandas as pd
    from sklearn.metrics import roc_auc_score
    train_df = pd.read_csv("train.csv")
    # %%
    model.fit(train_df[FEATURES], train_df["y"])
    # %%
    roc_auc_score(train_df["y"], model.predict_proba(train_df[FEATURES])[:, 1])  # ruleid: ML208
    """},
]

EvaluationOnTrainingData.valid = [
    # the same loop, validated on another month's file
    _loop_validated_on('fit_part = tensors(pd.read_csv("visits_jan.csv"))\n    check_part = tensors(pd.read_csv("visits_feb.csv"))'),
    # a training error kept as a fit diagnostic (never printed or saved) next to a cross-validated search
    """
    import numpy as np
    from sklearn.linear_model import Ridge
    from sklearn.metrics import mean_squared_error
    from sklearn.model_selection import GridSearchCV
    line = Ridge().fit(inputs, prices)
    fit_error = np.sqrt(mean_squared_error(prices, line.predict(inputs)))
    search = GridSearchCV(Ridge(), {"alpha": [0.1, 1.0, 10.0]}, cv=5, scoring="neg_mean_squared_error")
    search.fit(inputs, prices)
    for mean, params in zip(search.cv_results_["mean_test_score"], search.cv_results_["params"]):
        print(np.sqrt(-mean), params)
    """,
    # PyTorch: the helper scores the validation loader each epoch
    """
    import torch
    from torch.utils.data import DataLoader, random_split

    def evaluate(model, loader):
        model.eval()
        with torch.no_grad():
            return sum(torch.abs(model(xb) - yb).sum().item() for xb, yb in loader) / len(loader.dataset)

    def train_epoch(model, loader, optimiser):
        for xb, yb in loader:
            optimiser.zero_grad()
            torch.nn.functional.l1_loss(model(xb), yb).backward()
            optimiser.step()

    train_ds, val_ds = random_split(dataset, [0.8, 0.2])
    train_loader, val_loader = DataLoader(train_ds, shuffle=True), DataLoader(val_ds)
    for epoch in range(10):
        train_epoch(model, train_loader, optimiser)
        print(epoch, evaluate(model, val_loader))
    """,
    # training metrics beside test metrics: an overfitting diagnostic
    """
    from sklearn.model_selection import train_test_split
    from sklearn.metrics import f1_score
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    model.fit(X_train, y_train)
    print("train", f1_score(y_train, model.predict(X_train)), "test", f1_score(y_test, model.predict(X_test)))
    """,
    # evaluated on a held-out file
    """
    import pandas as pd
    from sklearn.metrics import roc_auc_score
    model.fit(train[FEATURES], train["y"])
    holdout = pd.read_csv("holdout.csv")
    print(roc_auc_score(holdout["y"], model.predict_proba(holdout[FEATURES])[:, 1]))
    """,
    # validation scores in a K-fold loop
    """
    from sklearn.model_selection import StratifiedKFold
    from sklearn.metrics import roc_auc_score
    for tr, va in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
        model.fit(X.iloc[tr], y.iloc[tr])
        print(roc_auc_score(y.iloc[va], model.predict_proba(X.iloc[va])[:, 1]))
    """,
]
