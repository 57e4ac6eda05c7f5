"""`ModuleAnalysis`: everything rules ask about one module, computed once and shared.

Built from the flow facts (`flow.py`): the fits (what each `fit`/`fit_transform`/`fit_resample` was
fitted on, and what kind of object was fitted), the predictions, the metrics, which values are the
feature matrix and the target, and the role the file plays.
"""
from __future__ import annotations

import ast
from pathlib import PurePosixPath
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, TypeVar

from wicked_data.checks.analysis import vocab
from wicked_data.checks.analysis.libraries.statsmodels import LABEL_COLUMNS
from wicked_data.checks.analysis.flow import FlowAnalysis
from wicked_data.checks.analysis.flowtypes import CallSite, Split, Val, str_list
from wicked_data.checks.analysis.names import Imports, candidates, last
from wicked_data.checks.analysis.source import SourceFile

T = TypeVar("T")
TRANSFORMER_NAME_HINTS = ("scaler", "encoder", "imputer", "vectorizer", "vectoriser", "pca", "selector",
                          "transformer", "tfidf", "normalizer", "preprocessor", "svd", "binarizer")
WRAPPERS = {"GridSearchCV", "RandomizedSearchCV", "HalvingGridSearchCV", "HalvingRandomSearchCV",
            "CalibratedClassifierCV", "BayesSearchCV", "TunedThresholdClassifierCV", "OneVsRestClassifier",
            "MultiOutputClassifier", "BaggingClassifier"}
COMPOSITES = {"ColumnTransformer", "make_column_transformer", "FeatureUnion", "make_union"}


def _cut(line: str, start: int, end: int | None) -> str:
    """Slice a line by UTF-8 byte offsets, as the syntax tree gives them."""
    data = line.encode("utf-8")
    return data[start:end].decode("utf-8", errors="replace")


@dataclass(eq=False)
class Fit:
    call: CallSite
    estimator: Val | None
    X: Val | None
    y: Val | None
    kind: str  # 'transformer' | 'stateless' | 'resampler' | 'model' | 'pipeline'
    confidence: str  # how sure we are of `kind`

    @property
    def line(self) -> int:
        return self.call.line

    @property
    def classes(self) -> frozenset[str]:
        return self.estimator.ctors if self.estimator is not None else frozenset()

    @property
    def ctor(self) -> str | None:
        return self.estimator.ctor if self.estimator is not None else None


class ModuleAnalysis:
    def __init__(self, source: SourceFile, tree: ast.Module, stated: dict | None = None) -> None:
        self.source = source
        # facts the user stated in `[tool.wicked-data]` (`positive-rate`, `time-column`): evidence
        # the code cannot hold
        self.stated: dict = dict(stated or {})
        self.tree = tree
        self.lines = source.text.splitlines()
        self.imports = Imports()
        self.flow = FlowAnalysis(tree, self.imports)
        self._shared: dict = {}
        # (line, note) for each query that stopped at a size limit: what it did not see is reported
        # as a blind spot, never taken for "safe"
        self.limits_reached: list[tuple[int, str]] = []
        if self.flow.deep_calls:
            self.limit_reached(self.flow.deep_calls[0], f"{len(self.flow.deep_calls)} call(s) at the end of a chain of "
                                                        "more than 40 nested helpers")

    def limit_reached(self, node_or_line, what: str) -> None:
        line = node_or_line if isinstance(node_or_line, int) else getattr(node_or_line, "lineno", 1)
        self.limits_reached.append((line, f"analysis limit reached: {what}; the rest was not followed"))

    def release(self) -> None:
        """Break the reference cycles of the analysis (a call and its value, a function and the
        values it binds and returns, the shared facts and this module) once the file is done, so
        that its objects, the syntax tree with them, are freed as the last reference goes instead of
        waiting for the cyclic collector to scan them all. What is missed is still collected."""
        flow = self.flow
        for call in flow.calls:
            val = call.val
            if val is not None:
                val.call = val.origin = None
            call.val = call.receiver = call.callee = None
        for val in flow.own_origins:
            val.origin = None
        for fn in [*flow.functions.values(), *flow.nested]:
            for val in (*fn.params.values(), *fn.returns):
                val.fn = val.parents = None
            fn.params, fn.returns, fn.returned_tuples = {}, [], []
        flow.__dict__.clear()
        self.__dict__.clear()

    def shared(self, factory: Callable[["ModuleAnalysis"], T]) -> T:
        """`factory(self)`, computed once per module: facts that several rules ask for."""
        if factory not in self._shared:
            self._shared[factory] = factory(self)
        return self._shared[factory]

    # ------------------------------------------------------------------ source text
    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def text(self, node: ast.AST) -> str:
        """The source text of a node, cut from the module's lines (not re-split on every call)."""
        start, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
        col, end_col = getattr(node, "col_offset", None), getattr(node, "end_col_offset", None)
        if start is None or end is None or col is None or end_col is None or end > len(self.lines):
            return self.line_text(start or 0)
        if start == end:
            return _cut(self.lines[start - 1], col, end_col)
        first = _cut(self.lines[start - 1], col, None)
        last_line = _cut(self.lines[end - 1], 0, end_col)
        return "\n".join([first, *self.lines[start:end - 1], last_line])

    # ------------------------------------------------------------------ calls
    @property
    def calls(self) -> list[CallSite]:
        return self.flow.calls

    @property
    def splits(self) -> list[Split]:
        return self.flow.splits

    @cached_property
    def _calls_by_short(self) -> dict[str, list[CallSite]]:
        """Function calls (not methods on a value) by their name's last component, in source order."""
        out: dict[str, list[CallSite]] = {}
        for call in self.calls:
            if call.method is None:
                out.setdefault(call.short, []).append(call)
        return out

    @cached_property
    def _calls_by_method(self) -> dict[str, list[CallSite]]:
        out: dict[str, list[CallSite]] = {}
        for call in self.calls:
            if call.method is not None:
                out.setdefault(call.method, []).append(call)
        return out

    def _indexed(self, index: dict[str, list[CallSite]], keys) -> list[CallSite]:
        found: list[CallSite] = []
        lists = [index[k] for k in set(keys) if k in index]
        if len(lists) == 1:
            return list(lists[0])
        for calls in lists:
            found.extend(calls)
        order = self._call_order
        found.sort(key=lambda c: order[id(c)])
        return found

    @cached_property
    def _call_order(self) -> dict[int, int]:
        return {id(c): i for i, c in enumerate(self.calls)}

    def calls_named(self, *candidates: str) -> list[CallSite]:
        """The calls that denote one of `candidates` (`CallSite.is_`), in source order, looked up
        by last name rather than by testing every call."""
        return [c for c in self._indexed(self._calls_by_short, (last(n) for n in candidates)) if c.is_(*candidates)]

    def calls_short(self, *names: str) -> list[CallSite]:
        """Calls whose function (not method on a value) ends with one of `names`."""
        return self._indexed(self._calls_by_short, names)

    def method_calls(self, *methods: str) -> list[CallSite]:
        return self._indexed(self._calls_by_method, methods)

    # ------------------------------------------------------------------ fits and models
    @cached_property
    def fits(self) -> list[Fit]:
        fits = []
        for call in self.calls:
            if call.method in vocab.FIT_METHODS:
                fits.append(self._fit_of(call))
            elif call.method in vocab.LEARN_METHODS and call.receiver is not None and call.args:
                fits.append(Fit(call, call.receiver, call.arg(0), None, "transformer", "high"))
            elif call.is_(*vocab.NATIVE_TRAIN_FUNCS):
                fits.append(Fit(call, None, call.arg(1, "dtrain") or call.arg(1, "train_set"), None, "model", "high"))
        return fits

    def _fit_of(self, call: CallSite) -> Fit:
        est = call.receiver
        X = call.arg(0, "X")
        y = call.arg(1, "y")
        built = est.call if est is not None else None
        if X is None and built is not None and built.short in vocab.DATA_IN_CONSTRUCTOR:
            # statsmodels: `sm.OLS(y, X).fit()`, `smf.logit("y ~ x", data=df).fit()`: the rows are the model's
            X = built.arg(1, "exog") or built.kwargs.get("data")
            y = built.arg(0, "endog") if built.kwargs.get("data") is None else None
        kind, confidence = self.kind_of(est, call.method or "")
        return Fit(call, est, X, y, kind, confidence)

    def kind_of(self, est: Val | None, method: str = "") -> tuple[str, str]:
        ctor = est.ctor if est is not None else None
        short = last(ctor)
        ctors = est.ctors if est is not None else frozenset()
        if method == "fit_resample" or vocab.is_resampler(ctor):
            return "resampler", "high"
        if short in WRAPPERS:
            return "pipeline" if any(vocab.is_transformer(c) for c in ctors) else "model", "high"
        if short in vocab.PIPELINE_NAMES:
            nested_models = [c for c in ctors if vocab.is_estimator(c)]
            return ("pipeline" if nested_models else "transformer"), "high"
        if short in COMPOSITES:
            if est is not None and _selects_columns_only(est.node):
                return "stateless", "high"  # `ColumnTransformer([("keep", "passthrough", cols)])`: picks columns
            return "transformer", "high"
        if short in vocab.STATELESS_TRANSFORMERS:
            return "stateless", "high"  # learns nothing from the rows (PolynomialFeatures, FunctionTransformer)
        if ctor and vocab.is_transformer(ctor):
            return "transformer", "high"
        if ctor and vocab.is_estimator(ctor):
            return "model", "high"
        name = (est.name or "").lower() if est is not None else ""
        if method == "fit_transform":
            return "transformer", "medium"
        if any(h in name for h in TRANSFORMER_NAME_HINTS):
            return "transformer", "low"  # only the variable's name says so
        if ctor and short[:1].isupper():
            return "model", "medium"
        return "model", "low"

    @cached_property
    def model_fits(self) -> list[Fit]:
        return [f for f in self.fits if f.kind in ("model", "pipeline")]

    @cached_property
    def gradient_steps(self) -> bool:
        """A hand-written training loop: gradients computed (`loss.backward()`) and applied by an
        optimiser (`optimizer.step()`), as PyTorch training code does."""
        methods = {c.method for c in self.calls}
        return "backward" in methods and "step" in methods

    @cached_property
    def tuner_searches(self) -> list[CallSite]:
        """`tuner.search(...)` on a hyperparameter tuner this module builds (keras-tuner and the like)."""
        return [c for c in self.method_calls("search")
                if c.receiver is not None and c.receiver.call is not None and c.receiver.call.is_(*vocab.TUNERS)]

    @cached_property
    def predictions(self) -> list[CallSite]:
        return [c for c in self.calls if c.method in vocab.PREDICT_METHODS]

    def is_classifier_fit(self, fit: Fit) -> bool | None:
        """True for a classifier, False for a regressor, None when unknown."""
        for name in sorted(fit.classes or ({fit.ctor} if fit.ctor else set())):  # a set's order varies
            if vocab.is_classifier(name):
                return True
            if vocab.is_regressor(name):
                return False
        return None

    @cached_property
    def classifiers(self) -> list[Fit]:
        return [f for f in self.model_fits if self.is_classifier_fit(f)]

    @cached_property
    def constructed(self) -> set[str]:
        """Short names of every class constructed in the module (pipeline steps included)."""
        return {c.short for c in self.calls if c.val is not None and c.val.ctor}

    @cached_property
    def cv_calls(self) -> list[CallSite]:
        """`cross_val_score(estimator, X, y, ...)` and its siblings."""
        return [c for c in self.calls if c.method is None and c.short in vocab.CV_EVAL_FUNCS]

    # ------------------------------------------------------------------ metrics
    @cached_property
    def metric_calls(self) -> list[CallSite]:
        out = []
        for call in self.calls:
            name = call.name or ""
            if call.method is None and call.callee is None and not _distance(name) and not _of_metric(name) and (
                    name.startswith(vocab.METRIC_MODULES) or last(name).endswith(("_score", "_error", "_loss"))
                    or last(name) in vocab.RICH_METRICS):
                out.append(call)
            elif call.method == "score" and call.receiver is not None:
                out.append(call)
        return out

    @cached_property
    def evaluation_calls(self) -> list[CallSite]:
        """Metric calls and calls of the module's own metric helpers (`f(model, loader)` whose body
        computes an accuracy or an error, `hand_metric`)."""
        own = [c for c in self.calls if c.callee is not None and self.hand_metric(c.callee.node)]
        return [*self.metric_calls, *own]

    def hand_metric(self, fn: ast.AST) -> str | None:
        """`hand_metric(fn)`, once per function."""
        cache = self._hand_metrics
        if id(fn) not in cache:
            cache[id(fn)] = hand_metric(fn)
        return cache[id(fn)]

    @cached_property
    def _hand_metrics(self) -> dict[int, str | None]:
        return {}

    # ------------------------------------------------------------------ target and features
    @cached_property
    def target_columns(self) -> set[str]:
        """Columns used as the label: the `y` of model fits, cross-validation and splits, the `label=`
        of a boosting library's dataset, the column a model's library reads the label from (Prophet's
        `y`) (what the code does with them, not what they are called)."""
        cols: set[str] = {LABEL_COLUMNS[f.ctor] for f in self.model_fits if f.ctor in LABEL_COLUMNS}
        candidates: list[Val | None] = [f.y for f in self.model_fits]
        for split in self.splits:
            if split.kind == "function" and len(split.inputs) >= 2:
                candidates.append(split.inputs[-1])
        candidates += [c.arg(2, "y") for c in self.cv_calls]
        # xgb.DMatrix(X, label=y), lgb.Dataset(X, label=y), catboost.Pool(X, label=y)
        candidates += [c.kwargs.get("label") for c in self.calls if c.short in ("DMatrix", "Dataset", "Pool")]
        candidates += [c.arg(1, "y") for c in self.method_calls("fit_resample")]
        dropped: set[str] = set()
        for call in self.method_calls("drop"):
            axis = call.kwarg_node("axis")
            by_column = call.kwarg_node("columns") is not None or (
                isinstance(axis, ast.Constant) and axis.value in (1, "columns"))
            if by_column:
                dropped.update(str_list(call.kwarg_node("columns") or call.arg_node(0)) or ())
        # `X, y = df.drop(columns=["t"]), df["t"]`: the column kept apart from the features
        cols.update(val.key for _, val in self.flow.bindings if isinstance(val.key, str) and val.key in dropped)
        for val in candidates:
            col = self.column_of(val)
            if col:
                cols.add(col)
        return cols

    def paired_targets(self, X: Val) -> set[str]:
        """The label columns learned together with feature matrix `X` (the `y` of its fits, splits
        and cross-validation calls); empty when no pairing names a column."""
        return set(self._paired.get(id(X), ()))

    @cached_property
    def _paired(self) -> dict[int, set[str]]:
        """id of each feature matrix -> its label columns, built in one pass (asked per matrix, a
        scan per question was cubic in a notebook of many experiments)."""
        out: dict[int, set[str]] = {}

        def add(X: Val | None, y: Val | None) -> None:
            column = self.column_of(y)
            if X is not None and column:
                out.setdefault(id(X), set()).add(column)

        for fit in self.model_fits:
            if fit.X is not None:
                add(fit.X, fit.y)
                add(self.split_input_of(fit.X), fit.y)
        for split in self.splits:
            if split.kind == "function" and len(split.inputs) >= 2:
                add(split.inputs[0], split.inputs[-1])
        for call in self.cv_calls:
            add(call.arg(1, "X"), call.arg(2, "y"))
        return out

    @cached_property
    def feature_matrices(self) -> list[Val]:
        """The values models are trained on, traced back through splits to the full matrix: the `X`
        of model fits and cross-validation calls, and the first array given to `train_test_split`."""
        out: list[Val] = []
        for fit in self.model_fits:
            if fit.X is not None:
                out.append(self.split_input_of(fit.X) or fit.X)
        for split in self.splits:
            if split.kind == "function" and len(split.inputs) >= 2:
                out.append(split.inputs[0])
        out += [x for x in (c.arg(1, "X") for c in self.cv_calls) if x is not None]
        return out

    @cached_property
    def consumed(self) -> set[int]:
        """Ids of every value that reaches a model or leaves the code: the data given to fits,
        predictions, cross-validation, splits and boosting datasets, what is written to
        a file, returned by a function, or kept on an object (a generator's yields are not
        recorded by the flow: a rule asking about a value inside one must allow for it). A value outside it only
        feeds prints, plots, strings formatted for a reader and other local inspection. Keyword
        arguments count where they are given
        to a sink (`fit(X=...)`), not along the way (`Map(data=frame)` returned is a map, not data)."""
        return self._reaching(leftovers=True)

    @cached_property
    def used(self) -> set[int]:
        """Ids of every value that reaches a model, a metric, a file, a caller or an object: as
        `consumed`, without the module-level values nothing reads (a part of a split nobody scores
        is unused, even in a notebook)."""
        return self._reaching(leftovers=False)

    def _reaching(self, leftovers: bool) -> set[int]:
        sinks: list[Val | None] = []
        for call in self.calls:
            # (a transform's output carries its input on: it is a sink only where that output goes)
            if call.method in vocab.FIT_METHODS or call.method in vocab.PREDICT_METHODS or call.method in (
                    "fit_resample", "evaluate", "score") or call.short in vocab.CV_EVAL_FUNCS \
                    or call.short in ("DMatrix", "Dataset", "Pool", "DataLoader", "TensorDataset") \
                    or call.is_(*vocab.NATIVE_TRAIN_FUNCS):
                sinks += [*call.args, *call.kwargs.values()]
            elif call.method in vocab.DATA_WRITE_METHODS or call.is_(*vocab.DATA_WRITE_CALLS):
                sinks += [call.receiver, *call.args, *call.kwargs.values()]
        for split in self.splits:
            sinks += split.inputs
        for fn in [*self.flow.functions.values(), *self.flow.nested]:
            sinks += fn.returns
        for attrs in self.flow.classes.values():
            sinks += attrs.values()
        if not leftovers:
            # what an opaque function does with its arguments is unknown (`talos.Scan(X_a, y_a, ...)`, a
            # helper of another file): they count as used; values only printed, plotted or measured do not
            for call in self.calls:
                if call.callee is not None or call.method is not None or call.short in _INSPECTION:
                    continue  # (this module's functions are followed; a method carries its receiver on)
                name = call.qualname or call.short or ""
                if not name.startswith(_VALUE_LIBRARIES):
                    sinks += [*call.args, *call.kwargs.values()]
            return {id(v) for v in self.flow.upstream(sinks, kw=False, columns=True, text=False)}
        # in a notebook, or a module that trains or predicts nothing, a module-level value nothing
        # here reads is left for the next cell or an importer: it counts as leaving the code
        read: set[int] = set()
        if (self.model_fits or self.predictions) and not self.source.is_notebook:
            read = {id(v) for v in self.flow.module_env.values()}  # a script's unread values are dead
        for call in self.calls:
            read.update(id(v) for v in (call.receiver, *call.args, *call.kwargs.values()) if v is not None)
        for _, val in self.flow.bindings:
            read.update(id(p) for p in val.parents)
        unread = [v for v in self.flow.module_env.values() if id(v) not in read]
        if unread:  # read inside an expression (`(x < low).sum()` reads `low`) counts too
            wanted = {id(v) for v in unread}
            for val in self.flow.evaluated:
                for p in (*val.parents, *val.index, *val.kw):
                    if id(p) in wanted:
                        read.add(id(p))
            unread = [v for v in unread if id(v) not in read]
        sinks += unread
        return {id(v) for v in self.flow.upstream(sinks, kw=False, columns=True, text=False)}

    @cached_property
    def handles_data(self) -> bool:
        """The module works with data or models: it imports a data or ML library, or applies a
        model. A web module of accounts and sessions (a token expiry, a page count) holds no
        features."""
        return self.source.is_notebook or bool(self.predictions) or self.imports.uses(*DATA_LIBRARIES)

    def split_judged(self, split: Split, held_out: bool = True) -> bool:
        """The split's held-out part (with `held_out=False`: any of its parts) reaches a model, a
        metric, a file or a caller. In a module that trains or scores nothing, its parts are taken as
        used elsewhere; in one that does, a split whose parts are only printed judges no model."""
        if not (self.model_fits or self.cv_calls or self.predictions or self.gradient_steps):
            return True
        parts = [v for v, role in split.outputs if role in ("test", "validation")] if held_out else []
        parts = parts or [v for v, _ in split.outputs]
        return not parts or any(id(v) in self.used for v in parts)

    def split_input_of(self, val: Val) -> Val | None:
        """For a split's output (`X_train`), the value that was split (`X`)."""
        if not val.roles:
            return None
        return self._split_inputs.get(id(val))

    @cached_property
    def _split_inputs(self) -> dict[int, Val]:
        out: dict[int, Val] = {}
        for split in self.splits:
            for pos, (part, _) in enumerate(split.outputs):
                if split.inputs and id(part) not in out:
                    index = pos // 2 if split.kind == "function" else 0
                    out[id(part)] = split.inputs[min(index, len(split.inputs) - 1)]
        return out

    def column_of(self, val: Val | None, depth: int = 6) -> str | None:
        """The single column a value reads: `df['churned']`, `df.churned.values`, `df['t'].astype(int)`.
        Followed through methods of the value and row selections (`y.iloc[:cut]`); not into what a
        function was given (`build_matrix(loans)` is not a column of `loans`), nor past a column read
        under a name the analysis cannot resolve (`frame[TARGET]` with TARGET from another file: the
        frame's own origin, `read_parquet(cfg["data"]["sales"])`, is no column of it)."""
        while val is not None and depth > 0:
            if isinstance(val.key, str):
                return val.key
            if val.call is not None and val.call.method == "pop":
                col = str_list(val.call.arg_node(0))
                return col[0] if col and len(col) == 1 else None
            if val.call is not None and val.call.method is None and not val.call.is_in(_SAME_VALUE_FUNCTIONS):
                return None
            node = val.node
            if isinstance(node, ast.Subscript) and not isinstance(node.slice, (ast.Slice, ast.Compare)) \
                    and not (isinstance(node.value, ast.Attribute) and node.value.attr in ("iloc", "loc")) \
                    and (not val.parents or val.parents[0].shape == "frame"):
                return None
            if not val.parents:
                return None
            val = val.parents[0]
            depth -= 1
        return None

    # ------------------------------------------------------------------ role
    @cached_property
    def is_test(self) -> bool:
        """A test of the project, not code that runs in production: it imports a test framework, or
        its path follows pytest's discovery conventions (`tests/`, `test_*.py`, `*_test.py`)."""
        if self.imports.uses("pytest", "unittest", "hypothesis"):
            return True
        parts = PurePosixPath(self.source.rel).parts
        name = parts[-1] if parts else ""
        return name == "conftest.py" or name.startswith("test_") and name.endswith(".py") \
            or name.endswith("_test.py") or any(p in ("tests", "test") for p in parts[:-1])

    @cached_property
    def role(self) -> str:
        if self.source.is_notebook:
            return "notebook"
        if any(self._is_route(d) for fn in [*self.flow.functions.values(), *self.flow.nested]
               for d in fn.node.decorator_list):
            return "serving"
        if self.model_fits or self.gradient_steps or self.cv_calls or self.tuner_searches:
            return "training"
        loads = self.calls_named("pickle.load", "joblib.load", "torch.load", "pickle.loads", "cloudpickle.load")
        if loads or (self.predictions and not self.fits):
            return "inference"
        if self.flow.functions and self.flow.column_writes:
            return "feature"
        return "other"

    @staticmethod
    def _is_route(deco: ast.expr) -> bool:
        func = deco.func if isinstance(deco, ast.Call) else deco
        return isinstance(func, ast.Attribute) and func.attr in ("get", "post", "put", "patch", "delete", "route", "api_route", "websocket")


# Functions whose result holds the same values as their first argument (a label read through them
# is still that column).
_SAME_VALUE_FUNCTIONS = candidates("numpy.asarray", "numpy.array", "numpy.ravel", "numpy.squeeze", "numpy.asanyarray",
                                   "torch.tensor", "torch.from_numpy", "torch.as_tensor", "pandas.Series", "list")
_REDUCERS = {"sum", "mean", "count_nonzero", "average", "item", "nanmean", "nansum"}


def _of_metric(name: str) -> bool:
    """`f1_score.append(v)`: a method of a name that an import calls a metric (a list rebound under
    the metric's name in a notebook), not a call of the metric."""
    head, _, _ = name.rpartition(".")
    return bool(head) and (last(head).endswith(("_score", "_error", "_loss")) or last(head) in vocab.RICH_METRICS)


def _distance(name: str) -> bool:
    """`sklearn.metrics.pairwise_distances`, `euclidean_distances`, `rbf_kernel`: geometry, not a score."""
    return ".pairwise" in name or last(name).endswith(("_distances", "_distance", "_kernel", "_similarity"))


def hand_metric(fn: ast.AST) -> str | None:
    """What a function computes, read from its body: 'accuracy' when it reduces an equality
    (`(pred == y).sum()`, `np.mean(a == b)`), 'regression' when it reduces an absolute or squared
    difference (`torch.abs(out - y).sum()`, `((a - b) ** 2).mean()`); None otherwise."""
    for node in ast.walk(fn):
        if not (isinstance(node, ast.Call) and _reducer(node)):
            continue
        inner = [node.func.value] if isinstance(node.func, ast.Attribute) else []
        for sub in [*inner, *node.args]:
            for part in ast.walk(sub):
                if isinstance(part, ast.Compare) and len(part.ops) == 1 and isinstance(part.ops[0], ast.Eq) \
                        and not any(isinstance(side, ast.Constant) for side in (part.left, part.comparators[0])):
                    return "accuracy" if _returns_ratio(fn) else None
                if isinstance(part, ast.BinOp) and isinstance(part.op, ast.Pow) and isinstance(part.left, ast.BinOp) \
                        and isinstance(part.left.op, ast.Sub):
                    return "regression" if _returns_ratio(fn) else None
                if isinstance(part, ast.Call) and _func_last(part) in ("abs", "fabs", "absolute") and part.args \
                        and isinstance(part.args[0], ast.BinOp) and isinstance(part.args[0].op, ast.Sub):
                    return "regression" if _returns_ratio(fn) else None
    return None


def _returns_ratio(fn: ast.AST) -> bool:
    """The function returns one number made by a division or a reduction (a metric's value)."""
    for node in ast.walk(fn):
        if isinstance(node, ast.Return) and node.value is not None and not isinstance(node.value, (ast.Tuple, ast.Dict)):
            value = node.value
            # `100 * np.mean(...)`, `np.mean(...) * 100`: a percentage of the metric
            while isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult) and any(
                    isinstance(side, ast.Constant) for side in (value.left, value.right)):
                value = value.right if isinstance(value.left, ast.Constant) else value.left
            if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Div) or isinstance(value, ast.Call) and (
                    _reducer(value) or _func_last(value) in ("float", "sqrt")):
                return True
    return False


def _reducer(call: ast.Call) -> bool:
    return _func_last(call) in _REDUCERS


def _func_last(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


# Libraries whose use makes a module data or ML code.
DATA_LIBRARIES = ("pandas", "polars", "numpy", "sklearn", "scipy", "torch", "tensorflow", "keras", "xgboost", "lightgbm",
                  "catboost", "pyspark", "statsmodels", "imblearn", "cuml", "cudf", "dask", "joblib", "mlflow",
                  "onnxruntime", "transformers", "sentence_transformers", "datasets", "skops", "pyarrow", "duckdb")

# Calls that only look at a value (print it, measure it, draw it), and libraries whose functions
# return a new value that carries the data on (its own uses decide).
_INSPECTION = {"print", "display", "len", "str", "repr", "type", "isinstance", "format", "sorted", "list", "tuple",
               "dict", "set", "sum", "min", "max", "abs", "round", "zip", "enumerate", "range", "id", "hash", "vars"}
_VALUE_LIBRARIES = ("numpy.", "pandas.", "math.", "statistics.", "scipy.", "torch.", "tensorflow.", "polars.",
                    "matplotlib.", "seaborn.", "plotly.", "logging.", "IPython.", "builtins.")


def _selects_columns_only(node: ast.AST | None) -> bool:
    """A `ColumnTransformer` whose every part is "passthrough" or "drop", and so is its remainder:
    it keeps columns and learns nothing from the rows."""
    if not isinstance(node, ast.Call):
        return False
    parts = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "transformers"), None)
    if not isinstance(parts, (ast.List, ast.Tuple)) or not parts.elts:
        return False
    for part in parts.elts:
        if not (isinstance(part, ast.Tuple) and len(part.elts) >= 2 and isinstance(part.elts[1], ast.Constant)
                and part.elts[1].value in ("passthrough", "drop")):
            return False
    remainder = next((k.value for k in node.keywords if k.arg == "remainder"), None)
    return remainder is None or isinstance(remainder, ast.Constant) and remainder.value in ("passthrough", "drop")
