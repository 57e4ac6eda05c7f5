from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Iterator

from wicked_data.checks.analysis import libraries
from wicked_data.checks.analysis.flowtypes import SCALING_STATS, CallSite, Val
from wicked_data.checks.analysis.leakage import STAT_METHODS, sees_held_out_rows
from wicked_data.checks.analysis.lineage import hand_offs, helper_calls
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.names import last
from wicked_data.checks.analysis.syntax import syntax
from wicked_data.checks.analysis.vocab import CV_FUNCS, FUNCTIONAL_TRANSFORMS
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, ProjectHit, Rule

if TYPE_CHECKING:
    from wicked_data.checks.analysis.project import Project
    from wicked_data.checks.models import Finding

def _refit_per_call(module: ModuleAnalysis, call: CallSite, fitted_on: Val, what: str) -> Hit | None:
    """The transform is fitted inside a function (or a class's `__init__`) on the rows each call hands
    it, and the module calls it on different data (`Records("train.csv")`, `Records("test.csv")`):
    every set of rows is transformed with its own statistics, so the rows scored are not transformed
    as the rows learned from."""
    fn_node = syntax(module).function_of(call.node)
    fn = next((f for f in module.flow.functions.values() if f.node is fn_node), None) if fn_node is not None else None
    if fn is None:
        return None
    params = [p for p in fn.params if p not in ("self", "cls")]
    index = next((i for i, p in enumerate(params) if module.flow.derives_from(fitted_on, fn.params[p])), None)
    if index is None:
        return None
    callers = [c for c in module.calls if c.callee is fn and len(c.node.args) > index]
    given = {module.text(c.node.args[index]) for c in callers}
    if len(callers) < 2 or len(given) < 2:
        return None
    if not any(f.X is not None and c.val is not None and module.flow.derives_from(f.X, c.val)
               for f in module.model_fits for c in callers) \
            and not any(p.call is not None and c.val is not None and module.flow.derives_from(p.call.arg(0, "X"), c.val)
                        for p in _applied(module) for c in callers) and not _stored_on_self(module, fn, call):
        return None  # what it computes reaches no model's inputs (a score's own scale, a report)
    end = fn.node.end_lineno or fn.node.lineno
    if any(fn.node.lineno <= f.line <= end and f.X is not None and module.flow.derives_from(f.X, fn.params[params[index]])
           for f in module.model_fits):
        return None  # the function trains a model on the same rows: one transform and one model per call
    trains = [any(f.X is not None and c.val is not None and module.flow.derives_from(f.X, c.val) for f in module.model_fits)
              for c in callers]
    if all(trains):
        return None  # each call's rows train a model of their own (one model per segment): none is scored on another's
    name = fn.qualname.rsplit(".", 1)[0] if fn.node.name == "__init__" else fn.qualname
    shown = ", ".join(sorted(given)[:3])
    return Hit(f"{what} is fitted inside {name}() on the rows each call gives it, and {name}() is called on different "
               f"data ({shown}): each set of rows is transformed with its own statistics, so the rows the model is "
               "scored on are not transformed like the rows it learned from. Fit it once on the training rows and "
               "hand the fitted transform to every call", node=call.node, confidence="medium",
               related=[(None, c.line, f"{name}() called here") for c in callers[:4]])


def _applied(module: ModuleAnalysis) -> list[Val]:
    """The values of the module's prediction calls (`model.predict(X)`)."""
    return [c.val for c in module.predictions if c.val is not None]


def _stored_on_self(module: ModuleAnalysis, fn, call: CallSite) -> bool:
    """The transform's output is kept on the object (`self.inputs = scaler.fit_transform(...)` in a
    Dataset's `__init__`): what the object serves is its rows, transformed."""
    return fn.cls is not None and any(
        isinstance(node, ast.Assign) and any(isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
                                             and t.value.id == "self" for t in node.targets)
        and any(n is call.node for n in ast.walk(node.value)) for node in ast.walk(fn.node))


def _touched(call: CallSite) -> list[Val]:
    """The values a learning call changes or produces: its result, its receiver and, for an in-place
    call on a column (`df["c"].fillna(df["c"].median(), inplace=True)`), the frames the column is
    read from (the fill changes them)."""
    out = [v for v in (call.val, call.receiver) if v is not None]
    if call.kwarg_node("inplace") is not None:
        cur = call.receiver
        while cur is not None and cur.key is not None and cur.parents:
            cur = cur.parents[0]
            out.append(cur)
    return out



# A helper whose name says it computes statistics of the data (`compute_norm_stats(df)`) or
# learns an encoding from it (`target_encode(df, ...)`): the body may be in another file.
VOCABULARY = libraries.shorts("vocabulary")  # encoders that learn only which categories exist
STAT_HELPER = re.compile(r"(^|_)(stats|statistics|moments|mean_std|norm_params|normali[sz]ation_params|"
                         r"target_encod\w*|mean_encod\w*)(_|$)", re.I)


class PreprocessingBeforeSplit(Rule):
    """
    ## What it does
    Flags a stateful transform (scaler, imputer, encoder, vectorizer, PCA, feature selector, or a
    `fillna`/`replace` with statistics such as `df.mean()`) fitted on rows that later reach the
    test or validation part of a split; a transform fitted on the whole data set whose output is
    then cross-validated outside a pipeline (at P2, one that learns from the labels of the training
    part, a feature selector or a target encoder, whose folds are then cross-validated); a choice
    of features by their correlation with the label (`df.corr()["label"]` picking the columns kept)
    made over rows a split later divides; and, at P2, a transform fitted on every row given to a
    Keras `fit(..., validation_split=0.2)`, which keeps the last rows apart as validation.

    ## Why is this bad?
    The transform learns means, vocabularies, selected features or category maps from the held-out
    rows. The evaluation then measures a model that has already seen its test data, and the score
    overstates what production will see.

    ## Example
    ```python
    X_scaled = StandardScaler().fit_transform(X)
    X_train, X_test, y_train, y_test = train_test_split(X_scaled, y)
    ```

    ## Use instead
    Split first and fit on the training part only, or put the transform in a `Pipeline` that is
    given to `cross_val_score`/`GridSearchCV`:
    ```python
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    scaler = StandardScaler().fit(X_train)
    ```

    ## Known problems
    A transform fitted inside a function or a class's `__init__` on the rows each call is given, and
    called on different data (a `Dataset` built once for the training file and again for the test
    file) is reported: each part gets its own statistics. It is not reported when each call's rows
    also train a model of their own (one scaler and one model per segment).
    An encoder that learns only which categories exist (one-hot, ordinal and label encoders, Spark's
    `StringIndexer`; the `vocabulary` kind of the library tables) fitted on all rows is reported at
    P3: it leaks no statistic, only a category the test rows alone may hold.
    A split done in another file is linked when the rows pass through a data file both name
    (`to_csv("processed.csv")` in one, `read_csv(...processed.csv)` in the other, or the same
    configuration key); rows handed over in memory through an imported function are not followed. A helper of the file is a fit when its body computes statistics of its input
    (`mean`, `std`, `quantile`... of a parameter) and returns them. Name evidence: a transform whose
    kind cannot be told from its class, recognised by its variable name (`scaler`, `encoder`...),
    and a helper from another file recognised by its name (`compute_norm_stats(df)`,
    `target_encode(df, ...)`) give low-confidence P2 findings; a helper of another file named
    otherwise (`build_matrix(df)` target-encoding inside) is not seen.
    In a file that trains or scores models, a split whose parts are only printed (nothing is fitted,
    predicted or scored on them) is left alone.
    """

    id = "ML102"
    name = "preprocessing-before-split"
    severity = Severity.P1
    name_evidence = True

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        cv_calls = [c for c in module.calls if c.short in CV_FUNCS or
                    (c.method == "fit" and c.receiver is not None and last(c.receiver.ctor) in CV_FUNCS)]
        seen: set[int] = set()
        consumed = module.consumed
        stats = {id(stat) for _, stat in module.flow.stat_ops}
        for call, fitted_on, what, confidence in self._fits(module):
            if fitted_on is None or call.line in seen:
                continue
            # a statistic computed by hand changes nothing but its own value (`y_test.mean()` as a
            # metric's baseline); a fit changes its receiver too
            touched = [call.val] if id(call) in stats and call.val is not None else _touched(call)
            if not any(id(v) in consumed for v in touched):
                continue  # what it learned reaches no model, file or caller (a plot, a printout, dead code)
            hit = self._leak(module, call, fitted_on, what, confidence, cv_calls) or \
                _refit_per_call(module, call, fitted_on, what)
            if hit:
                seen.add(call.line)
                if confidence == "low":  # only a name says it learns from the data: never a P1
                    hit.severity = Severity.P2
                yield hit

    @staticmethod
    def _fits(module: ModuleAnalysis):
        targets = module.target_columns
        for fit in module.fits:
            if fit.kind == "transformer" and not _encodes_labels(module, fit, targets):
                what = last(fit.ctor) or (fit.estimator.name if fit.estimator is not None else None) or "a transform"
                yield fit.call, fit.X, what, fit.confidence
        for node, stat in module.flow.stat_ops:
            if _summary_only(module, node):
                continue
            yield stat, stat.receiver, f"rescaling with {stat.method}() of the data", "high"
        for call in module.method_calls("fillna", "replace", "clip"):
            for arg in [*call.args, *call.kwargs.values()]:
                stat = _statistic(module, arg)
                if stat is not None:
                    yield call, stat.receiver, f"{call.method}() with {stat.method}() of the data", "high"
        for call in module.calls_named(*FUNCTIONAL_TRANSFORMS):
            if call.callee is None and call.method is None:  # `preprocessing.scale(X)`: fitted on X and applied
                yield call, call.arg(0, "X"), f"{call.short}() (a scaler fitted and applied in one call)", \
                    "high" if call.qualname else "medium"
        for call in _label_correlations(module):
            yield call, call.receiver, "a choice of features by their correlation with the label", "medium"
        computes: dict[int, bool] = {}
        for call in module.calls:
            name = call.short or ""
            if call.method is not None or call.val is None:
                continue
            if call.callee is not None:  # a helper of this file: what its body computes
                node = call.callee.node
                if id(node) not in computes:
                    computes[id(node)] = _computes_statistics(node)
                learns = computes[id(node)]
            else:  # another file's helper: only its name can say (name evidence)
                learns = bool(STAT_HELPER.search(name))
            if learns and _applied_before_split(module, call.val):
                yield call, call.arg(0), f"{name}() (statistics of the data)", "medium" if call.callee else "low"

    def settled_elsewhere(self, finding: "Finding", project: Project) -> bool:
        """A helper of another file taken for a fit by its name alone (`target_encoder(df, ...)`) when
        the project holds that file: the project stage has read its body (`helper_calls`), which
        says whether it fits a transform on the rows it is given."""
        named = re.match(r"(\w+)\(\) \(statistics of the data\)", finding.message)
        if named is None or finding.confidence != "low":
            return False
        facts = project.facts.get(finding.file) or {}
        modules = project.module_names
        return any(q.rsplit(".", 1)[-1] == named.group(1) and "." in q and q.rsplit(".", 1)[0] in modules
                   for q in facts.get("calls_out", ()))

    def check_project(self, project: Project) -> Iterator[ProjectHit]:
        """A transform fitted on every row in one file whose output is saved, read by another file
        of the project and split or cross-validated there; and another module's function that fits
        one on the rows it is given, called on every row before a split."""
        for h in hand_offs(project.facts, "fitted"):
            yield _by_name_only(h.entry, ProjectHit(
                h.writer, h.entry["line"], f"{h.entry['what']} is fitted on all rows and its output is saved to "
                f"{h.write['path']} ({h.write['where']}); {h.reader} reads that file and {h.verb} it ({h.step['where']} "
                f"of {h.reader}), so the transform learned from the test rows. Fit it in {h.reader} on the training "
                "split only, or inside a Pipeline", related=h.related))
        for c in helper_calls(project.facts, "fits"):
            yield _by_name_only(c.entry, ProjectHit(
                c.caller, c.call["line"], f"{c.name}() fits {c.entry['what']} on the rows it is given ({c.definer}, "
                f"{c.entry['where']}) and is called here on all rows; what it returns is {c.verb} at "
                f"{c.step['where']}, so the transform learned from the test rows. Split first, fit on the training "
                "part and apply the fitted transform to the other part",
                related=c.related(f"{c.entry['what']} is fitted here")))

    def _leak(self, module, call: CallSite, fitted_on: Val, what: str, confidence: str, cv_calls) -> Hit | None:
        for split in module.splits:
            if split.line < call.line and split.kind in ("mask", "slice"):
                continue  # a cut-off split taken earlier: the frame fitted on is already one side
            if not module.split_judged(split, held_out=False):
                continue  # parts only printed: no model learns from or is judged on them
            kind = sees_held_out_rows(module, fitted_on, split)
            if kind == "whole" and _reaches_split(module, call, split) is False:
                continue  # what it learned never reaches the split's parts (they are cut from the raw rows)
            if kind == "whole":
                when = "before the train/test split at" if split.line > call.line else "including the test part of the split at"
                if last(what) in VOCABULARY:
                    # a category list learned from every row: a category only the test rows hold gets a
                    # column or a code, which changes little; worth fixing, not a wrong score
                    return Hit(f"{what} learns its categories from all rows {when} line {split.line}; a category that "
                               "only the test rows hold gets a column or code the model could not have known. Fit it "
                               "on the training split (with handle_unknown='ignore'), or inside a Pipeline",
                               node=call.node, confidence="medium", severity=Severity.P3,
                               related=[(None, split.line, "the split")])
                if what.endswith(("Tokenizer", "TextVectorization", "StringLookup", "IntegerLookup")) \
                        and confidence == "high":
                    confidence = "medium"  # a vocabulary ranked by frequency leaks less than statistics do
                return Hit(f"{what} is fitted on all rows {when} line {split.line}; it learns from the test "
                           "rows. Fit it on the training split only, or inside a Pipeline", node=call.node,
                           confidence=confidence, related=[(None, split.line, "the split")])
            if kind == "held-out":
                return Hit(f"{what} is fitted on the held-out split; transforms must be fitted on the training "
                           "split and only applied to the test split", node=call.node, confidence="medium",
                           related=[(None, split.line, "the split")])
        out = call.val
        # given the labels (`SelectKBest().fit_transform(X, y)`): a choice of features made with every
        # label of the rows the cross-validation then divides into folds, even on the training part
        supervised = call.method in ("fit", "fit_transform") and len(call.node.args) >= 2 \
            and "train" in {r for _, r in fitted_on.roles} and call.receiver is not None \
            and bool(call.receiver.ctors & libraries.shorts("label_transformer"))
        for cv in cv_calls:
            if cv is call:
                continue  # a selector that cross-validates itself (RFECV) is not evaluated by its own fit
            X = cv.arg(1, "X") if cv.method is None else cv.arg(0, "X")
            if X is None or "train" in {r for _, r in fitted_on.roles} and not supervised:
                continue
            if supervised and not module.flow.derives_from(X, out):
                continue
            if module.flow.derives_from(X, out) or module.flow.data_sources(X) & module.flow.data_sources(fitted_on):
                if cv.line < call.line:
                    continue
                if supervised:
                    return Hit(f"{what} is fitted with the labels of every training row and its output is "
                               f"cross-validated at line {cv.line}; each fold's validation labels helped choose what "
                               "the model sees, so the fold scores are optimistic. Put it in a Pipeline given to the "
                               "cross-validation", node=call.node, confidence="medium", severity=Severity.P2,
                               related=[(None, cv.line, "the cross-validation")])  # (the test part stays clean)
                return Hit(f"{what} is fitted on the whole data set and its output is cross-validated at line "
                           f"{cv.line}; every fold's validation rows were seen by the transform. Put it in a "
                           "Pipeline given to the cross-validation", node=call.node, confidence=confidence,
                           related=[(None, cv.line, "the cross-validation")])
        return _validation_split_leak(module, call, fitted_on, what, out)


def _label_correlations(module: ModuleAnalysis) -> list[CallSite]:
    """`df.corr()["price"]` (or `corrwith(df["price"])`) over a frame, whose result picks the columns
    kept (`df[strong.index]`, `df.drop(columns=weak.index)`): a selection that read the labels of
    every row it was computed on."""
    targets = module.target_columns
    calls = [c for c in module.method_calls("corr", "corrwith") if c.val is not None and c.receiver is not None]
    if not targets or not calls:
        return []
    flow = module.flow
    values = list(flow.evaluated)
    out = []
    for call in calls:
        if call.method == "corr":  # the label's column of the correlation matrix
            labelled = any(isinstance(v.node, ast.Subscript) and v.key in targets and v.parents and v.parents[0] is call.val
                           for v in values)
        else:
            labelled = any(isinstance(a.key, str) and a.key in targets for v in call.args if v is not None
                           for a in flow.ancestors(v))
        if not labelled:
            continue
        made = flow.downstream([call.val])  # what is computed from the correlations (not through row selectors)
        if any(isinstance(v.node, ast.Subscript) and v.parents and v.parents[0] is not None
               and id(v.parents[0]) not in made and any(k is not None and id(k) in made for k in v.index)
               or v.call is not None and v.call.method == "drop" and v.call.receiver is not None
               and id(v.call.receiver) not in made
               and any(a is not None and id(a) in made for a in (*v.call.args, *v.call.kwargs.values()))
               for v in values):
            out.append(call)
    return out


def _validation_split_leak(module: ModuleAnalysis, call: CallSite, fitted_on: Val, what: str, out: Val | None) -> Hit | None:
    """Keras' `fit(X, y, validation_split=0.2)` holds out the last fifth of the rows it is given as
    validation; a transform fitted on all of them has seen that part (the validation loss, and the
    epoch early stopping keeps, are judged on rows the transform learned from)."""
    if "train" in {r for _, r in fitted_on.roles}:
        return None
    flow = module.flow
    for fit in module.method_calls("fit"):
        held = fit.kwarg_node("validation_split")
        if held is None or fit.line < call.line or isinstance(held, ast.Constant) and not held.value:
            continue
        X = fit.arg(0, "x")
        if X is None or not (out is not None and flow.derives_from(X, out) or flow.data_sources(X) & flow.data_sources(fitted_on)):
            continue
        return Hit(f"{what} is fitted on all rows, including the validation part that `validation_split=` holds out "
                   f"at line {fit.line} (Keras keeps the last rows given to fit apart); the validation loss, and any "
                   "epoch chosen by it, is judged on rows the transform learned from. Fit it on the rows before that "
                   "part", node=call.node, confidence="medium", severity=Severity.P2,
                   related=[(None, fit.line, "the validation part is cut here")])
    return None


def _by_name_only(fit: dict, hit: ProjectHit) -> ProjectHit:
    """Medium confidence across files; a transform known only by its variable's name: low, P2."""
    hit.confidence = "low" if fit["confidence"] == "low" else "medium"
    if fit["confidence"] == "low":
        hit.severity = Severity.P2
    return hit


def _summary_only(module: ModuleAnalysis, node: ast.BinOp) -> bool:
    """A statistic of statistics (`q75 - q25`, `max - min`) that no comparison or clip applies to
    the data: a number in a descriptive table, not a transform (an IQR used to drop or cap outliers
    is one)."""
    left = module.flow.val_at(node.left)
    if left is None or left.call is None or left.call.method not in SCALING_STATS:
        return False
    val = module.flow.val_at(node)
    if val is None:
        return True
    for compare in module.flow.compares:
        found = module.flow.val_at(compare)
        if found is not None and module.flow.derives_from(found, val, rows=False):
            return False
    return not any(c.method in ("clip", "where", "mask", "between") and any(
        a is not None and module.flow.derives_from(a, val, rows=False) for a in (*c.args, *c.kwargs.values()))
        for c in module.calls)


def _encodes_labels(module: ModuleAnalysis, fit, targets: set[str]) -> bool:
    """Encoding the target's classes (`LabelEncoder().fit_transform(df['label'])`) learns no feature."""
    if last(fit.ctor) in ("LabelEncoder", "LabelBinarizer", "MultiLabelBinarizer"):
        return True
    column = module.column_of(fit.X)
    return column is not None and column in targets


STATISTICS = {"mean", "std", "var", "median", "quantile", "min", "max", "nanmean", "nanstd", "percentile",
              "value_counts", "unique", "describe", "agg", "aggregate", "mode"}


# Calls that keep a statistic a statistic (`std.replace(0, 1)`, `mean.to_dict()`).
_KEEPS_STATISTIC = {"to_dict", "tolist", "to_numpy", "replace", "clip", "fillna", "astype", "round"}


def _computes_statistics(fn: ast.AST) -> bool:
    """The function returns statistics of a parameter (`{"mean": df.mean(), "std": df.std()}`), as
    opposed to data transformed with them (`df.fillna(df.median())`, reported inside the helper)."""
    params = {a.arg for a in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]} - {"self", "cls"}
    stats: set[str] = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign) and _is_statistic(node.value, params | stats, stats):
            stats |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return any(isinstance(node, ast.Return) and node.value is not None
               and _is_statistic(node.value, params | stats, stats) for node in ast.walk(fn))


def _is_statistic(node: ast.AST, data: set[str], stats: set[str]) -> bool:
    """`df.mean()`, `df[cols].std().replace(0, 1)`, `mean.to_dict()`, a name holding one, or a
    dict/tuple/list of them."""
    if isinstance(node, (ast.Dict, ast.Tuple, ast.List)):
        items = node.values if isinstance(node, ast.Dict) else node.elts
        return bool(items) and all(_is_statistic(item, data, stats) for item in items)
    if isinstance(node, ast.Name):
        return node.id in stats
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _KEEPS_STATISTIC:
        node = node.func.value
    if isinstance(node, ast.Name):
        return node.id in stats
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in STATISTICS \
        and _stat_of(node, data)


def _stat_of(node: ast.AST, names: set[str]) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in STATISTICS \
                and any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(sub.func.value)):
            return True
    return False


def _reaches_split(module: ModuleAnalysis, call: CallSite, split) -> bool | None:
    """The transform's output, or the fitted object applied later, reaches the split: its output
    is what is split, or the fitted object transforms a part of the split. None when its outputs
    cannot be told (an in-place fill)."""
    flow = module.flow
    inplace = call.kwarg_node("inplace")
    if isinstance(inplace, ast.Constant) and inplace.value is True:
        return None  # the frame itself changed
    outs = [call.val] if call.val is not None else []
    # the fitted object (`scaler.fit(X)`, `tok.fit_on_texts(t)`, `layer.adapt(x)`) and what it returns
    fitted = [v for v in (call.receiver, call.val) if v is not None] if call.method is not None else []
    applied = [c for c in module.calls if c is not call and c.method is not None and c.receiver is not None
               and any(c.receiver is f or flow.derives_from(c.receiver, f) for f in fitted)]
    outs += [c.val for c in applied if c.val is not None]
    if not outs:
        return None
    wanted = {id(out) for out in outs}
    if any(id(v) in wanted for v in flow.upstream(split.inputs, columns=True)):
        return True  # (through the columns written to a frame too: `df["x_te"] = encode(df)`)
    parts = {id(v) for v, _ in split.outputs}
    return any(id(v) in parts for v in flow.upstream([a for c in applied for a in c.args], columns=True))


def _applied_before_split(module: ModuleAnalysis, stats: Val) -> bool:
    """The statistics shape data that a split later divides (`OrdersDataset(orders, stats)`,
    `df["city_te"] = target_encode(df, ...)`), rather than being printed or saved only."""
    flow = module.flow
    shaped = [stats, *(w.frame for w in flow.column_writes if w.frame is not None and w.value is not None
                       and flow.derives_from(w.value, stats, rows=False))]
    return any(flow.derives_from(inp, val, rows=False)
               for split in module.splits for inp in split.inputs for val in shaped)


def _statistic(module: ModuleAnalysis, val: Val | None) -> CallSite | None:
    for anc in module.flow.ancestors(val, values=True):
        if anc.call is not None and anc.call.method in STAT_METHODS and anc.call.receiver is not None:
            return anc.call
    return None


PreprocessingBeforeSplit.invalid = [
    # a Dataset class scales the file it is given: the test file gets its own mean and std
    """
    import pandas as pd
    import torch
    from sklearn.preprocessing import StandardScaler
    from torch.utils.data import DataLoader, Dataset

    class Visits(Dataset):
        def __init__(self, csv_path):
            table = pd.read_csv(csv_path)
            self.labels = torch.tensor(table.pop("returned").values, dtype=torch.float32)
            self.inputs = torch.tensor(StandardScaler().fit_transform(table.values), dtype=torch.float32)  # ruleid: ML102

        def __len__(self):
            return len(self.labels)

        def __getitem__(self, i):
            return self.inputs[i], self.labels[i]

    learn_from = DataLoader(Visits("visits/fit.csv"), batch_size=64, shuffle=True)
    score_on = DataLoader(Visits("visits/holdout.csv"), batch_size=64)
    """,
    # features chosen with every label of the training part, whose folds are then cross-validated (P2)
    """
    from sklearn.feature_selection import SelectKBest, f_classif
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score, train_test_split
    fit_x, hold_x, fit_y, hold_y = train_test_split(X, y, stratify=y, random_state=0)
    narrow = SelectKBest(f_classif, k=10).fit_transform(fit_x, fit_y)  # ruleid: ML102
    print(cross_val_score(LogisticRegression(), narrow, fit_y, cv=5).mean())
    """,
    # features kept by their correlation with the label, measured over every row before the split
    """
    import pandas as pd
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import train_test_split
    flats = pd.read_csv("flats.csv")
    link = flats.corr(numeric_only=True)["rent"]  # ruleid: ML102
    kept = link[link.abs() > 0.3].index.drop("rent")
    p, q, r, s = train_test_split(flats[kept], flats["rent"], random_state=5)
    print(Ridge().fit(p, r).score(q, s))
    """,
    # Keras holds out the last fifth of the windows; the scaler saw the whole series
    """
    import numpy as np
    from sklearn.preprocessing import StandardScaler
    from tensorflow import keras
    levels = StandardScaler().fit_transform(series.reshape(-1, 1))  # ruleid: ML102
    windows = np.stack([levels[i - 30:i, 0] for i in range(30, len(levels))])
    nexts = levels[30:, 0]
    net = keras.Sequential([keras.layers.Dense(16), keras.layers.Dense(1)])
    net.compile(loss="mse")
    net.fit(windows, nexts, validation_split=0.2, callbacks=[keras.callbacks.EarlyStopping(patience=3)])
    """,
    # a helper of another module fits the scaler on whatever it is given; called on every row
    {"pipeline/cleaning.py": """
        from sklearn.preprocessing import MinMaxScaler

        def tidy(table, numeric):
            table = table.dropna(subset=numeric)
            table[numeric] = MinMaxScaler().fit_transform(table[numeric])
            return table
        """,
     "run.py": """
        import pandas as pd
        from sklearn.model_selection import train_test_split
        from sklearn.svm import SVC
        from pipeline.cleaning import tidy
        shots = pd.read_csv("shots.csv")
        shots = tidy(shots, ["distance", "angle"])  # ruleid: ML102
        p, q, r, s = train_test_split(shots[["distance", "angle"]], shots["goal"], stratify=shots["goal"], random_state=1)
        SVC().fit(p, r)
        """},
    # two scripts: one scales every row and saves the result, the other reads that file and splits
    {"prepare.py": """
        import pandas as pd
        from sklearn.preprocessing import RobustScaler
        sensors = pd.read_parquet("raw/sensors.parquet")
        cols = ["vibration", "temperature", "pressure"]
        sensors[cols] = RobustScaler().fit_transform(sensors[cols])  # ruleid: ML102
        sensors.to_parquet("work/sensors_scaled.parquet")
        """,
     "fit_model.py": """
        import pandas as pd
        from sklearn.ensemble import IsolationForest
        from sklearn.model_selection import train_test_split
        frame = pd.read_parquet("work/sensors_scaled.parquet")
        part_a, part_b = train_test_split(frame, test_size=0.2, random_state=5)
        IsolationForest(random_state=5).fit(part_a[["vibration", "temperature", "pressure"]])
        """},
    # an in-place fill of one column with its median over every row, then the split
    """
    import pandas as pd
    from sklearn.model_selection import train_test_split
    table = pd.read_csv("accounts.csv")
    table["balance"].fillna(table["balance"].median(), inplace=True)  # ruleid: ML102
    a, b, c, d = train_test_split(table.drop(columns=["closed"]), table["closed"], random_state=2)
    model.fit(a, c)
    """,
    """
    import pandas as pd
    from sklearn.preprocessing import StandardScaler
    from sklearn.model_selection import train_test_split
    df = pd.read_csv("d.csv")
    X, y = df.drop(columns=["label"]), df["label"]
    X_scaled = StandardScaler().fit_transform(X)  # ruleid: ML102
    X_train, X_test, y_train, y_test = train_test_split(X_scaled, y, stratify=y, random_state=0)
    """,
    # aliases; the scaler fitted on the full matrix after the split, then applied to both parts
    """
    import sklearn.model_selection as ms
    from sklearn import preprocessing
    def run(features, target):
        Xtr, Xte, ytr, yte = ms.train_test_split(features, target, random_state=1, stratify=target)
        sc = preprocessing.MinMaxScaler()
        sc.fit(features)  # ruleid: ML102
        return sc.transform(Xtr), sc.transform(Xte)
    """,
    # a helper that imputes with the data's own statistics before the split
    """
    import pandas as pd
    from sklearn.model_selection import train_test_split

    def clean(frame):
        return frame.fillna(frame.median(numeric_only=True))  # ruleid: ML102

    data = clean(pd.read_csv("loans.csv"))
    train, test = train_test_split(data, test_size=0.25, random_state=7)
    """,
    # standardised by hand with the statistics of every row
    """
    import pandas as pd
    from sklearn.model_selection import train_test_split
    X = df.drop(columns=["target"])
    X = (X - X.mean()) / X.std()  # ruleid: ML102
    X_train, X_test, y_train, y_test = train_test_split(X, df["target"], random_state=0)
    """,
    # a vectorizer fitted on the whole corpus, then cross-validated outside a pipeline
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    vec = TfidfVectorizer(min_df=2)
    X = vec.fit_transform(texts)  # ruleid: ML102
    print(cross_val_score(LogisticRegression(), X, labels, cv=5, scoring="f1").mean())
    """,
    # PyTorch: normalisation statistics from every order (a helper of another module), then a random split
    """
    from torch.utils.data import DataLoader, random_split
    from eta.data import OrdersDataset, compute_norm_stats, load_orders
    orders = load_orders("orders.parquet")
    stats = compute_norm_stats(orders)  # ruleid: ML102
    dataset = OrdersDataset(orders, stats)
    train_ds, val_ds = random_split(dataset, [0.8, 0.2])
    """,
    # a target encoding of every row, from a helper, before the split
    """
    from sklearn.model_selection import train_test_split
    from features import target_encode
    loans["industry_te"] = target_encode(loans, "industry", "defaulted", smoothing=20)  # ruleid: ML102
    X_train, X_test, y_train, y_test = train_test_split(loans[FEATURES], loans["defaulted"], random_state=0)
    """,
    # feature selection using the labels of every row, in a notebook
    {"select.ipynb": """
    from sklearn.feature_selection import SelectKBest, f_classif
    from sklearn.model_selection import train_test_split
    # %%
    selector = SelectKBest(f_classif, k=20)
    X_sel = selector.fit_transform(X, y)  # ruleid: ML102
    # %%
    X_tr, X_te, y_tr, y_te = train_test_split(X_sel, y, stratify=y, random_state=3)
    """},
]

PreprocessingBeforeSplit.valid = [
    # one scaler and one model per region: each call's rows train a model of their own
    """
    import pandas as pd
    from sklearn.linear_model import Ridge
    from sklearn.preprocessing import StandardScaler

    def region_model(path):
        table = pd.read_parquet(path)
        scaler = StandardScaler().fit(table[["area", "rooms"]])
        model = Ridge().fit(scaler.transform(table[["area", "rooms"]]), table["price"])
        return scaler, model

    north = region_model("north.parquet")
    south = region_model("south.parquet")
    """,
    # the same choice, measured on the training part only
    """
    import pandas as pd
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import train_test_split
    flats = pd.read_csv("flats.csv")
    learn, check = train_test_split(flats, random_state=5)
    link = learn.corr(numeric_only=True)["rent"]
    kept = link[link.abs() > 0.3].index.drop("rent")
    print(Ridge().fit(learn[kept], learn["rent"]).score(check[kept], check["rent"]))
    """,
    # the saved file is scaled, but the script that reads it never splits it (it only scores it)
    {"prepare.py": """
        import pandas as pd
        from sklearn.preprocessing import RobustScaler
        sensors = pd.read_parquet("raw/sensors.parquet")
        cols = ["vibration", "temperature", "pressure"]
        sensors[cols] = RobustScaler().fit_transform(sensors[cols])
        sensors.to_parquet("work/sensors_scaled.parquet")
        """,
     "report.py": """
        import pandas as pd
        frame = pd.read_parquet("work/sensors_scaled.parquet")
        print(frame.describe())
        """},
    # a helper of another module applies a scaler fitted earlier and saved (it learns nothing here)
    {"pipeline/cleaning.py": """
        import joblib

        SCALER = joblib.load("artifacts/scaler-2024-05.joblib")

        def tidy(table, numeric):
            table[numeric] = SCALER.transform(table[numeric])
            return table
        """,
     "run.py": """
        import pandas as pd
        from sklearn.model_selection import train_test_split
        from pipeline.cleaning import tidy
        shots = tidy(pd.read_csv("shots.csv"), ["distance", "angle"])
        part_fit, part_eval = train_test_split(shots, stratify=shots["goal"], random_state=1)
        """},
    """
    from sklearn.preprocessing import StandardScaler
    from sklearn.model_selection import train_test_split
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    scaler = StandardScaler()
    X_train_s = scaler.fit_transform(X_train)
    X_test_s = scaler.transform(X_test)
    """,
    """
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    scores = cross_val_score(pipe, X, y, cv=5, scoring="roc_auc")
    pipe.fit(X, y)
    """,
    # statistics from the training part fill both parts; K-fold with per-fold fitting
    """
    import pandas as pd
    from sklearn.model_selection import train_test_split, StratifiedKFold
    from sklearn.impute import SimpleImputer
    train_df, test_df = train_test_split(df, random_state=0, stratify=df["y"])
    mu, sd = train_df["amount"].mean(), train_df["amount"].std()
    test_df["amount_z"] = (test_df["amount"] - mu) / sd
    medians = train_df.median(numeric_only=True)
    train_df = train_df.fillna(medians)
    test_df = test_df.fillna(medians)
    skf = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    for tr_idx, va_idx in skf.split(X, y):
        imp = SimpleImputer(strategy="median")
        X_tr = imp.fit_transform(X.iloc[tr_idx])
        X_va = imp.transform(X.iloc[va_idx])
    """,
    # the labels' classes encoded before the split: no feature learns from the test rows
    """
    from sklearn.preprocessing import LabelEncoder
    from sklearn.model_selection import train_test_split
    y = LabelEncoder().fit_transform(df["species"])
    X_train, X_test, y_train, y_test = train_test_split(df[["a", "b"]], y, stratify=y, random_state=0)
    """,
    # statistics of every row, only printed; the model's inputs are not built from them
    """
    from sklearn.model_selection import train_test_split
    from reporting import summary_stats
    print(summary_stats(df))
    X_train, X_test, y_train, y_test = train_test_split(df[FEATURES], df["y"], random_state=0)
    """,
    # the same helper on the training part only
    """
    from torch.utils.data import random_split
    from eta.data import OrdersDataset, compute_norm_stats
    train_orders, val_orders = orders[orders.day < cutoff], orders[orders.day >= cutoff]
    stats = compute_norm_stats(train_orders)
    train_ds, val_ds = OrdersDataset(train_orders, stats), OrdersDataset(val_orders, stats)
    """,
    # fitted on everything, but there is no evaluation split here: a final refit for serving
    """
    import joblib
    from sklearn.preprocessing import OneHotEncoder
    enc = OneHotEncoder(handle_unknown="ignore").fit(all_rows[["country"]])
    joblib.dump(enc, "encoder.joblib")
    """,
    # a descriptive table of quartiles and ranges, computed on every row, rescales nothing
    """
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    rows = pd.read_csv("flights.csv")
    summary = []
    for col in ["distance", "dep_delay"]:
        s = rows[col].dropna()
        summary.append({"col": col, "iqr": s.quantile(0.75) - s.quantile(0.25), "span": s.max() - s.min()})
    print(pd.DataFrame(summary))
    print(cross_val_score(LogisticRegression(), rows[["distance", "dep_delay"]], rows["late"], cv=5))
    """,
]
