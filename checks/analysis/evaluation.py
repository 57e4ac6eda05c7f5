"""Shared questions the evaluation rules (ML2xx) ask of a module.

Is the problem classification or regression, and does its target look imbalanced? Which metrics
are computed, of what kind, on which rows (train / test / validation)? And what evidence of careful
evaluation does the module hold: cross-validation, a baseline, threshold analysis, imbalance
handling, persisted metrics, feature importance, a global seed?

Built once per module (`evaluation(module)`) from the flow and module facts.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePath

from wicked_data.checks.analysis import vocab
from wicked_data.checks.analysis.values import GROUPINGS
from wicked_data.checks.analysis.evaluation_base import (
    READERS,
    ACCURACY_NAMES,
    ACCURACY_STRINGS,
    APPLY_METHODS,
    CLASSIFICATION_LOSSES,
    CLASSIFICATION_OBJECTIVES,
    DUMMY_CLASSES,
    FUNCTIONAL_LOSSES,
    METRIC_KWARGS,
    REGRESSION_LOSSES,
    REGRESSION_METRICS,
    REGRESSION_OBJECTIVES,
    REGRESSION_STRINGS,
    RICH_STRINGS,
    _dotted_name,
    _file_role,
    _mentions_rare_class,
    _metric_name,
    _strings,
)
from wicked_data.checks.analysis.evaluation_practice import PracticeFacts
from wicked_data.checks.analysis.flowtypes import LITERAL, CallSite, Val
from wicked_data.checks.analysis.module import Fit, ModuleAnalysis
from wicked_data.checks.analysis.syntax import syntax
from wicked_data.checks.analysis.names import last


@dataclass(eq=False)
class Evaluation:
    """One metric computed on data: `f1_score(y_test, pred)`, `model.score(X, y)`, `model.evaluate(...)`."""

    call: CallSite
    metric: str  # short name: 'accuracy_score', 'score', 'evaluate', ...
    kind: str  # 'accuracy' | 'rich' | 'regression' | 'other'
    roles: frozenset[str]  # rows it is computed on ('train', 'test', 'validation'); empty when unknown
    inputs: list[Val]  # the data given to it (a model receiver excluded)

    @property
    def line(self) -> int:
        return self.call.line

    @property
    def held_out(self) -> bool:
        return bool(self.roles & {"test", "validation"})

    @property
    def on_training_rows(self) -> bool:
        return self.roles == {"train"}


# Rows above which one hold-out's score, and each class's share in it, vary little between draws.
LARGE_SAMPLE = 100_000


class EvaluationFacts(PracticeFacts):
    def __init__(self, module: ModuleAnalysis) -> None:
        self.module = module
        self.flow = module.flow
        self._sources_memo: dict[int, set[int]] = {}

    # ------------------------------------------------------------------ estimators and tasks
    def estimator_classes(self, val: Val | None, depth: int = 6) -> frozenset[str]:
        """Short class names of an estimator, followed through helper functions that build it
        (`model = make_model()`) and parameters (`def train(model, X, y)`)."""
        while val is not None and depth > 0:
            if val.ctors:
                return frozenset(last(c) for c in val.ctors)
            call = val.call
            if call is not None and call.callee is not None and call.callee.returns:
                return frozenset().union(*(self.estimator_classes(r, depth - 1) for r in call.callee.returns))
            if call is None and len(val.parents) == 1:
                val = val.parents[0]
                depth -= 1
                continue
            return frozenset()
        return frozenset()

    def task_of_classes(self, classes: frozenset[str]) -> str | None:
        names = [c for c in classes if c not in DUMMY_CLASSES] or list(classes)
        if any(vocab.is_classifier(c) or c in CLASSIFICATION_LOSSES for c in names):
            return "classification"
        if any(vocab.is_regressor(c) or c in REGRESSION_LOSSES for c in names):
            return "regression"
        return None

    def fit_task(self, fit: Fit) -> str | None:
        """'classification' / 'regression' for one fit, else the module's task."""
        return self.own_task(fit) or self.task

    def model_task(self, model: Val | None) -> str | None:
        """The problem of the model `model` holds, from the fits of that model."""
        found = {self.own_task(f) for f in self.module.model_fits if f.estimator is not None and model is not None
                 and self.flow.derives_from(model, f.estimator, rows=False)} - {None}
        return found.pop() if len(found) == 1 else None

    @cached_property
    def task(self) -> str | None:
        """The module's problem: from its estimators, else its losses and objectives, else its metrics."""
        fits = {self.task_of_classes(self.estimator_classes(f.estimator)) for f in self.module.model_fits} - {None}
        if len(fits) == 1:
            return fits.pop()
        built = self.task_of_classes(frozenset(self.module.constructed))
        if built:
            return built
        objective = self._objective_task()
        if objective:
            return objective
        # metric names only: a `.score()` is classified by the task, not the other way round
        names = {_metric_name(c) for c in self.module.metric_calls}
        kinds = {k for k, _ in self.metric_strings}
        kinds |= {"accuracy"} if names & (ACCURACY_NAMES | vocab.RICH_METRICS) else set()
        kinds |= {"regression"} if names & REGRESSION_METRICS else set()
        if kinds & {"accuracy", "rich"}:
            return "classification"
        if "regression" in kinds:
            return "regression"
        return None

    def _objective_task(self) -> str | None:
        texts = [s.lower() for _, s in self._keyword_strings(("loss", "objective"))]
        for text in texts:
            task = _text_task(text)
            if task:
                return task
        return None

    @cached_property
    def tasks(self) -> set[str]:
        """Every kind of problem the module's models solve: a notebook may train a classifier and a
        regressor side by side."""
        out = {self.own_task(f) for f in self.module.model_fits}
        out |= {_text_task(s.lower()) for _, s in self._keyword_strings(("loss", "objective"))}
        return (out - {None}) or ({self.task} - {None})  # type: ignore[return-value]

    def own_task(self, fit: Fit) -> str | None:
        """The problem of one fit from its own estimator: its class, or the loss its network was
        compiled with (`net.compile(loss="mse")`)."""
        own = self.task_of_classes(self.estimator_classes(fit.estimator))
        if own or fit.estimator is None:
            return own
        for call in self.module.method_calls("compile"):
            if call.receiver is not None and self.flow.derives_from(fit.estimator, call.receiver, rows=False):
                for kw in call.node.keywords:
                    if kw.arg == "loss":
                        return next((t for t in map(_text_task, (s.lower() for s in _strings(kw.value))) if t), None)
        return None

    def split_task(self, split) -> str | None:
        """The problem of the models trained on a split's training part, when the fits say it."""
        outputs = [v for v, _ in split.outputs]
        found = {self.own_task(f) for f in self.module.model_fits if f.y is not None
                 and any(self.flow.derives_from(f.y, out, rows=False) for out in outputs)} - {None}
        return found.pop() if len(found) == 1 else None

    def _keyword_strings(self, keys: tuple[str, ...]) -> list[tuple[ast.AST, str]]:
        """String values given under one of `keys`, as a keyword argument or a dict entry."""
        out: list[tuple[ast.AST, str]] = []
        for call in self.module.calls:
            for kw in call.node.keywords:
                if kw.arg in keys:
                    out += [(call.node, s) for s in _strings(kw.value)]
        for entry in self.flow.dict_entries:
            if entry.key in keys:
                out += [(entry.node, s) for s in _strings(entry.node)]
        return out

    # ------------------------------------------------------------------ the target
    @cached_property
    def target_names(self) -> set[str]:
        """Target columns and the names of the label variables."""
        names = set(self.module.target_columns)
        labels: list[Val | None] = [f.y for f in self.module.model_fits]
        labels += [s.inputs[-1] for s in self.module.splits if s.kind == "function" and len(s.inputs) >= 2]
        labels += [c.kwargs.get("label") for c in self.module.calls if c.short in vocab.DATASET_CLASSES]
        labels += [c.arg(1, "target") for c in self.module.calls if self._is_loss_call(c)]
        for val in labels:
            for n, anc in enumerate(self.flow.ancestors(val)):
                if n > 12:
                    break
                if anc.name:
                    names.add(anc.name)
                if isinstance(anc.key, str):
                    names.add(anc.key)
        return names

    def _is_loss_call(self, call: CallSite) -> bool:
        """`criterion(output, target)` with a loss object, or `F.cross_entropy(output, target)`."""
        if call.short in FUNCTIONAL_LOSSES:
            return True
        if call.method is not None or not isinstance(call.node.func, ast.Name):
            return False
        bound = self.flow.bindings_by_name.get(call.node.func.id, [])
        return any(last(v.ctor).endswith("Loss") for v in bound if v.ctor)

    @cached_property
    def stated_balanced(self) -> bool:
        """The classes are known to be balanced: the user stated a positive rate of a third or more
        (`positive-rate` in `[tool.wicked-data]`), or the data is a balanced benchmark set read with
        its library's loader (`load_iris()`, `mnist.load_data()`) and nothing else is read."""
        rate = self.module.stated.get("positive-rate")
        if rate is not None:
            return min(rate, 1 - rate) >= 1 / 3
        counts = self._printed_counts
        if counts is not None:
            return min(counts) / max(counts) >= RARE_RATIO
        return bool(self.module.calls_named(*vocab.BALANCED_DATASETS)) and not any(
            c.is_(*READERS) for c in self.module.calls)

    @cached_property
    def imbalance(self) -> str | None:
        """Evidence that the class balance matters, or None: a rare positive rate stated in
        `[tool.wicked-data]`, or the counts of the target's classes a notebook printed
        (`value_counts`, `bincount`, `Counter` with their saved output). A name is not evidence
        (see `rare_class_name`); an inspection without its output is `balance_inspected`."""
        rate = self.module.stated.get("positive-rate")
        if rate is not None:
            return None if self.stated_balanced else f"the stated positive rate ({rate:.0%})"
        if self.stated_balanced:
            return None  # a balanced benchmark set: inspecting its balance shows it balanced
        counts = self._printed_counts
        if counts is not None and min(counts) / max(counts) < RARE_RATIO:
            classes = f"{len(counts)} classes, " if len(counts) > 2 else ""
            return f"the class counts the notebook printed ({classes}the smallest {min(counts) / sum(counts):.1%} of the rows)"
        return None

    @property
    def minority_share(self) -> float | None:
        """The smallest class's share of the rows, where the code (printed counts) or the user
        (`positive-rate`) says it; None when unknown."""
        rate = self.module.stated.get("positive-rate")
        if rate is not None:
            return min(rate, 1 - rate)
        counts = self._printed_counts
        return min(counts) / sum(counts) if counts else None

    @property
    def severe_imbalance(self) -> bool:
        """The smallest class is under a fifth of the rows (MODERATE_SHARE): a plain fit or accuracy
        then misjudges the model badly. Between a fifth and RARE_RATIO the imbalance is moderate:
        worth handling, not a wrong model (a P2)."""
        share = self.minority_share
        return share is not None and share < MODERATE_SHARE

    @property
    def rare_phrase(self) -> str:
        """How the evidence describes the label: printed counts do not say which class is the
        positive one ('a rare class', or 'a minority class' for a moderate imbalance); a stated
        positive rate or a name speaks of the positive class."""
        if self.module.stated.get("positive-rate") is None and self._printed_counts is not None:
            return "a rare class" if self.severe_imbalance else "a minority class"
        return "a rare positive class"

    @cached_property
    def _printed_sizes(self) -> dict[int, int]:
        """id of a frame -> the number of rows a notebook printed for it: `df.shape` (a cell's only
        shape), `len(df)` as a cell's result, `df.info()` ("RangeIndex: 1296675 entries")."""
        source = self.module.source
        if not source.is_notebook:
            return {}
        by_cell: dict[int, list[tuple[str, Val]]] = {}
        for node in syntax(self.module).nodes:
            kind, val = None, None
            if isinstance(node, ast.Attribute) and node.attr == "shape" and isinstance(node.ctx, ast.Load):
                kind, val = "shape", self.flow.val_at(node.value)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len" and node.args:
                kind, val = "len", self.flow.val_at(node.args[0])
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "info":
                kind, val = "info", self.flow.val_at(node.func.value)
            if val is not None and val.shape == "frame":
                cell = source.cell_of(node.lineno)
                if cell is not None:
                    by_cell.setdefault(cell[0], []).append((kind, val))
        out: dict[int, int] = {}
        for cell, found in by_cell.items():
            if len(found) != 1:
                continue  # several sizes printed in one cell: which number is whose is not known
            kind, val = found[0]
            text = source.outputs.get(cell) or ""
            match = (re.search(r"\((\d+),\s*\d+\)", text) if kind == "shape" else
                     re.search(r"(?:Range|Int64)Index:\s*(\d+) entries", text) if kind == "info" else
                     re.fullmatch(r"\s*(\d+)\s*", text))
            if match:
                out[id(val)] = max(out.get(id(val), 0), int(match.group(1)))
        return out

    def reported_support(self, split) -> list[int] | None:
        """The held-out rows per class a notebook's saved `classification_report` shows for a
        split's held-out part (its `support` column): the test set's real composition."""
        source = self.module.source
        if not source.is_notebook:
            return None
        held = [v for v, role in split.outputs if role in ("test", "validation")]
        for call in self.module.calls_named("sklearn.metrics.classification_report"):
            truth = call.arg(0, "y_true")
            if truth is None or not any(self.flow.derives_from(truth, h) for h in held):
                continue
            text = source.output_at(call.line) or ""
            rows = re.findall(r"^\s*(\S+)\s+\d\.\d+\s+\d\.\d+\s+\d\.\d+\s+(\d+)\s*$", text, re.M)
            support = [int(n) for label, n in rows if label not in ("avg", "accuracy")]
            if len(support) >= 2:
                return support
        return None

    def printed_rows(self, val: Val | None) -> int | None:
        """The rows a notebook printed for `val` or the frame it was taken from (the largest)."""
        sizes = self._printed_sizes
        if not sizes or val is None:
            return None
        found = [sizes[id(a)] for a in self.flow.ancestors(val, rows=True) if id(a) in sizes]
        return max(found) if found else None

    @cached_property
    def _balance_inspections(self) -> list:
        """The calls that count the target's classes over the data's rows: not counts per group
        (`df.groupby(g)[target].value_counts()`, a rate per segment), nor counts of rows a resampler
        made (`y_res` after `fit_resample`: the balance the resampler chose, not the data's)."""
        out = []
        for call in self.module.calls:
            if call.method in ("value_counts", "bincount") or call.short in ("bincount", "Counter"):
                data = call.receiver if call.method else call.arg(0)
                if data is not None and ((data.name or "") in self.target_names
                                         or self.module.column_of(data) in self.target_names) \
                        and not _grouped(call.node) and not self._resampled(data):
                    out.append(call)
        return out

    @cached_property
    def _resampling_calls(self) -> set[int]:
        """The calls whose output is resampled rows: the module's resampler fits (`fit_resample`,
        an imblearn sampler's fit) and scikit-learn's `resample` function, resolved by import."""
        calls = {id(f.call) for f in self.module.fits if f.kind == "resampler"}
        return calls | {id(c) for c in self.module.calls_named("sklearn.utils.resample")}

    def _resampled(self, data: Val) -> bool:
        resampling = self._resampling_calls
        if not resampling:
            return False
        for n, anc in enumerate(self.flow.ancestors(data, rows=True)):
            if n > 200:
                return False
            if anc.call is not None and id(anc.call) in resampling:
                return True
        return False

    @cached_property
    def printed_counts(self) -> list[float] | None:
        """The class counts a notebook printed for the rows learned from (see `_printed_counts`)."""
        return self._printed_counts

    @cached_property
    def _printed_counts(self) -> list[float] | None:
        """The counts of the target's classes a notebook cell printed (saved with the notebook): the
        last print before the first model is fitted (else the last one), which shows the rows as
        they were learned from. An earlier print can show a class the code drops afterwards
        (`df = df[df.status != "unk"]`, then the counts again)."""
        printed = [(call.line, counts) for call in self._balance_inspections
                   if (counts := class_counts(self.module.source.output_at(call.line) or "")) and max(counts) > 0]
        if not printed:
            return None
        printed.sort(key=lambda entry: entry[0])
        first_fit = min((fit.line for fit in self.module.model_fits), default=None)
        before = [counts for line, counts in printed if first_fit is None or line < first_fit]
        return before[-1] if before else printed[-1][1]

    @property
    def balance_inspected(self) -> bool:
        """The code looks at the target's class balance, but what it saw is not saved."""
        return bool(self._balance_inspections) and self._printed_counts is None

    @cached_property
    def rare_class_name(self) -> str | None:
        """Name evidence only, for low-confidence findings: a target, data file, file or scored rows
        named like a rare-class problem (churn, fraud, default...). Never a fact by itself."""
        if self.module.stated.get("positive-rate") is not None or self.stated_balanced:
            return None  # the balance is known: a name adds nothing
        for name in sorted(self.target_names):
            if _mentions_rare_class(name):
                return f"the target '{name}'"
        for call in self.module.calls:
            if call.is_(*READERS) or (call.spelled == "open" and "rb" in _strings(call.arg_node(1, "mode"))):
                path = call.arg_node(0)
                if isinstance(path, ast.Constant) and isinstance(path.value, str) and _mentions_rare_class(
                        PurePath(path.value).stem):
                    return f"the file '{path.value}'"
        stem = PurePath(self.module.source.rel).stem
        if _mentions_rare_class(stem):
            return f"the file name '{self.module.source.rel}'"
        if not self.target_names:
            return self._scored_rows_name()
        return None

    @cached_property
    def class_balance(self) -> tuple[str, str] | None:
        """(why the class balance matters, 'code' | 'inspected' | 'name'), strongest evidence first;
        None when unknown. 'inspected': the code counts the target's classes, but the counts are not
        saved (a script): the author's concern, not a fact about the data."""
        if self.imbalance:
            return self.imbalance, "code"
        if self.balance_inspected and not self.stated_balanced:
            return "the class balance the code inspects", "inspected"
        if self.rare_class_name:
            return self.rare_class_name, "name"
        return None

    def _scored_rows_name(self) -> str | None:
        """Serving code has no label: the names of the rows it scores (`lead_ids`, `churn_request`)
        stand in for the target."""
        for call in self.module.predictions:
            for val in [*call.args, *call.kwargs.values()]:
                for n, anc in enumerate(self.flow.ancestors(val, rows=True)):
                    if n > 40:
                        break
                    # in variable names, "default" is the programming word (`DEFAULTS`), not a loan default
                    if anc.name and _mentions_rare_class(re.sub(r"(?i)defaults?", "", anc.name)):
                        return f"the scored rows ('{anc.name}')"
        return None

    # ------------------------------------------------------------------ rows
    @cached_property
    def _output_roles(self) -> dict[int, str]:
        return {id(val): role for split in self.module.splits for val, role in split.outputs}

    def row_roles(self, val: Val | None, limit: int = 300) -> frozenset[str]:
        """The parts of a split ('train', 'test', 'validation') whose rows `val` holds: from the split
        outputs it derives from, else from the files it was read from (`pd.read_csv("test.csv")`;
        a variable's name is not read).
        A fitted model's rows are not the rows of what it is applied to, so receivers of
        `predict`/`transform`/`score` are not followed."""
        found: set[str] = set()
        seen: set[int] = set()
        stack = [val]
        while stack and len(seen) < limit:
            cur = stack.pop()
            if cur is None or id(cur) in seen:
                continue
            seen.add(id(cur))
            role = self._output_roles.get(id(cur))
            if role is None and not cur.roles:
                role = _file_role(cur)
            if role is not None:
                found.add(role)
                continue
            call = cur.call
            if call is not None and call.method in APPLY_METHODS:
                stack += [*call.args, *call.kwargs.values()]
            else:
                stack += [*cur.parents, *cur.index]
        if stack and val is not None:
            self.module.limit_reached(val.node, f"which split part's rows a value holds (over {limit} values)")
        return frozenset(found)

    # ------------------------------------------------------------------ metrics
    @cached_property
    def evaluations(self) -> list[Evaluation]:
        out = []
        calls = [*self.module.metric_calls, *self.module.method_calls("evaluate")]
        # a hand-written metric (`def f(model, loader)` counting equal labels, summing absolute errors)
        calls += [c for c in self.module.calls if c.callee is not None and self.module.hand_metric(c.callee.node)]
        inline = self._inline_accuracy
        calls += inline
        by_hand = {id(c) for c in inline}
        for call in sorted(calls, key=lambda c: (c.line, c.node.col_offset)):
            if id(call) in by_hand:
                inputs = [v for v in self._compared(call) if v is not None]
                roles = frozenset().union(*(self.row_roles(v) for v in inputs)) if inputs else frozenset()
                out.append(Evaluation(call, "accuracy", "accuracy", roles, inputs))
                continue
            metric = _metric_name(call)
            if metric in ("make_scorer", "get_scorer", "check_scoring"):
                continue
            if call.method in ("score", "evaluate"):
                inputs = [v for v in [*call.args, call.kwargs.get("X"), call.kwargs.get("x"), call.kwargs.get("y")]
                          if v is not None]
            else:
                inputs = [v for k, v in [*enumerate(call.args), *call.kwargs.items()]
                          if v is not None and (isinstance(k, int) or k.startswith("y") or k in ("probas_pred", "preds", "target"))]
            if not inputs and metric not in ACCURACY_NAMES | vocab.RICH_METRICS:
                continue
            roles = frozenset().union(*(self.row_roles(v) for v in inputs)) if inputs else frozenset()
            out.append(Evaluation(call, metric, self._metric_kind(call, metric), roles, inputs))
        return out

    @cached_property
    def _inline_accuracy(self) -> list[CallSite]:
        """Accuracy written in place: the share of a model's outputs equal to the labels,
        `(predicted == y_test).float().mean()`, `np.mean(pred == y)`, `(pred == y).sum() / len(y)`."""
        out = []
        for call in self.module.calls:
            kind = call.method or call.short
            if kind not in ("mean", "sum", "count_nonzero"):
                continue
            compared = self._compared(call)  # (syntax first: most reductions compare nothing)
            if len(compared) != 2 or None in compared:
                continue
            if kind != "mean" and not any(isinstance(a, ast.BinOp) and isinstance(a.op, ast.Div)
                                         and any(n is call.node for n in ast.walk(a.left))
                                         for a in syntax(self.module).ancestors(call.node)):
                continue  # a count of matches, unless divided into a share
            if sum(self.from_model(v) for v in compared) == 1:
                out.append(call)
        return out

    def _compared(self, call: CallSite) -> list[Val | None]:
        """The two sides of the `==` a reducing call counts (`(a == b).float().mean()`), or []."""
        node = call.node.func.value if isinstance(call.node.func, ast.Attribute) and call.method is not None else (
            call.node.args[0] if call.node.args else None)
        for _ in range(4):  # through `.float()`, `.astype(int)`, `.double()`
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                    "float", "double", "astype", "type", "int", "to"):
                node = node.func.value
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq) \
                and not any(isinstance(side, ast.Constant) for side in (node.left, node.comparators[0])):
            return [self.flow.val_at(node.left), self.flow.val_at(node.comparators[0])]
        return []

    def _metric_kind(self, call: CallSite, metric: str) -> str:
        hand = self.module.hand_metric(call.callee.node) if call.callee is not None else None
        if hand:
            return hand
        if metric in ACCURACY_NAMES:
            return "accuracy"
        if metric in vocab.RICH_METRICS:
            return "rich"
        if metric in REGRESSION_METRICS:
            return "regression"
        if metric == "score" and call.receiver is not None:
            task = self.task_of_classes(self.estimator_classes(call.receiver))
            if task == "classification" or (task is None and self.task == "classification"):
                return "accuracy"
            if task == "regression" or self.task == "regression":
                return "regression"
        return "other"

    def fitted_rows(self, ev: Evaluation) -> Fit | None:
        """The model fit whose training rows this evaluation is computed on, if any: a split's train
        part, or (with no split) the very data given to `fit`."""
        if ev.roles - {"train"}:
            return None
        # a statistic between two columns (`mutual_info_score(df.x, df.y)`) judges no model: a
        # metric function must be given a model's output; `.score`/`.evaluate` and the module's own
        # metric helpers are handed the model itself
        if ev.call.method is None and ev.call.callee is None and not any(self.from_model(v) for v in ev.inputs):
            return None
        fits = [f for f in self.module.model_fits if f.X is not None
                and not self.estimator_classes(f.estimator) & DUMMY_CLASSES]
        # (rows, is what a model was applied to): predictions must come from the fitted features,
        # the truth from the fitted features or labels
        data = []
        for v in ev.inputs:
            applied = self._applied_data(v)
            data += [(self._sources(d), applied != [v]) for d in applied]
        models = self.models_scored(ev.call, ev.inputs)
        for fit in fits:
            if models and not any(self.is_model_of(m, fit) for m in models):
                continue  # another estimator's predictions (a calibrator fitted later on other rows)
            if self._other_parts(fit.X, ev.inputs):
                continue  # different outputs of a function we cannot see (`tr_X, te_X, ... = split_helper(df)`)
            features = self._sources(fit.X)
            fitted = features | self._sources(fit.y)
            if ev.roles == {"train"} and self.row_roles(fit.X) == {"train"}:
                return fit
            if data and all(d and d <= (features if applied else fitted) for d, applied in data):
                return fit
        return None

    def _unpacked(self, val: Val | None) -> dict[int, int]:
        """For each call of a function this module cannot see (another file's) whose result was
        unpacked into several names on the way to `val`: id(call value) -> id(the name's part)."""
        out: dict[int, int] = {}
        for anc in self.flow.ancestors(val):
            parent = anc.parents[0] if len(anc.parents) == 1 else None
            if isinstance(anc.node, ast.Name) and parent is not None and parent.call is not None \
                    and parent.call.callee is None and isinstance(syntax(self.module).parent.get(id(anc.node)), (ast.Tuple, ast.List)):
                out.setdefault(id(parent), id(anc))
        return out

    def _other_parts(self, X: Val | None, inputs: list[Val]) -> bool:
        """The rows the model is applied to for this score and the rows it was fitted on are
        different parts of one unpacked call (the features of each part; the labels are another
        part of the same rows and say nothing)."""
        fitted = self._unpacked(X)
        if not fitted:
            return False
        for v in inputs:
            applied = self._applied_data(v)
            if applied == [v]:
                continue  # not a model's output: the truth
            for d in applied:
                scored = self._unpacked(d)
                if any(key in fitted and fitted[key] != part for key, part in scored.items()):
                    return True
        return False

    def models_scored(self, call: CallSite, inputs: list[Val]) -> list[Val]:
        """The models whose predictions a metric scores (the receiver of `.score`/`.evaluate`, or
        of the `predict`/`transform` calls its inputs come from); empty when unknown."""
        if call.method in ("score", "evaluate") and call.receiver is not None:
            return [call.receiver]
        out = []
        for v in inputs:
            for anc in self.flow.ancestors(v):
                call = anc.call
                if call is not None and call.method in APPLY_METHODS and call.receiver is not None:
                    out.append(call.receiver)
                    break
        return out

    def is_model_of(self, model: Val, fit: Fit) -> bool:
        """Is `model` the estimator of `fit` (the same object, what `fit` returned, or derived from
        either: `search.best_estimator_`, `pipe[-1]`)?"""
        targets = {id(v) for v in (fit.estimator, fit.call.val) if v is not None}
        return not targets or any(id(a) in targets for a in self.flow.ancestors(model))

    def _sources(self, val: Val | None) -> set[int]:
        """The data a value's rows come from; a helper's parameter is only a name for its argument.
        Memoised: every evaluation asks it of every fit's data."""
        key = id(val)
        found = self._sources_memo.get(key)
        if found is None:
            found = self._sources_memo[key] = {id(a) for a in self.flow.ancestors(val, rows=True)
                                               if not a.flags & LITERAL and not isinstance(a.node, ast.arg)}
        return found

    def _applied_data(self, val: Val) -> list[Val]:
        """What a model was applied to, for a prediction (`model.predict(X)[:, 1]` -> X); else the value."""
        for anc in self.flow.ancestors(val):
            if anc.call is not None and anc.call.method in APPLY_METHODS:
                return [a for a in anc.call.args if a is not None]
        return [val]

    @cached_property
    def metric_strings(self) -> list[tuple[str, ast.AST]]:
        """Metrics named by string: `scoring='f1'`, `metrics=['accuracy']`, `eval_metric='auc'`,
        `{'metric': 'binary_logloss'}`, as ('accuracy' | 'rich' | 'regression', node)."""
        out = []
        for node, text in self._keyword_strings(METRIC_KWARGS):
            low = text.lower()
            if low in ACCURACY_STRINGS:
                out.append(("accuracy", node))
            elif low in RICH_STRINGS or any(low.startswith(p) for p in ("f1", "precision", "recall", "roc_auc", "auc")):
                out.append(("rich", node))
            elif low in REGRESSION_STRINGS:
                out.append(("regression", node))
        return out

    @cached_property
    def scorers(self) -> list[str]:
        """Metric functions wrapped by `make_scorer(f1_score)`."""
        return [last(_dotted_name(c.arg_node(0))) for c in self.module.calls if c.short == "make_scorer"]

    @cached_property
    def rich_metrics(self) -> list[ast.AST]:
        """Evidence that a classifier is judged beyond accuracy."""
        out = [e.call.node for e in self.evaluations if e.kind == "rich"]
        out += [node for kind, node in self.metric_strings if kind == "rich"]
        out += [c.node for c in self.module.calls if c.short in vocab.RICH_METRICS and c.method is None]
        out += self._metric_objects()
        out += self._referenced_strings({"areaunderroc"})  # Spark's binary evaluator by default
        if any(s in vocab.RICH_METRICS for s in self.scorers):
            out.append(self.module.tree)
        return out

    def _metric_objects(self) -> list[ast.AST]:
        """Metric objects in a `metrics=[...]` list (`keras.metrics.Precision()`, a third-party
        `precision()`): what they compute is their class or function name, whatever module holds it."""
        out: list[ast.AST] = []
        for call in self.module.calls:
            listed = call.kwarg_node("metrics")
            if not isinstance(listed, (ast.List, ast.Tuple)):
                continue
            for item in listed.elts:
                func = item.func if isinstance(item, ast.Call) else item
                name = last(_dotted_name(func)).lower().replace("_", "")
                if name in _RICH_OBJECTS:
                    out.append(item)
        return out

    @cached_property
    def accuracy_metrics(self) -> list[tuple[ast.AST, Evaluation | None]]:
        """Places where a classifier is judged by accuracy: metric calls and named metrics."""
        out: list[tuple[ast.AST, Evaluation | None]] = [(e.call.node, e) for e in self.evaluations if e.kind == "accuracy"]
        if self.module.model_fits or self.module.gradient_steps or self.evaluations:
            # (`compile(metrics=["accuracy"])` in a builder nothing trains or scores judges no model)
            out += [(node, None) for kind, node in self.metric_strings if kind == "accuracy"]
        return sorted(out, key=lambda t: getattr(t[0], "lineno", 0))


# Metric classes and functions (lower case, no underscores) that judge a classifier beyond accuracy.
_RICH_OBJECTS = {"precision", "recall", "auc", "f1score", "fbetascore", "aucroc", "auroc", "precisionatrecall",
                 "recallatprecision", "binaryprecision", "binaryrecall", "binaryf1score", "truepositives",
                 "falsepositives", "falsenegatives", "averageprecision", "prauc"}


def evaluation(module: ModuleAnalysis) -> EvaluationFacts:
    """The evaluation facts of a module, computed once."""
    return module.shared(EvaluationFacts)


def _grouped(node: ast.AST) -> bool:
    """A count taken per group: a grouping call (`groupby`, `pivot_table`, `crosstab`...) in the
    expression the counting call is made on."""
    while isinstance(node, (ast.Call, ast.Attribute, ast.Subscript)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in GROUPINGS:
                return True
            node = func.value if isinstance(func, ast.Attribute) else func
        else:
            node = node.value
    return False


# The smallest class under this fraction of the largest (30/70 for two classes) makes accuracy
# misleading and a plain fit favour the larger classes.
RARE_RATIO = 3 / 7
# A smallest class of a fifth of the rows or more (20/80) is a moderate imbalance: P2, not P1.
MODERATE_SHARE = 0.2


def class_counts(text: str) -> list[float] | None:
    """The per-class counts (or shares) in a printed `value_counts()` Series, `Counter({...})` or
    `array([...])`; None when the text holds no such counts."""
    counter = re.search(r"Counter\(\{([^}]*)\}\)", text)
    if counter:
        values = [float(v) for v in re.findall(r":\s*(\d+(?:\.\d+)?)", counter.group(1))]
        return values if len(values) >= 2 and sum(values) > 0 else None
    array = re.search(r"array\(\[([\d\s,.]+)\]", text)
    if array:
        values = [float(v) for v in re.findall(r"\d+(?:\.\d+)?", array.group(1))]
        return values if len(values) >= 2 and sum(values) > 0 else None
    # A cell can print several Series (a correlation with the label, then its counts): each one
    # ends in a `Name: ..., dtype: ...` footer. Counts are integers; shares (`normalize=True`) are
    # non-negative and sum to 1; anything else (correlations, means) is not a class balance.
    blocks = _series_blocks(text)
    if blocks:
        for lines, dtype in blocks:
            values = _series_values(lines)
            if values and (dtype.startswith(("int", "uint")) or
                           (min(values) >= 0 and abs(sum(values) - 1) < 0.02)):
                return values
        return None
    return _series_values(text.splitlines())


_FOOTER = re.compile(r"^Name: .*, dtype: (\w+)\s*$")


def _series_blocks(text: str) -> list[tuple[list[str], str]]:
    """The printed pandas Series of `text`, each as (its lines, its dtype), in order."""
    blocks, lines = [], []
    for line in text.splitlines():
        footer = _FOOTER.match(line)
        if footer:
            blocks.append((lines, footer.group(1)))
            lines = []
        else:
            lines.append(line)
    return blocks


def _series_values(lines: list[str]) -> list[float] | None:
    """The numbers of the last run of `label   number` lines (a Series body)."""
    runs: list[list[float]] = [[]]
    for line in lines:
        match = re.match(r"^\s*\S.*?\s{2,}(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$", line)
        if match is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(float(match.group(1)))
    values = next((run for run in runs if len(run) >= 2), None)
    return values if values and sum(values) > 0 and min(values) >= 0 else None


def _text_task(text: str) -> str | None:
    """'regression' / 'classification' from a loss or objective name."""
    if text.startswith(REGRESSION_OBJECTIVES) or text in REGRESSION_STRINGS:
        return "regression"
    if any(t in text for t in CLASSIFICATION_OBJECTIVES):
        return "classification"
    return None
