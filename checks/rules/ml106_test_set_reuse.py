from __future__ import annotations

import ast
import re
from typing import Iterator

from wicked_data.checks.analysis import libraries
from wicked_data.checks.analysis.evaluation import evaluation
from wicked_data.checks.analysis.evaluation_base import APPLY_METHODS, READER_CANDIDATES
from wicked_data.checks.analysis.flowtypes import Val
from wicked_data.checks.analysis.leakage import sees_held_out_rows
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.names import candidates, last
from wicked_data.checks.analysis.project import third_party
from wicked_data.checks.analysis.syntax import chain_name, syntax
from wicked_data.checks.analysis.vocab import CV_FUNCS, EARLY_STOPPERS, EVAL_SET_KWARGS, TUNERS
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule

STOPPERS = EARLY_STOPPERS
# Cross-validation functions that fit copies of the model on folds of the rows they are given.
_CV_ON_ROWS = candidates(*(f"sklearn.model_selection.{f}" for f in ("cross_val_score", "cross_validate", "cross_val_predict")))
MAX_CHOICES = 60  # selections and helper calls looked at per file
SELECTORS = {"max", "min", "argmax", "argmin", "idxmax", "idxmin", "sorted", "nlargest", "nsmallest"}


def _turned_off(fit, option: str) -> bool:
    """`option=False` given to the fit or to the estimator's constructor."""
    made = fit.estimator.call if fit.estimator is not None else None
    for call in (fit.call.node, made.node if made is not None else None):
        for kw in call.keywords if call is not None else ():
            if kw.arg == option and isinstance(kw.value, ast.Constant) and kw.value.value is False:
                return True
    return False


def _on_test(val: Val | None) -> bool:
    return val is not None and any(role == "test" for _, role in val.roles)


class TestSetReuse(Rule):
    """
    ## What it does
    Flags the test split used to make choices: early stopping or best-checkpoint selection on it
    (`eval_set=[(X_test, y_test)]`, `validation_data=(X_test, y_test)` with `EarlyStopping`), a
    loop over models or hyperparameters that keeps the best test score, a decision threshold picked
    from a curve computed on the test split, a model (or search) fitted on the test split, a
    keras-tuner search ranked on it (`tuner.search(..., validation_data=(X_test, y_test))`), an
    Optuna, Hyperopt or scikit-optimize search whose objective scores the test split
    (`study.optimize(objective)`, `fmin(fn=partial(loss, X=X_test, ...))`) when the tuned model is
    then scored there, cross-validation run on the test split (`cross_val_score(model, X_test,
    y_test)`: it refits copies on the test rows), CatBoost
    fitted with the test rows as `eval_set` (it keeps the best iteration there by default), a
    hand-written training loop (PyTorch) that checkpoints its best epoch or stops by a loss or score
    computed on the test split, and a model fitted on every row and then scored on the test part of
    a later split. A booster stopped on the test rows only to draw its learning curve (its
    `evals_result` kept, the model itself never used to predict, score or save) chooses nothing.

    ## Why is this bad?
    Once a choice is made by looking at the test set, the test score is a training score: it is
    the maximum of several noisy estimates, biased upwards, and there is nothing left to measure
    how the final model does on unseen data.

    ## Example
    ```python
    for depth in [3, 5, 8]:
        score = f1_score(y_test, RandomForestClassifier(max_depth=depth).fit(X_train, y_train).predict(X_test))
        if score > best_score:
            best_score, best_depth = score, depth
    ```

    ## Use instead
    Choose on a validation split or with cross-validation on the training data
    (`GridSearchCV`), and touch the test split once, at the end:
    ```python
    X_dev, X_test, y_dev, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    X_train, X_val, y_train, y_val = train_test_split(X_dev, y_dev, test_size=0.25, stratify=y_dev, random_state=0)
    model.fit(X_train, y_train, eval_set=[(X_val, y_val)])  # early stopping on validation rows
    search = GridSearchCV(RandomForestClassifier(random_state=0), {"max_depth": [3, 5, 8]}, cv=5, scoring="f1")
    search.fit(X_dev, y_dev)  # choices by cross-validation on the development rows
    test_f1 = f1_score(y_test, search.predict(X_test))  # the test split, once, at the end
    ```

    ## Known problems
    Roles come from the splits, not from names: the held-out part of a split of training rows (and a
    cross-validation fold) is validation, and may be used for choices; the held-out part of a single
    split is the test set. Early stopping on it is reported at medium confidence when no score is
    computed on it afterwards (nothing is left to measure the final model), unless a model of the
    module also predicts rows read from another file (a competition's test file). An objective
    function defined in another module is not read, so a search handing it the test split from
    there is missed. A validation part
    loaded from its own file is not known to be one. In a hand-written loop, a value computed by a
    helper that the code also calls on the training rows counts by the rows given at that call; a
    dataset class built for both parts mixes them, and the loop is then not judged.
    """

    __test__ = False  # its name starts with "Test": keep pytest from collecting it
    id = "ML106"
    name = "test-set-reuse"
    severity = Severity.P1

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        seen: set[int] = set()
        for hit in self._chosen_then_rescored(module):
            seen.add(hit.lineno)
            yield hit
        if not any(role == "test" for split in module.splits for _, role in split.outputs):
            return
        for hit in [*self._early_stopping(module), *self._tuner_searches(module), *self._objective_searches(module), *self._fit_on_test(module), *self._selection_loops(module),
                    *self._thresholds(module), *self._training_loops(module)]:
            if hit.lineno not in seen:
                seen.add(hit.lineno)
                yield hit

    def settled_elsewhere(self, finding, project) -> bool:
        """The chosen model's output on the same rows is handed to another module's function that
        the project stage finds computes no metric: it may save or plot them, not score them."""
        match = re.search(r"scored on the same rows by (\w+)\(\)", finding.message)
        if match is None:
            return False
        name = match.group(1)
        return not any(name in {q.rsplit(".", 1)[-1] for q in (f.get("lineage") or {}).get("scorers") or ()}
                       for f in project.facts.values())

    def _early_stopping(self, module: ModuleAnalysis) -> Iterator[Hit]:
        for fit in module.fits:
            call = fit.call
            held = [k for k in EVAL_SET_KWARGS if _on_test(call.kwargs.get(k))]
            if not held:
                continue
            texts = [module.text(call.node)]
            if fit.estimator is not None and fit.estimator.node is not None:
                texts.append(module.text(fit.estimator.node))
            callbacks = call.kwargs.get("callbacks")
            if callbacks is not None:
                texts.append(module.text(callbacks.node))
            # CatBoost keeps the best iteration on the eval set unless told not to (use_best_model defaults to True)
            catboost = any(last(c).startswith("CatBoost") for c in fit.classes) and not _turned_off(fit, "use_best_model")
            if not catboost and not any(s in t for t in texts for s in STOPPERS):
                continue
            if _discarded(module, fit):
                continue  # the stopped model only gives its training curve: nothing it predicts is kept
            if _tuning_trial(module, call, call.kwargs[held[0]]):
                continue  # a search's trial stops on the rows that rank the trials; nothing else scores them
            if _scored(module, call.kwargs[held[0]]):
                yield Hit(f"early stopping/checkpoint selection uses the test split ({held[0]}=...); the test "
                          "score then measures a choice made on it. Stop on a validation split",
                          node=call.node)
            elif not _sibling_scored(module, call.kwargs[held[0]]) \
                    and not _carved_from_arguments(module, call.kwargs[held[0]], call.node) \
                    and not _predicts_other_rows(module, call.kwargs[held[0]]):
                yield Hit(f"early stopping/checkpoint selection uses the only held-out rows ({held[0]}=...); "
                          "nothing unseen is left to measure the final model (and its best-iteration score is "
                          "optimistic). Split off a validation part for stopping and keep the test rows apart",
                          node=call.node, confidence="medium")

    def _training_loops(self, module: ModuleAnalysis) -> Iterator[Hit]:
        """A hand-written training loop (gradients applied epoch after epoch) that keeps the best
        epoch or stops by a loss or score computed on the test split: `if total < best:
        torch.save(...)`, a patience counter that breaks."""
        if not module.gradient_steps:
            return
        flow = module.flow
        for loop in module.flow.loops:
            methods = {n.func.attr for n in ast.walk(loop) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
            if not {"backward", "step"} <= methods:
                continue
            for node in ast.walk(loop):
                if not isinstance(node, ast.If) or not any(isinstance(n, ast.Compare) for n in ast.walk(node.test)):
                    continue
                read = [flow.val_at(n) for n in ast.walk(node.test) if isinstance(n, ast.Name)]
                held = next((v for v in read if _only_test(module, v)), None)
                if held is None or not _chooses(node) or _carved_from_arguments(module, held, loop):
                    continue
                if _scored(module, held) or _reported(module, held, loop):
                    yield Hit("the training loop keeps its best epoch (or stops) by a value computed on the test split; "
                              "the test score then measures a choice made on it. Stop and pick checkpoints on a "
                              "validation split", node=node.test)
                else:
                    yield Hit("the training loop keeps its best epoch (or stops) by the only held-out rows; nothing "
                              "unseen is left to measure the final model. Split off a validation part for stopping",
                              node=node.test, confidence="medium")

    def _tuner_searches(self, module: ModuleAnalysis) -> Iterator[Hit]:
        """`tuner.search(X, y, validation_data=(X_test, y_test))`: every trial is ranked on those rows."""
        for call in module.method_calls("search"):
            built = call.receiver.call if call.receiver is not None else None
            if built is None or not built.is_(*TUNERS):
                continue
            held = [k for k in EVAL_SET_KWARGS if _on_test(call.kwargs.get(k))]
            if held:
                yield Hit(f"the hyperparameter search ranks its trials on the test split ({held[0]}=...); the best "
                          "model's test score then measures a choice made on it. Search on a validation split",
                          node=call.node)

    def _objective_searches(self, module: ModuleAnalysis) -> Iterator[Hit]:
        """`study.optimize(objective)` (Optuna), `fmin(fn=objective)` (Hyperopt), `gp_minimize(objective)`:
        the optimiser keeps the trial whose objective is best, so an objective that scores the test
        rows (read from the module, or handed to it by a lambda) tunes on them."""
        for call, objective in _searches(module):
            scored = _objective_scores_test(module, objective)
            if scored is not None:
                metric, fn = scored
                # the test rows scored again outside the objective: the reported score is the tuned one
                again = any(_on_test(a) for m in module.evaluation_calls
                            if m.line > call.line and syntax(module).function_of(m.node) is not fn
                            and syntax(module).function_of(m.node) is syntax(module).function_of(call.node)
                            for a in [*m.args, *m.kwargs.values(), m.receiver] if a is not None)
                if not again:
                    continue  # the rows only rank the trials (a tuning script's validation part): nothing reports them
                yield Hit("the hyperparameter search keeps the trial whose objective scores best on the test split "
                          f"({metric}), and the tuned model is then scored on those rows; that score measures a "
                          "choice made on them. Score the trials on a validation split or by cross-validation on the "
                          "training part", node=call.node)

    def _fit_on_test(self, module: ModuleAnalysis) -> Iterator[Hit]:
        yield from self._fit_before_split(module)
        for fit in module.fits:
            if fit.kind in ("model", "pipeline") and _on_test(fit.X) and not any(r == "train" for _, r in fit.X.roles) \
                    and _scored(module, fit.X, fit):  # held-out rows fitted on and never scored are a calibration set
                what = "a hyperparameter search" if last(fit.ctor) in CV_FUNCS else "the model"
                yield Hit(f"{what} is fitted on the test split", node=fit.call.node)
        for call in module.calls:
            if call.method is not None or not call.is_in(_CV_ON_ROWS):
                continue
            X = call.arg(1, "X")
            if X is None or not _on_test(X) or any(r == "train" for _, r in X.roles):
                continue
            yield Hit(f"{call.short}() cross-validates on the test split: it fits fresh copies of the model on folds "
                      "of the test rows and scores those, so the number measures other models trained on test rows, "
                      "not the fitted one on unseen data. Score the fitted model on the test split once; "
                      "cross-validate on the training part", node=call.node)

    def _fit_before_split(self, module: ModuleAnalysis) -> Iterator[Hit]:
        """A model fitted on every row, then scored on the test part of a later split of those rows
        (`sm.OLS(y, X).fit()`, then `train_test_split(X, y)` and a metric on the test part)."""
        for fit in module.model_fits:
            if fit.X is None or fit.X.roles:
                continue
            for split in module.splits:
                if split.line <= fit.line or sees_held_out_rows(module, fit.X, split) != "whole":
                    continue
                tests = [v for v, role in split.outputs if role == "test"]
                if any(_scored(module, v, fit) for v in tests):
                    yield Hit(f"the model is fitted on every row (line {fit.line}) and then scored on the test part "
                              f"of the split at line {split.line}; those rows were in its training data, so the "
                              "score is in-sample. Fit on the training part only", node=fit.call.node,
                              related=[(None, split.line, "the split made after the fit")])
                    break

    def _selection_loops(self, module: ModuleAnalysis) -> Iterator[Hit]:
        loops = module.flow.loops
        if not loops:
            return
        for metric in module.evaluation_calls:
            if not any(_on_test(a) for a in [*metric.args, *metric.kwargs.values(), metric.receiver]
                       if metric.method != "score" or a is not metric.receiver):
                continue
            loop = next((lp for lp in loops if _inside(metric.node, lp)), None)
            if loop is None:
                continue
            if _keeps_best(module, metric.val, loop):
                yield Hit("models or hyperparameters are compared on the test split and the best is kept; "
                          "select on a validation split or with cross-validation", node=metric.node,
                          confidence="medium")

    def _chosen_then_rescored(self, module: ModuleAnalysis) -> Iterator[Hit]:
        """A model is chosen (`max`, `sorted`, `idxmax`...) from what a function of the project returns
        for rows it is handed (`report = evaluate_models(..., X_b, y_b)`), and the chosen model is then
        scored on those same rows: whatever the rows are called, the reported score measures a choice
        made on them."""
        flow = module.flow
        selectors = [c for c in module.calls if c.val is not None
                     and (c.method in SELECTORS or c.method is None and c.short in SELECTORS)][:MAX_CHOICES]
        helpers = [c for c in module.calls if c.method is None and c.val is not None
                   and (c.callee is not None or c.qualname and not third_party(c.qualname.lstrip(".")))][:MAX_CHOICES]
        if not selectors or not helpers or not module.evaluation_calls and not any(c.callee is None for c in helpers):
            return
        facts = evaluation(module)
        fitted = [f.X for f in module.model_fits if f.X is not None]
        for sel in selectors:
            for helper in helpers:
                if helper.line > sel.line or not _chosen_from(module, sel, helper):
                    continue
                # the rows handed over (not an estimator, a splitter or a grid: constructed objects)
                handed = [a for a in [*helper.args, *helper.kwargs.values()] if a is not None and not a.ctor
                          and a.shape != "model"]
                # a metric here, or a function of another module given the chosen model's output (whether
                # it scores is the project stage's to say: `settled_elsewhere`)
                scorers = [*module.evaluation_calls, *(c for c in helpers if c.callee is None and c is not helper)]
                for metric in scorers:
                    if metric.line <= sel.line or metric.val is None:
                        continue
                    inputs = [a for a in [*metric.args, *metric.kwargs.values()] if a is not None]
                    if not any(flow.derives_from(v, sel.val, rows=True) for v in inputs):
                        continue  # not the chosen model's score
                    applied = [d for v in inputs if v is not None for d in facts._applied_data(v) if d is not v]
                    rows = [d for d in handed if any(flow.derives_from(a, d, rows=True) for a in applied)
                            and not any(flow.derives_from(x, d, rows=True) for x in fitted)]
                    if rows:
                        name = helper.callee.node.name if helper.callee is not None else last(helper.qualname or "")
                        by = f" by {last(metric.qualname)}()" if metric in helpers else ""
                        yield Hit(f"the model is chosen by what {name}() returns for these rows (line {helper.line}) "
                                  f"and then scored on the same rows{by}; the score measures a choice made on them. "
                                  "Choose on a validation split or by cross-validation on the training rows, and "
                                  "score the chosen model once on rows that played no part",
                                  node=metric.node, confidence="medium",
                                  related=[(None, helper.line, f"{name}() scores the candidates on these rows"),
                                           (None, sel.line, "the best is chosen here")])
                        return

    def _thresholds(self, module: ModuleAnalysis) -> Iterator[Hit]:
        for call in module.calls:
            if call.short not in ("precision_recall_curve", "roc_curve") or not any(_on_test(a) for a in call.args):
                continue
            if not _thresholds_read(module, call):
                continue  # `fpr, tpr, _ = roc_curve(...)`, `ks = max(tpr - fpr)`: a statistic, no threshold picked
            if _keeps_best(module, call.val, None):
                yield Hit("the decision threshold is chosen on the test split; its test score is then optimistic. "
                          "Choose it on a validation split or out-of-fold predictions", node=call.node,
                          confidence="medium")


USES = {"predict", "predict_proba", "predict_log_proba", "decision_function", "inplace_predict", "score", "evaluate",
        "save_model", "save", "dump_model", "transform"}


def _searches(module: ModuleAnalysis) -> list[tuple]:
    """(call, objective node) for each optimiser run: `study.optimize(objective)` (Optuna),
    `fmin(fn=objective)` (Hyperopt), `gp_minimize(objective)`."""
    studies = set(libraries.names("study"))
    searches = libraries.names("objective_search")
    out = []
    for call in module.calls:
        if call.method == "optimize" and call.receiver is not None and any(
                a.call is not None and a.call.is_(*studies) for a in module.flow.ancestors(call.receiver)):
            out.append((call, call.arg_node(0, "func")))
        elif call.method is None and call.is_(*searches):
            out.append((call, call.kwarg_node("fn") or call.kwarg_node("func") or call.kwarg_node("f") or call.arg_node(0)))
    return out


def _objective_functions(module: ModuleAnalysis) -> set[int]:
    """Ids of the module's functions an optimiser runs as its objective (by name or through a lambda)."""
    out = set()
    for _, objective in _searches(module):
        if isinstance(objective, ast.Name) and objective.id in module.flow.functions:
            out.add(id(module.flow.functions[objective.id].node))
        elif isinstance(objective, ast.Lambda) and isinstance(objective.body, ast.Call):
            call = module.flow.call_at(objective.body)
            if call is not None and call.callee is not None:
                out.add(id(call.callee.node))
        elif isinstance(objective, ast.Call) and objective.args and isinstance(objective.args[0], ast.Name) \
                and objective.args[0].id in module.flow.functions:  # functools.partial(f, ...)
            out.add(id(module.flow.functions[objective.args[0].id].node))
    return out


def _objective_scores_test(module: ModuleAnalysis, objective: ast.AST | None) -> tuple[str, ast.AST] | None:
    """What the objective function handed to an optimiser computes on test rows (the metric's
    text, and the function), when it does: a metric of the function's body whose rows are the test
    part of a split (read from the module), or one over a parameter that a lambda (`lambda t: f(t,
    X_test, y_test)`) or `functools.partial(f, X=X_test, ...)` binds to the test part."""
    fn, bound = None, set()
    call = module.flow.call_at(objective.body) if isinstance(objective, ast.Lambda) and isinstance(
        objective.body, ast.Call) else None
    if isinstance(objective, ast.Call) and (module.imports.resolve(objective.func) or "") == "functools.partial" \
            and objective.args and isinstance(objective.args[0], ast.Name):
        fn = module.flow.functions.get(objective.args[0].id)
        partial = module.flow.call_at(objective)
        if fn is not None and partial is not None:
            params = [a.arg for a in [*fn.node.args.posonlyargs, *fn.node.args.args]]
            values = {**dict(zip(params, partial.args[1:])), **partial.kwargs}
            bound = {name for name, v in values.items() if v is not None and _on_test(v)}
            fn = fn.node
    elif call is not None and call.callee is not None:
        fn = call.callee.node
        params = [a.arg for a in [*fn.args.posonlyargs, *fn.args.args]]
        bound = {name for i, name in enumerate(params) if (v := call.arg(i, name)) is not None and _on_test(v)}
    elif isinstance(objective, ast.Name) and objective.id in module.flow.functions:
        fn = module.flow.functions[objective.id].node
    if fn is None:
        return None
    syn = syntax(module)
    for metric in module.evaluation_calls:
        if syn.function_of(metric.node) is not fn:
            continue
        if any(_on_test(a) for a in [*metric.args, *metric.kwargs.values(), metric.receiver] if a is not None) or any(
                isinstance(n, ast.Name) and n.id in bound for a in metric.node.args for n in ast.walk(a)):
            return module.text(metric.node.func), fn
    return None


def _predicts_other_rows(module: ModuleAnalysis, held: Val) -> bool:
    """A model of the module also predicts rows read from another source than the rows split (a
    separate test file scored for a submission, an out-of-time sample): the split's held-out part
    is not the only unseen data, and stopping on it is what a validation part is for."""
    def rows_of(val: Val) -> list[Val]:  # where the rows come from: not the fitted objects applied to them
        out, seen, stack = [], {id(val)}, [val]
        while stack:
            cur = stack.pop()
            out.append(cur)
            skip = cur.call.receiver if cur.call is not None and cur.call.method in APPLY_METHODS else None
            for parent in cur.parents:
                if parent is not skip and id(parent) not in seen:
                    seen.add(id(parent))
                    stack.append(parent)
        return out

    split_reads = {id(a) for a in rows_of(held) if a.call is not None and a.call.is_in(READER_CANDIDATES)}
    if not split_reads:
        return False
    for pred in module.predictions:
        for val in pred.args[:1]:
            if val is None or val.roles:
                continue  # rows of a split
            ancestors = rows_of(val)
            if any(a.roles for a in ancestors):
                continue
            reads = {id(a) for a in ancestors if a.call is not None and a.call.is_in(READER_CANDIDATES)}
            if reads and not reads & split_reads:
                return True
    return False


def _discarded(module: ModuleAnalysis, fit) -> bool:
    """The model a fit makes (the estimator, or what `xgb.train` returns) is kept for its training record
    (`evals_result`) and for nothing else: no prediction, score or save is made with it and no function
    returns it (a learning-curve plot)."""
    seeds = [v for v in (fit.estimator, fit.call.val) if v is not None]
    if not seeds:
        return False
    reached = module.flow.downstream(seeds)
    curve = "evals_result" in fit.call.kwargs or any(
        c.method in ("evals_result", "get_evals_result") and c.receiver is not None and id(c.receiver) in reached
        for c in module.calls)
    if not curve:
        return False  # (no sign of what the stopped model is for: assume it is the model)
    for call in module.calls:
        if call is fit.call:
            continue
        if call.receiver is not None and id(call.receiver) in reached and (call.method in USES or call.method is None):
            return False
        if any(id(a) in reached for a in (*call.args, *call.kwargs.values()) if a is not None) \
                and (call.method in USES or call.short in ("dump", "save", "log_model", "pickle", "CalibratedClassifierCV")
                     or call.callee is not None or call.method is None and call.short not in ("print", "plot", "len")):
            return False
    for fn in [*module.flow.functions.values(), *module.flow.nested]:
        if any(id(r) in reached for r in fn.returns):
            return False
    return True


def _chosen_from(module: ModuleAnalysis, sel, helper) -> bool:
    """The choice `sel` is made over what `helper` returned (its scores, by name or by value), not over
    predictions a model the helper made gives later (a threshold read off a curve is another check)."""
    flow = module.flow
    for arg in [*sel.args, sel.receiver]:
        if arg is None or not flow.derives_from(arg, helper.val, rows=False):
            continue
        if not any(a.call is not None and a.call.method in APPLY_METHODS for a in flow.ancestors(arg)
                   if flow.derives_from(a, helper.val, rows=False)):
            return True
    return False


def _of_model(module: ModuleAnalysis, metric, inputs: list[Val], fit) -> bool:
    """The metric scores `fit`'s model (or a metric whose model cannot be told)."""
    facts = evaluation(module)
    models = facts.models_scored(metric, inputs)
    return not models or any(facts.is_model_of(m, fit) for m in models)


def _scored(module: ModuleAnalysis, val: Val, fit=None, roles: tuple[str, ...] = ("test",)) -> bool:
    """Some metric or `score` is computed on the test rows (the rows of `roles`) that `val` holds;
    with `fit`, a metric of that fitted model (another model scored on the same rows is not this
    model's reuse of them)."""
    parts = {key for key in val.roles if key[1] in roles}
    for metric in module.evaluation_calls:
        inputs = [a for a in [*metric.args, *metric.kwargs.values(), metric.receiver] if a is not None]
        if any(parts & a.roles for a in inputs) and (fit is None or _of_model(module, metric, inputs, fit)):
            return True
    return False


def _tuning_trial(module: ModuleAnalysis, call, held: Val) -> bool:
    """The stopped fit runs inside an optimiser's objective, and the held-out rows are scored only
    there: they are the validation part that ranks the trials (a tuning notebook), and only the
    chosen hyperparameters leave it. Scored outside the objective too, the rows report a tuned score
    (`_objective_searches` says so)."""
    objectives = _objective_functions(module)
    syn = syntax(module)
    fn = syn.function_of(call.node)
    if fn is None or id(fn) not in objectives:
        return False
    parts = {key for key in held.roles if key[1] in ("test", "validation")}
    for metric in module.evaluation_calls:
        inputs = [a for a in [*metric.args, *metric.kwargs.values(), metric.receiver] if a is not None]
        if any(parts & a.roles for a in inputs) and id(syn.function_of(metric.node)) not in objectives:
            return False
    return True


def _sibling_scored(module: ModuleAnalysis, val: Val) -> bool:
    """`val` is one held-out part of a split whose other held-out part is scored: that other part is
    the test set and `val`'s rows are a validation part, whatever order the split returned them in
    (`X_test, X_val = train_test_split(X_rest)` stops on X_val and scores X_test)."""
    own = {key for key in val.roles if key[1] in ("test", "validation")}
    splits = {key[0] for key in own}
    for split in module.splits:
        if id(split) not in splits:
            continue
        for part, role in split.outputs:
            if role in ("test", "validation") and not (part.roles & own) and _scored(module, part, roles=("test", "validation")):
                return True
    return False


def _keeps_best(module: ModuleAnalysis, scores: Val | None, loop: ast.AST | None) -> bool:
    """A choice is made from `scores` (or what derives from them): an arg-max/min, `max`, `sorted`
    or `idxmax` over them, or a comparison with them that updates a kept value (`if score > best:
    best = ...`), inside `loop` when one is given."""
    if scores is None:
        return False
    flow = module.flow
    for call in module.calls:
        if (call.method in SELECTORS or call.method is None and call.short in SELECTORS) and any(
                flow.derives_from(a, scores, rows=False) for a in [*call.args, call.receiver] if a is not None):
            return True
    for node in ast.walk(loop if loop is not None else module.tree):
        if not isinstance(node, ast.If):
            continue
        # the values the test reads where it stands (a name read in another scope is another value)
        read = [flow.val_at(n) for n in ast.walk(node.test) if isinstance(n, ast.Name)]
        compares = isinstance(node.test, ast.Compare) or any(isinstance(n, ast.Compare) for n in ast.walk(node.test))
        keeps = any(isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)) for stmt in node.body)
        if compares and keeps and any(v is not None and (v is scores or flow.derives_from(v, scores, rows=False))
                                      for v in read):
            return True
    return False


def _only_test(module: ModuleAnalysis, val: Val | None, depth: int = 6) -> bool:
    """`val` is computed from the test rows alone. A helper of the module called on several parts
    (`evaluate(model, train_loader)`, `evaluate(model, test_loader)`) returns values carrying all
    their roles: the call this value comes from decides, by the rows it was given."""
    if val is None or not _on_test(val):
        return False
    if all(r == "test" for _, r in val.roles):
        return True
    cur = val
    while cur is not None and depth > 0:
        depth -= 1
        call = cur.call
        if call is not None and call.callee is not None:
            given = {r for a in [*call.args, *call.kwargs.values()] if a is not None for _, r in a.roles}
            return given == {"test"}
        cur = cur.parents[0] if len(cur.parents) == 1 else None
    return False


def _thresholds_read(module: ModuleAnalysis, call) -> bool:
    """The curve's thresholds (its third output) are read somewhere: a threshold can only be
    chosen from them. Unknown (the result kept whole) counts as read."""
    stmt = next((a for a in syntax(module).ancestors(call.node) if isinstance(a, ast.stmt)), None)
    if not (isinstance(stmt, ast.Assign) and stmt.value is call.node and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], (ast.Tuple, ast.List)) and len(stmt.targets[0].elts) == 3):
        return True
    third = stmt.targets[0].elts[2]
    if not isinstance(third, ast.Name):
        return False  # `_` or a starred name
    return any(isinstance(n, ast.Name) and n.id == third.id and isinstance(n.ctx, ast.Load)
               for n in syntax(module).nodes)


def _chooses(node: ast.If) -> bool:
    """The branch keeps something or ends the loop: saves a checkpoint, copies the weights,
    updates a best value or a patience counter, or breaks."""
    for stmt in [*node.body, *node.orelse]:
        for sub in ast.walk(stmt):
            if isinstance(sub, (ast.Break, ast.Assign, ast.AugAssign)):
                return True
            if isinstance(sub, ast.Call) and last(chain_name(sub.func)) in ("save", "state_dict", "deepcopy", "save_weights",
                                                                          "save_model", "save_checkpoint"):
                return True
    return False


def _carved_from_arguments(module: ModuleAnalysis, held: Val, at: ast.AST) -> bool:
    """The held-out part was split, inside the function that trains, from the rows that function was
    handed (`def fit(self, X, y): ... X[:cut], X[cut:]`): a validation part carved from whatever
    the caller trains on; the caller keeps the test rows, if any."""
    fn = syntax(module).function_of(at)
    if fn is None:
        return False
    params = {id(a) for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)}
    splits = {key[0] for a in module.flow.ancestors(held, rows=True) for key in a.roles if key[1] == "test"}
    for split in module.splits:
        if id(split) in splits and syntax(module).function_of(split.node) is fn and any(
                isinstance(a.node, ast.arg) and id(a.node) in params
                for inp in split.inputs for a in module.flow.ancestors(inp, rows=True)):
            return True
    return False


def _reported(module: ModuleAnalysis, held: Val, loop: ast.AST) -> bool:
    """After the loop, something computed on the same test rows is printed, logged or returned:
    the score of the model chosen on them."""
    parts = {key for key in held.roles if key[1] == "test"}
    end = loop.end_lineno or loop.lineno
    for call in module.calls:
        if call.line > end and (call.short in ("print", "log_metric", "log_metrics") or call.method in ("info", "log")):
            for arg in [*call.args, *call.kwargs.values()]:
                if arg is not None and any(parts & a.roles for a in module.flow.ancestors(arg)):
                    return True
    return False


def _inside(node: ast.AST, loop: ast.AST) -> bool:
    return loop.lineno < node.lineno <= (loop.end_lineno or loop.lineno)


def _winner_scored_by(last: str) -> dict[str, str]:
    """A two-module example: candidates ranked on the held-out rows by `kit.scores`, the winner then
    handed to `last` (a metric helper of that module, or one that only writes the guesses out)."""
    return {"kit/scores.py": """
        from sklearn.metrics import recall_score

        def rank_models(candidates, X_a, y_a, X_b, y_b):
            table = {}
            for name, model in candidates.items():
                model.fit(X_a, y_a)
                table[name] = recall_score(y_b, model.predict(X_b))
            return table

        def summary(truth, guessed):
            return {"recall": recall_score(truth, guessed)}

        def keep_rows(guessed, where):
            guessed.tofile(where)
        """,
            "pick.py": """
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import train_test_split
        from kit.scores import keep_rows, rank_models, summary
        X_a, X_b, y_a, y_b = train_test_split(X, y, stratify=y, random_state=5)
        candidates = {"forest": RandomForestClassifier(), "logit": LogisticRegression()}
        table = rank_models(candidates, X_a, y_a, X_b, y_b)
        winner = candidates[max(table, key=table.get)]
        LAST
        """.replace("LAST", last)}


_RANKING = """
from sklearn.metrics import accuracy_score

def rank_candidates(Xa, ya, Xb, yb, candidates):
    report = {}
    for name, model in candidates.items():
        report[name] = accuracy_score(yb, model.fit(Xa, ya).predict(Xb))
    return report
"""

TestSetReuse.invalid = [
    # candidates ranked by a helper of another module; the winner then scored by another helper on those rows
    _winner_scored_by("print(summary(y_b, winner.predict(X_b)))  # ruleid: ML106"),
    # "test score" from cross-validation over the test part: copies of the model are fitted on it
    """
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.model_selection import cross_val_score, train_test_split
    fit_x, held_x, fit_y, held_y = train_test_split(X, y, test_size=0.25, random_state=2)
    forest = RandomForestRegressor(random_state=2).fit(fit_x, fit_y)
    print("held-out R2", cross_val_score(forest, held_x, held_y, cv=5).mean())  # ruleid: ML106
    """,
    # an Optuna objective that scores the test part of the only split
    """
    import optuna
    from sklearn.ensemble import GradientBoostingRegressor
    from sklearn.metrics import mean_absolute_error
    from sklearn.model_selection import train_test_split
    p, q, r, s = train_test_split(inputs, prices, test_size=0.25, random_state=4)

    def objective(trial):
        model = GradientBoostingRegressor(learning_rate=trial.suggest_float("lr", 0.01, 0.3)).fit(p, r)
        return mean_absolute_error(s, model.predict(q))

    study = optuna.create_study(direction="minimize")
    study.optimize(objective, n_trials=80)  # ruleid: ML106
    final = GradientBoostingRegressor(**study.best_params).fit(p, r)
    print(mean_absolute_error(s, final.predict(q)))
    """,
    # Hyperopt handed the test rows through functools.partial
    """
    from functools import partial
    from hyperopt import fmin, hp, tpe
    from sklearn.linear_model import Ridge
    from sklearn.metrics import mean_squared_error
    from sklearn.model_selection import train_test_split
    X_a, X_b, y_a, y_b = train_test_split(X, y, random_state=0)

    def loss(params, fit_x, fit_y, check_x, check_y):
        return mean_squared_error(check_y, Ridge(alpha=params["alpha"]).fit(fit_x, fit_y).predict(check_x))

    best = fmin(fn=partial(loss, fit_x=X_a, fit_y=y_a, check_x=X_b, check_y=y_b),  # ruleid: ML106
                space={"alpha": hp.loguniform("alpha", -5, 3)}, algo=tpe.suggest, max_evals=50)
    print("test MSE", mean_squared_error(y_b, Ridge(alpha=best["alpha"]).fit(X_a, y_a).predict(X_b)))
    """,
    # a PyTorch loop that checkpoints the epoch with the lowest loss on the test part, then reports it
    """
    import torch
    from torch.utils.data import DataLoader, TensorDataset
    from sklearn.model_selection import train_test_split
    A, B, a, b = train_test_split(features, labels, test_size=0.2, random_state=0)
    seen = DataLoader(TensorDataset(torch.tensor(A), torch.tensor(a)), batch_size=64, shuffle=True)
    unseen = DataLoader(TensorDataset(torch.tensor(B), torch.tensor(b)), batch_size=256)
    lowest = float("inf")
    for epoch in range(40):
        for xb, yb in seen:
            opt.zero_grad()
            crit(net(xb), yb).backward()
            opt.step()
        with torch.no_grad():
            total = sum(crit(net(xb), yb).item() for xb, yb in unseen)
        if total < lowest:  # ruleid: ML106
            lowest = total
            torch.save(net.state_dict(), "best.pt")
    net.load_state_dict(torch.load("best.pt"))
    print(sum((net(xb).argmax(1) == yb).float().mean().item() for xb, yb in unseen))
    """,
    # a statsmodels model fitted on every row, then scored on the test part of a later split
    """
    import pandas as pd
    import statsmodels.api as sm
    from sklearn.metrics import mean_absolute_error
    from sklearn.model_selection import train_test_split
    rows = pd.read_csv("rows.csv")
    design = sm.add_constant(rows[["a", "b"]])
    fitted = sm.OLS(rows["y"], design).fit()  # ruleid: ML106
    d_a, d_b, y_a, y_b = train_test_split(design, rows["y"], random_state=0)
    print(mean_absolute_error(y_b, fitted.predict(d_b)))
    """,
    """
    from sklearn.model_selection import train_test_split
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import f1_score
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    best_score, best_depth = 0, None
    for depth in [3, 5, 8, 12]:
        model = RandomForestClassifier(max_depth=depth, random_state=0).fit(X_train, y_train)
        score = f1_score(y_test, model.predict(X_test))  # ruleid: ML106
        if score > best_score:
            best_score, best_depth = score, depth
    """,
    # XGBoost early stopping on the test split
    """
    import xgboost as xgb
    from sklearn import model_selection
    X_tr, X_te, y_tr, y_te = model_selection.train_test_split(X, y, random_state=0, stratify=y)
    clf = xgb.XGBClassifier(n_estimators=2000, early_stopping_rounds=50)
    clf.fit(X_tr, y_tr, eval_set=[(X_te, y_te)], verbose=False)  # ruleid: ML106
    """,
    # a threshold tuned on the test split, then reported on it
    """
    import numpy as np
    from sklearn.metrics import precision_recall_curve, f1_score
    from sklearn.model_selection import train_test_split
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    proba = clf.fit(X_train, y_train).predict_proba(X_test)[:, 1]
    prec, rec, thr = precision_recall_curve(y_test, proba)  # ruleid: ML106
    best_threshold = thr[np.argmax(2 * prec * rec / (prec + rec + 1e-9))]
    print(f1_score(y_test, proba >= best_threshold))
    """,
    # candidates ranked by a helper of another module on rows handed over as arrays, the winner then
    # scored on those rows (whatever they are called)
    {
        "ranking.py": _RANKING,
        "trainer.py": """
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import accuracy_score
        from ranking import rank_candidates

        def pick(first, second):
            Xa, ya, Xb, yb = first[:, :-1], first[:, -1], second[:, :-1], second[:, -1]
            candidates = {"rf": RandomForestClassifier(), "lr": LogisticRegression()}
            report = rank_candidates(Xa, ya, Xb, yb, candidates)
            best = max(report, key=report.get)
            return accuracy_score(yb, candidates[best].predict(Xb))  # ruleid: ML106
        """,
    },
]

TestSetReuse.valid = [
    # the same ranking, but the winner's guesses on those rows are only written out (no metric)
    _winner_scored_by('keep_rows(winner.predict(X_b), "guesses.bin")'),
    # the Optuna objective cross-validates the training part; the test part is scored once, at the end
    """
    import optuna
    from sklearn.ensemble import GradientBoostingRegressor
    from sklearn.metrics import mean_absolute_error
    from sklearn.model_selection import cross_val_score, train_test_split
    p, q, r, s = train_test_split(inputs, prices, test_size=0.25, random_state=4)

    def objective(trial):
        model = GradientBoostingRegressor(learning_rate=trial.suggest_float("lr", 0.01, 0.3))
        return cross_val_score(model, p, r, cv=5, scoring="neg_mean_absolute_error").mean()

    study = optuna.create_study(direction="maximize")
    study.optimize(objective, n_trials=80)
    final = GradientBoostingRegressor(**study.best_params).fit(p, r)
    print(mean_absolute_error(s, final.predict(q)))
    """,
    # stopping on a part carved from the labelled file; the unseen rows are another file, scored for a submission
    """
    import pandas as pd
    from catboost import CatBoostClassifier
    from sklearn.model_selection import train_test_split
    labelled = pd.read_csv("accounts_labelled.csv")
    target = labelled.pop("left")
    fit_rows, stop_rows, fit_target, stop_target = train_test_split(labelled, target, stratify=target, random_state=3)
    booster = CatBoostClassifier(iterations=2000)
    booster.fit(fit_rows, fit_target, eval_set=(stop_rows, stop_target), early_stopping_rounds=100)
    unseen = pd.read_csv("accounts_unlabelled.csv")
    pd.DataFrame({"p": booster.predict_proba(unseen)[:, 1]}).to_csv("submission.csv", index=False)
    """,
    # the same loop stopping on a validation part carved from the training rows; the test part once, at the end
    """
    import torch
    from torch.utils.data import DataLoader, TensorDataset
    from sklearn.model_selection import train_test_split
    A, B, a, b = train_test_split(features, labels, test_size=0.2, random_state=0)
    A1, A2, a1, a2 = train_test_split(A, a, test_size=0.2, random_state=0)
    seen = DataLoader(TensorDataset(torch.tensor(A1), torch.tensor(a1)), batch_size=64, shuffle=True)
    check = DataLoader(TensorDataset(torch.tensor(A2), torch.tensor(a2)), batch_size=256)
    unseen = DataLoader(TensorDataset(torch.tensor(B), torch.tensor(b)), batch_size=256)
    lowest = float("inf")
    for epoch in range(40):
        for xb, yb in seen:
            opt.zero_grad()
            crit(net(xb), yb).backward()
            opt.step()
        with torch.no_grad():
            total = sum(crit(net(xb), yb).item() for xb, yb in check)
        if total < lowest:
            lowest = total
            torch.save(net.state_dict(), "best.pt")
    net.load_state_dict(torch.load("best.pt"))
    print(sum((net(xb).argmax(1) == yb).float().mean().item() for xb, yb in unseen))
    """,
    # CatBoost told not to keep the best iteration: the eval set is only watched, not chosen on
    """
    import pandas as pd
    from catboost import CatBoostClassifier
    from sklearn.metrics import f1_score
    from sklearn.model_selection import train_test_split
    rows = pd.read_csv("rows.csv")
    r_a, r_b = train_test_split(rows, test_size=0.2, stratify=rows["y"], random_state=0)
    clf = CatBoostClassifier(iterations=300, use_best_model=False)
    clf.fit(r_a.drop(columns=["y"]), r_a["y"], eval_set=(r_b.drop(columns=["y"]), r_b["y"]))
    print(f1_score(r_b["y"], clf.predict(r_b.drop(columns=["y"]))))
    """,
    # selection on a validation split carved from training; one final test evaluation
    """
    from sklearn.model_selection import train_test_split
    from sklearn.metrics import f1_score
    X_tmp, X_test, y_tmp, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    X_train, X_val, y_train, y_val = train_test_split(X_tmp, y_tmp, test_size=0.25, stratify=y_tmp, random_state=0)
    best = None
    for c in [0.1, 1.0, 10.0]:
        m = make_model(c).fit(X_train, y_train)
        s = f1_score(y_val, m.predict(X_val))
        if best is None or s > best[0]:
            best = (s, m)
    print("test F1", f1_score(y_test, best[1].predict(X_test)))
    """,
    # early stopping on a validation set; comparing train and test metrics once
    """
    import lightgbm as lgb
    from sklearn.model_selection import train_test_split
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
    X_fit, X_valid, y_fit, y_valid = train_test_split(X_train, y_train, random_state=0, stratify=y_train)
    model = lgb.LGBMClassifier(n_estimators=5000)
    model.fit(X_fit, y_fit, eval_set=[(X_valid, y_valid)], callbacks=[lgb.early_stopping(100)])
    print(model.score(X_fit, y_fit), model.score(X_test, y_test))
    """,
    # the same helper ranks the candidates on a validation part cut from the training rows; the
    # winner is refitted and scored once on the untouched part
    {
        "ranking.py": _RANKING,
        "trainer.py": """
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import accuracy_score
        from sklearn.model_selection import train_test_split
        from ranking import rank_candidates

        def pick(rows, labels):
            Xa, Xb, ya, yb = train_test_split(rows, labels, test_size=0.2, stratify=labels, random_state=0)
            Xc, Xd, yc, yd = train_test_split(Xa, ya, test_size=0.25, stratify=ya, random_state=0)
            candidates = {"rf": RandomForestClassifier(), "lr": LogisticRegression()}
            report = rank_candidates(Xc, yc, Xd, yd, candidates)
            best = max(report, key=report.get)
            return accuracy_score(yb, candidates[best].fit(Xa, ya).predict(Xb))
        """,
    },
    # a training method that carves its stopping rows from the rows it is handed: a validation part
    """
    import torch

    class Forecaster:
        def fit(self, rows, targets, epochs=50):
            cut = int(len(rows) * 0.9)
            head_x, head_y, tail_x, tail_y = rows[:cut], targets[:cut], rows[cut:], targets[cut:]
            best = float("inf")
            for epoch in range(epochs):
                self.opt.zero_grad()
                loss = self.loss(self.net(head_x), head_y)
                loss.backward()
                self.opt.step()
                with torch.no_grad():
                    held = self.loss(self.net(tail_x), tail_y).item()
                if held < best:
                    best = held
                    torch.save(self.net.state_dict(), "best.pt")
            return self
    """,
    # a boosting wrapper whose fit() stops on the last tenth of the rows it is handed
    """
    import lightgbm as lgb

    class DayAhead:
        def fit(self, X, y):
            cut = int(len(X) * 0.9)
            head_x, head_y = X.iloc[:cut], y.iloc[:cut]
            tail_x, tail_y = X.iloc[cut:], y.iloc[cut:]
            fit_set = lgb.Dataset(head_x, label=head_y)
            stop_set = lgb.Dataset(tail_x, label=tail_y, reference=fit_set)
            self.booster = lgb.train({"objective": "regression"}, fit_set, valid_sets=[stop_set],
                                     callbacks=[lgb.early_stopping(50)])
            return self
    """,
]
