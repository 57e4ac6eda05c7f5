from __future__ import annotations

import ast
import re
from typing import Iterator

from wicked_data.checks.analysis import libraries, vocab
from wicked_data.checks.analysis.featureprint import number
from wicked_data.checks.analysis.flowtypes import LITERAL, SCALING_STATS
from wicked_data.checks.analysis.guards import zero_guarded
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.names import data_root, last
from wicked_data.checks.analysis.serving import Serving, applies, serving
from wicked_data.checks.analysis.syntax import FunctionNode, loaded_or_configured, path_valued
from wicked_data.checks.analysis.values import aggregated, filters_rows, positive, written_column
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule

LOGS = {"log", "log1p", "log2", "log10", "sqrt"}
# Calls that keep the operand in range (`np.log(x.clip(lower=1))`, `x / np.maximum(n, 1)`).
RANGE_GUARDS = {"clip", "maximum", "max", "abs", "fabs", "where", "replace", "fillna", "clip_lower", "nan_to_num",
                "exp", "expm1", "softplus"}
# A later step that removes NaN/inf from the frame or the column.
SANITIZERS = {"nan_to_num", "isfinite", "isinf", "isnan", "isna", "isnull", "notna", "fillna", "clip", "where", "mask",
              "dropna", "interpolate"}
STAT_KEY = re.compile(r"^(std|stdev|sigma|scale|scales|var|variance|norm|iqr|range|max|min)$|_(std|scale)$", re.I)
# Columns that cannot be negative: log1p of them is safe.
COUNT_NAME = re.compile(r"count|num|(^|_)n(_|$)|total|click|view|open|visit|event|session|attend|length|size|qty|"
                        r"quantity|duration|days|seconds|minutes", re.I)


class UnguardedNanInf(Rule):
    """
    ## What it does
    Flags feature expressions in serving and feature code that can produce NaN or infinity and
    reach the model unguarded: `log`/`log1p`/`sqrt` of a value that can be zero or negative,
    a fractional or negative power, and a division by a data column (`clicks / opens`). A value
    is guarded when it is clipped or shifted into range (`np.log1p(x.clip(lower=0))`,
    `x / (n + 1)`, `np.maximum(n, 1)`), when the division sits under a test of its denominator,
    or when the function later removes non-finite values (`replace([np.inf, -np.inf], ...)`,
    `np.nan_to_num`, `fillna`/`clip` of that column).

    ## Why is this bad?
    scikit-learn estimators raise `ValueError: Input contains NaN, infinity` for one bad row
    (failing a whole batch); tree libraries that accept NaN route it down a default branch the
    model never learned for that case; an infinite ratio dominates a scaled feature. Training
    usually dropped such rows, so serving sees inputs the model has never seen.

    ## Example
    ```python
    df["score_log"] = np.log1p(df["lead_score"])           # NaN for scores below -1
    df["email_click_rate"] = df["email_clicks"] / df["email_opens"]  # inf or NaN at 0 opens
    ```

    ## Use instead
    Guard each transform, then make the frame finite before predicting:
    ```python
    df["score_log"] = np.log1p(df["lead_score"].clip(lower=0))
    df["email_click_rate"] = df["email_clicks"] / df["email_opens"].replace(0, np.nan)
    X = df[FEATURES].replace([np.inf, -np.inf], np.nan).fillna(TRAINING_MEDIANS)
    ```

    ## Known problems
    Methods of network modules (`torch.nn.Module`, Keras layers and losses), functions handed to
    `scipy.optimize`, and denominators that count elements (`len(x)`, `x.shape[0] - 1`) are not
    feature code. The sign of a column is unknown statically: `log1p` of a column whose key names a count, a
    total, a duration or a number of days is taken as safe, and anything else as possibly negative
    unless the module's request schema bounds the field it reads (`Field(ge=0)`, `PositiveFloat`,
    `confloat(gt=0)`, marshmallow's `Range(min=0)`; a schema declared in another module is not seen), or
    non-negative by construction (squares, absolute values, sums of them, `1 - cos(x)`; the
    haversine's `cos(lat1) * cos(lat2) * sin(d) ** 2` is taken as non-negative, latitudes lying
    within +-90 degrees). A denominator is
    the model's or the configuration's when what its names are bound to says so (a constant, a
    loader, the environment), or when it reads a stored statistic by a key such as `"std"` or
    `"scale"`: column and key strings, not variable names, are read (they survive renaming, but
    they are still words).
    Divisions are also ML405 (unguarded-division) when they can fail on zero; this rule is about
    the NaN/inf values reaching the model. Training code and notebooks are not reviewed. Where every
    model the project fits takes NaN and infinite values as they are (LightGBM, by the library
    table), the finding is P3 and says so.
    """

    id = "ML508"
    name = "unguarded-nan-inf"
    severity = Severity.P2

    def calibrate(self, finding, project):
        """Every model fitted on what this file produces (else every model of the project) reads NaN as missing and takes an infinite value as an extreme
        one (LightGBM): the value breaks nothing, so what is left is whether the ratio still means
        something (P3). A model that refuses infinity (XGBoost, scikit-learn) or one the analysis
        cannot name keeps the finding."""
        from wicked_data.checks.analysis.libraries import model_api

        models = project.models_fed_by(finding.file)
        apis = [model_api(m) for m in models]
        if not models or not all(a is not None and a.takes_nan and a.takes_inf for a in apis):
            return None
        # a class by its name (`LGBMRegressor`), a training function by its library (`lightgbm.train`: lightgbm)
        names = ", ".join(sorted({m.rsplit(".", 1)[-1] if m.rsplit(".", 1)[-1][:1].isupper() else m.split(".")[0]
                                  for m in models})[:3])
        return Severity.P3, (f"the project's models ({names}) read NaN as missing and bin an infinite value as "
                             "an extreme one, so nothing breaks; check that the value still means what the model "
                             "learned")

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        if module.role == "training" or module.is_test or module.source.is_notebook or not (applies(module) or module.role == "feature") \
                or not module.handles_data:
            return  # (a web module with no data or model: page counts are no features)
        facts = serving(module)
        feature_only = not applies(module)  # feature code with no model or service in the module
        by_function: dict[int, list[ast.AST]] = {}
        functions: dict[int, FunctionNode] = {}
        for node in facts.syntax.nodes:  # one pass over the module: only risky expressions go further
            if not _candidate(node):
                continue
            fn = facts.enclosing(node)
            if fn is not None:
                by_function.setdefault(id(fn), []).append(node)
                functions[id(fn)] = fn
        for key, nodes in by_function.items():
            fn = functions[key]
            if _sanitised(facts, fn) or _network_internals(facts, fn) or _optimiser_objective(facts, fn):
                continue
            seen: set[int] = set()
            for node in sorted(nodes, key=lambda n: (n.lineno, n.col_offset)):
                risk = _risk(facts, node)
                if risk is None or node.lineno in seen or not _feature_value(facts, node):
                    continue
                if feature_only and not _reads_column(facts, node):
                    continue  # a scalar of the code (a fold count, a size), not a column a model will read
                if isinstance(node, ast.BinOp) and isinstance(node.right, ast.Subscript) \
                        and aggregated(module, node.right.value):
                    continue  # a share of a group's total, a report table: statistics, not a record's field
                if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Div, ast.FloorDiv)) \
                        and zero_guarded(facts.syntax, fn, node, node.right):
                    continue  # (the same guards as ML405's: a test of the denominator, an early exit on it)
                if _guarded_later(facts, fn, node) or _under_test(facts, node) or _cleaned_around(facts, node) \
                        or _guarded_name(facts, fn, node) or _filtered_before(facts, fn, node):
                    continue
                if isinstance(node, ast.BinOp) and _reduction(node.right):
                    continue  # over a mean, a sum or a total: a ratio of statistics, not a record's field
                if _from_predictions(module, node):
                    continue  # an error ratio or interval width: computed from the model's output, not fed to it
                seen.add(node.lineno)
                yield Hit(f"{module.text(node)} {risk} and nothing in {fn.name}() replaces non-finite values before the "
                          "model sees them. Clip or shift the input into range, and make the features finite "
                          "(replace inf, impute NaN) before predicting", node=node, confidence="medium")


# One number summarising many values (the scaling statistics, counts, totals): a ratio over one is a
# statistic of the data, not a field of a record.
REDUCTIONS = SCALING_STATS | {"sum", "count", "nunique", "size", "nanmean", "nansum", "nanmedian"}


def _reduction(node: ast.AST) -> bool:
    """`frame["actual"].mean()`, `np.sum(errors)`, `len(rows)`: one number summarising many values."""
    if not isinstance(node, ast.Call):
        return False
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    return name in REDUCTIONS or name == "len"


def _from_predictions(module: ModuleAnalysis, node: ast.AST) -> bool:
    """The expression is computed from what a model predicted (`abs(y - pred) / y`, an interval's
    width over the load): a metric or a report value downstream of the model, not one of its inputs."""
    val = module.flow.val_at(node)
    if val is None:
        return False
    return any(a.call is not None and a.call.method in vocab.PREDICT_METHODS for a in module.flow.ancestors(val))


def _filtered_before(facts: Serving, fn: FunctionNode, node: ast.AST) -> bool:
    """A division whose denominator's zero rows were dropped earlier in the function
    (`df = df[df["n"] > 0]` before `df["x"] / df["n"]`)."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Div, ast.FloorDiv))):
        return False
    return any(isinstance(stmt, ast.Assign) and stmt.lineno < node.lineno and filters_rows(stmt.value, node.right)
               for stmt in facts.syntax.body_nodes(fn))


def _candidate(node: ast.AST) -> bool:
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, (ast.Div, ast.FloorDiv, ast.Pow))
    if isinstance(node, ast.Call):
        func = node.func
        return (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")) in LOGS
    return False


def _risk(facts: Serving, node: ast.AST) -> str | None:
    if isinstance(node, ast.Call) and last(_name(node.func)) in LOGS and node.args:
        func = last(_name(node.func))
        arg = node.args[0]
        if _in_range(arg) or (func == "log1p" or func == "sqrt") and (_nonnegative(arg) or _nonnegative_expr(arg, _bound_value(facts))):
            return None
        floor = facts.declared_floor(arg)
        if floor is not None and (floor[0] > 0 or floor[0] == 0 and (floor[1] or func in ("log1p", "sqrt"))
                                  or func == "log1p" and floor[0] >= -1 and (floor[0] > -1 or floor[1])):
            return None  # the request schema bounds the field (`Field(ge=0)`)
        if _positive_expr(facts, arg, _bound_value(facts)):
            return None  # log of a smoothed rate: (count + 0.5) / max(total, 0.5)
        if func == "sqrt":
            return "is NaN for negative values"
        return "is NaN for values below -1" if func == "log1p" else "is -inf at 0 and NaN for negative values"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        exponent = number(node.right)
        if exponent is not None and (exponent < 0 or exponent != int(exponent)) and not _in_range(node.left):
            if exponent > 0 and _nonnegative_expr(node.left, _bound_value(facts)):
                return None  # a root of what cannot be negative (an MSE ** 0.5)
            if _positive_expr(facts, node.left, _bound_value(facts)):
                return None
            return "is NaN or inf for zero or negative bases"
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Div, ast.FloorDiv)):
        denominator = node.right
        if _path_join(facts, node):
            return None
        if facts.above_zero(denominator):
            return None  # the request schema keeps it above zero (`Field(gt=0)`)
        if number(denominator) is None and not _in_range(denominator) and _reads_data(facts, denominator) \
                and not positive(facts.syntax, facts.enclosing(node), denominator) \
                and not _positive_expr(facts, denominator, _bound_value(facts)):
            return "is inf (or NaN for 0/0) when the denominator is zero"
    return None


def _path_join(facts: Serving, node: ast.BinOp) -> bool:
    """`directory / "model.joblib"`: pathlib's `/`, not a division."""
    texts = (ast.JoinedStr,)
    if any(isinstance(side, texts) or isinstance(side, ast.Constant) and isinstance(side.value, str)
           for side in (node.left, node.right)):
        return True
    return path_valued(facts.module, node.left)


def _name(node: ast.AST) -> str:
    return ast.unparse(node) if isinstance(node, (ast.Name, ast.Attribute)) else ""


def _in_range(node: ast.AST) -> bool:
    """Clipped, bounded or shifted by a positive constant (`n + 1`), or a constant."""
    if number(node) is not None:
        return True
    # `rooms if rooms > 0 else 1`: a tested value with a positive fallback
    if isinstance(node, ast.IfExp) and isinstance(node.test, ast.Compare) and any(
            (number(side) or 0) > 0 for side in (node.body, node.orelse)):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and (
            (number(node.right) or 0) > 0 or (number(node.left) or 0) > 0):
        return True
    return any(isinstance(n, ast.Call) and last(_name(n.func)) in RANGE_GUARDS for n in ast.walk(node))


def _nonnegative(node: ast.AST) -> bool:
    """The first column or field read is a count (`df["n_clicks"]`, `req.visits`); a variable's
    name is not read."""
    keys = [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    keys += [n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)]
    return bool(keys) and bool(COUNT_NAME.search(keys[0]))


def _bound_value(facts: Serving):
    """For a name, the expression its value was computed by (`variance = r.var()` gives `r.var()`)."""
    def resolve(name: ast.Name) -> ast.AST | None:
        val = facts.module.flow.val_at(name)
        node = val.node if val is not None else None
        return node if node is not None and not isinstance(node, (ast.Name, ast.arg)) else None
    return resolve


def _nonnegative_expr(node: ast.AST, resolve=None, depth: int = 4) -> bool:
    """Non-negative by construction: a square (`x ** 2`, `np.square`), an absolute value, a
    squared-error metric, a variance or standard deviation (`returns.var()`, `np.std(x)`), a count,
    or a sum, mean or product of such terms (the haversine's `sin(x) ** 2`)."""
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Pow):
            exponent = number(node.right)
            return exponent is not None and exponent % 2 == 0
        if isinstance(node.op, ast.Mult) and _great_circle_term(node, resolve, depth):
            return True
        if isinstance(node.op, ast.Sub) and _within(node.right) is not None and number(node.left) is not None:
            return number(node.left) >= _within(node.right)  # `1 - cos(x)`, `0.5 - cos(x) / 2`
        if isinstance(node.op, (ast.Add, ast.Mult, ast.Div)):
            return _nonnegative_expr(node.left, resolve, depth) and _nonnegative_expr(node.right, resolve, depth)
        return False
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and node.value >= 0
    if isinstance(node, ast.Name) and resolve is not None and depth > 0:
        bound = resolve(node)
        return bound is not None and _nonnegative_expr(bound, resolve, depth - 1)
    if isinstance(node, ast.Call):
        name = last(_name(node.func)) if isinstance(node.func, (ast.Name, ast.Attribute)) else ""
        if name in ("square", "abs", "fabs", "absolute", "mean_squared_error", "exp", "norm", "hypot", "var", "std",
                    "nanvar", "nanstd", "sqrt", "count", "len"):
            return True
        if name in ("sum", "mean", "nansum", "nanmean") and node.args:
            return _nonnegative_expr(node.args[0], resolve, depth)
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("sum", "mean") and not node.args:
            return _nonnegative_expr(node.func.value, resolve, depth)
    return False


def _great_circle_term(node: ast.BinOp, resolve, depth: int) -> bool:
    """`cos(lat1) * cos(lat2) * sin(dlon / 2) ** 2`, the haversine's second term: a square times
    cosines of latitudes (which lie within +-90 degrees, where the cosine is not negative)."""
    factors: list[ast.AST] = []
    stack: list[ast.AST] = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, ast.BinOp) and isinstance(cur.op, ast.Mult):
            stack += [cur.left, cur.right]
        else:
            factors.append(cur)
    cosines = [f for f in factors if isinstance(f, ast.Call) and last(_name(f.func)) == "cos"]
    rest = [f for f in factors if not any(f is c for c in cosines)]
    return len(cosines) == 2 and bool(rest) and all(_nonnegative_expr(f, resolve, depth) for f in rest) \
        and any(isinstance(f, ast.BinOp) and isinstance(f.op, (ast.Pow, ast.Sub)) for f in rest)


def _within(node: ast.AST) -> float | None:
    """A bound on the absolute value of a sine or cosine term: `cos(x)` is within 1, `cos(x) / 2`
    within 0.5, `2 * sin(x)` within 2."""
    if isinstance(node, ast.Call) and last(_name(node.func)) in ("cos", "sin"):
        return 1.0
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Div, ast.Mult)):
        if isinstance(node.op, ast.Div) and number(node.right) is None:
            return None  # `k / cos(x)` is unbounded
        inner, scale = (node.left, node.right) if number(node.right) is not None else (node.right, node.left)
        bound, k = _within(inner), number(scale)
        if bound is None or not k:
            return None
        return bound / abs(k) if isinstance(node.op, ast.Div) else bound * abs(k)
    return None


def _positive_expr(facts: Serving, node: ast.AST, resolve, depth: int = 8) -> bool:
    """Above zero by construction: a positive constant or name holding one, a term plus a positive
    one (`count + 0.5`, read as ML405 reads a smoothed denominator), `max(x, positive)`, `exp(x)`, and products and quotients of such
    terms; a column read resolves to the expression it was written with."""
    if depth < 0:
        return False
    fn = facts.enclosing(node)
    if positive(facts.syntax, fn, node):
        return True
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Add):  # a smoothing term: `count + 0.5` (as ML405 reads `d + k`)
            return any(_positive_expr(facts, side, resolve, depth - 1) for side in (node.left, node.right))
        if isinstance(node.op, (ast.Mult, ast.Div)):
            return all(_positive_expr(facts, side, resolve, depth - 1) for side in (node.left, node.right))
        return False
    if isinstance(node, ast.Call):
        name = last(_name(node.func)) if isinstance(node.func, (ast.Name, ast.Attribute)) else ""
        if name in ("max", "maximum", "fmax") and len(node.args) >= 2:
            return any(_positive_expr(facts, a, resolve, depth - 1) for a in node.args)
        if name == "clip" or name == "clip_lower":
            # `np.clip(x, low, high)` names the array first; `x.clip(low, high)` is a method of it
            function = (facts.module.imports.resolve(node.func) or "").startswith(("numpy.", "torch."))
            position = 1 if function and name == "clip" else 0
            low = node.args[position] if len(node.args) > position else next(
                (k.value for k in node.keywords if k.arg in ("lower", "a_min", "min")), None)
            return low is not None and _positive_expr(facts, low, resolve, depth - 1)
        call = facts.module.flow.call_at(node)
        callee = call.callee.node if call is not None and call.callee is not None else None
        if callee is None:  # a function nested in the caller's
            callee = facts.syntax.called_function(node)
        if callee is not None:  # the module's own function: every value it returns
            returns = [n.value for n in facts.syntax.body_nodes(callee) if isinstance(n, ast.Return)]
            return bool(returns) and all(r is not None and _positive_expr(facts, r, resolve, depth - 2) for r in returns)
        return name == "exp"
    written = written_column(facts.module, node)
    if written is not None:
        return _positive_expr(facts, written, resolve, depth - 1)
    if isinstance(node, ast.Name) and resolve is not None:
        bound = resolve(node)
        return bound is not None and _positive_expr(facts, bound, resolve, depth - 1)
    return False


def _reads_data(facts: Serving, node: ast.AST) -> bool:
    """A column, a field or a variable; not `len(x)`, a constant, or a value of the model or the
    configuration (`bundle["temperature"]`, `self.scale`, `settings.norm`): what the names are bound
    to decides, not what they are called."""
    if isinstance(node, ast.Call) and last(_name(node.func)) in ("len", "float", "int") and not node.args[1:]:
        return False
    if _size(facts, node):
        return False
    names = [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]
    scope = facts.enclosing(node)
    if names and all(_model_or_config(facts, n) or _fitted_statistic(facts, n, scope) for n in names):
        return False
    root = data_root(node)
    if root is not node and isinstance(root, ast.Name) and _model_or_config(facts, root.id):
        return False  # `stats["std"][name]`, `self.scale_[i]`
    return any(isinstance(n, (ast.Subscript, ast.Name, ast.Attribute)) for n in ast.walk(node))


# Classes whose methods are a network's own arithmetic (layers, losses, training modules), not
# feature code: a division there normalises activations or averages a loss.
NETWORK_BASES = libraries.names("network_base")
OPTIMISERS = ("scipy.optimize.",)


def _network_internals(facts: Serving, fn: FunctionNode) -> bool:
    """A method of a class derived from a network module (`torch.nn.Module`, a Keras layer or loss)."""
    for anc in facts.syntax.ancestors(fn):
        if isinstance(anc, ast.ClassDef):
            return any((facts.module.imports.resolve(b) or "") in NETWORK_BASES for b in anc.bases)
    return False


def _optimiser_objective(facts: Serving, fn: FunctionNode) -> bool:
    """A function handed to an optimiser (`scipy.optimize.minimize(objective, x0)`): its arithmetic
    runs on the optimiser's trial values, not on features."""
    for call in facts.module.calls:
        if (call.qualname or "").startswith(OPTIMISERS) and any(
                isinstance(a, ast.Name) and a.id == fn.name for a in [*call.node.args, *(k.value for k in call.node.keywords)]):
            return True
    return False


def _size(facts: Serving, node: ast.AST, depth: int = 3) -> bool:
    """A count of elements: `len(x)`, `x.shape[1]`, `x.size(0)`, `x.numel()`, `x.shape[1] - 1`, or a
    name every binding of which is one. Zero only for an empty input, never a data value."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
        return (_size(facts, node.left, depth) or number(node.left) is not None) and \
            (_size(facts, node.right, depth) or number(node.right) is not None) and \
            not (number(node.left) is not None and number(node.right) is not None)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "shape":
        return True
    if isinstance(node, ast.Call):
        name = last(_name(node.func))
        return name == "len" or (isinstance(node.func, ast.Attribute) and node.func.attr in ("numel", "size", "nelement")
                                 and len(node.args) <= 1)
    if isinstance(node, ast.Name) and depth > 0:
        bound = facts.module.flow.bindings_by_name.get(node.id)
        return bool(bound) and all(v is not None and v.node is not None and _size(facts, v.node, depth - 1) for v in bound)
    return False


def _model_or_config(facts: Serving, name: str) -> bool:
    """`name` is `self`/`cls`, or every value bound to it is a constant or comes from a loaded
    artifact or configuration (a model, a JSON/YAML file, the environment)."""
    if name in ("self", "cls"):
        return True
    flow = facts.module.flow
    bound = flow.bindings_by_name.get(name)
    if not bound:
        return facts.module.imports.is_imported(name)
    # each value a constant itself, or derived from a loaded artifact or configuration
    return all(v.flags & LITERAL or any(loaded_or_configured(a) for a in flow.ancestors(v)) for v in bound)


def _fitted_statistic(facts: Serving, name: str, scope: FunctionNode | None) -> bool:
    """Every value bound to `name` reads a stored statistic by its key (`stats["std"]`,
    `params["scale"]`): a fitted constant handed in, not the request's data. The key is data the
    code carries (it survives renaming), not a variable's name."""
    return bool(facts.module.flow.bound_only_to(
        name, lambda v: isinstance(v.key, str) and bool(STAT_KEY.search(v.key)), scope=scope))


def _reads_column(facts: Serving, node: ast.AST) -> bool:
    """The risky operand reads a data column: `df["visits"]`, `row[f"x_{h}"]`, `pl.col("x")`, or a
    variable computed from one (`median_28d = prices.transform(...)`)."""
    operand = node.right if isinstance(node, ast.BinOp) else (node.args[0] if isinstance(node, ast.Call) and node.args else node)
    for sub in ast.walk(operand):
        if isinstance(sub, ast.Name):
            val = facts.module.flow.val_at(sub)
            for n, anc in enumerate(facts.module.flow.ancestors(val) if val is not None else ()):
                if n > 60:
                    break  # a long derivation: left unread (the finding is dropped, not invented)
                if isinstance(anc.key, (str, tuple)):
                    return True
        if isinstance(sub, ast.Subscript) and isinstance(sub.slice, (ast.Constant, ast.JoinedStr, ast.Name)) \
                and not (isinstance(sub.slice, ast.Constant) and not isinstance(sub.slice.value, str)):
            return True  # `df["visits"]`, `df[f"x_{h}"]`, `df[target]`
        if isinstance(sub, ast.Call) and last(_name(sub.func)) == "col" and sub.args:
            return True
    return False


def _feature_value(facts: Serving, node: ast.AST) -> bool:
    """The value is stored (a column, a variable, a dict entry) or returned, not logged or compared."""
    for anc in facts.syntax.ancestors(node):
        if isinstance(anc, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return, ast.Dict)):
            return True
        if isinstance(anc, (ast.Compare, ast.JoinedStr, ast.If, ast.While, ast.Assert)) or isinstance(anc, ast.stmt):
            return False
    return False


def _cleaned_around(facts: Serving, node: ast.AST) -> bool:
    """The result is cleaned in the same expression: `(a / b).clip(upper=5)`, `np.nan_to_num(a / b)`."""
    for anc in facts.syntax.ancestors(node):
        if isinstance(anc, ast.stmt):
            return False
        if isinstance(anc, ast.Call) and last(_name(anc.func)) in SANITIZERS | {"nan_to_num"}:
            return True
    return False


def _guarded_name(facts: Serving, fn: FunctionNode, node: ast.AST) -> bool:
    """The operand is a local variable assigned from a clipped or shifted value
    (`months = (...).clip(lower=1)`, then `orders / months`)."""
    operand = node.right if isinstance(node, ast.BinOp) else (node.args[0] if isinstance(node, ast.Call) else None)
    if not isinstance(operand, ast.Name):
        return False
    assigns = [n for n in facts.syntax.body_nodes(fn) if isinstance(n, ast.Assign) and n.lineno < node.lineno
               and any(isinstance(t, ast.Name) and t.id == operand.id for t in n.targets)]
    # the last assignment before the use, in source order (the body is walked breadth-first); when
    # it sits in a branch of an `if`, the other branch's last assignment reaches the use too
    if not assigns:
        return False
    last_one = max(assigns, key=lambda n: (n.lineno, n.col_offset))
    reaching = [last_one]
    branch = facts.syntax.parent.get(id(last_one))
    if isinstance(branch, ast.If):
        for block in (branch.body, branch.orelse):
            inside = [a for a in assigns if any(a is sub for stmt in block for sub in ast.walk(stmt))]
            if inside:
                reaching.append(max(inside, key=lambda n: (n.lineno, n.col_offset)))
    return all(_in_range(a.value) or _no_data(a.value) for a in reaching)


def _no_data(node: ast.AST) -> bool:
    """A constant or a missing value (`np.nan`, `None`): nothing from the data to divide by."""
    return isinstance(node, ast.Constant) or isinstance(node, ast.Attribute) and node.attr in ("nan", "NaN", "NA")


def _sanitised(facts: Serving, fn: FunctionNode) -> bool:
    """The function removes non-finite values from its result: `nan_to_num`, `isfinite`,
    `replace([np.inf, -np.inf], ...)`."""
    for call in facts.calls_in(fn):
        name = call.method or call.short
        if name in ("nan_to_num", "isfinite", "isinf"):
            return True
        if name == "replace" and any("inf" in ast.unparse(a) for a in call.node.args):
            return True
    return False


def _guarded_later(facts: Serving, fn: FunctionNode, node: ast.AST) -> bool:
    """The column it is written to is cleaned by a later statement (`df[c] = df[c].fillna(0)`)."""
    column = _written_column(facts, node)
    if column is None:
        return False
    for other in facts.own_nodes(fn):
        if isinstance(other, ast.Call) and other.lineno > node.lineno and isinstance(other.func, ast.Attribute) \
                and other.func.attr in SANITIZERS and column in ast.unparse(other.func.value):
            return True
    return False


def _written_column(facts: Serving, node: ast.AST) -> str | None:
    for anc in facts.syntax.ancestors(node):
        if isinstance(anc, ast.Assign):
            target = anc.targets[0]
            if isinstance(target, ast.Subscript):
                return ast.unparse(target.slice)
            return target.id if isinstance(target, ast.Name) else None
        if isinstance(anc, ast.stmt):
            return None
    return None


def _under_test(facts: Serving, node: ast.AST) -> bool:
    """Inside `np.where(den != 0, num / den, 0)`, `x if den else 0` or `if den > 0:`."""
    names = {ast.unparse(n) for n in ast.walk(node) if isinstance(n, (ast.Name, ast.Subscript, ast.Attribute))}
    for anc in facts.syntax.ancestors(node):
        test = None
        if isinstance(anc, (ast.If, ast.IfExp, ast.While)):
            test = anc.test
        elif isinstance(anc, ast.Call) and last(_name(anc.func)) == "where" and anc.args:
            test = anc.args[0]
        if test is not None and {ast.unparse(n) for n in ast.walk(test)} & names:
            return True
        if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
    return False


UnguardedNanInf.invalid = [
    # the seed's feature builder: a log of a score that can be negative, ratios of counts
    """
    import numpy as np

    def build_features(rows):
        df = rows.copy()
        df["score_squared"] = df["lead_score"] ** 2
        df["score_log"] = np.log1p(df["lead_score"])  # ruleid: ML508
        df["touchpoint_log"] = np.log1p(df["touchpoint_count"])
        df["email_click_rate"] = df["email_clicks"] / df["email_opens"]  # ruleid: ML508
        df["page_views_per_day"] = df["page_views"] / (df["days_since_created"] + 1)
        df["engagement_to_score_ratio"] = df["engagement_score"] / df["lead_score"]  # ruleid: ML508
        return df[FEATURES]
    """,
    # FastAPI: a per-request feature dict with math.log and a square root of a difference
    """
    import math
    from fastapi import FastAPI
    app = FastAPI()

    @app.post("/price")
    def price(req: Listing):
        row = {
            "log_area": math.log(req.area_m2),  # ruleid: ML508
            "spread": (req.high - req.low) ** 0.5,  # ruleid: ML508
        }
        return {"price": float(MODEL.predict([list(row.values())])[0])}
    """,
]

UnguardedNanInf.valid = [
    # an early exit on the denominator; a log of shares clipped away from zero by a nested helper
    """
    import numpy as np
    import pandas as pd

    def blend(rows):
        total = rows["weight"].sum()
        if total == 0:
            raise ValueError("no weight")
        rows["share"] = rows["weight"] / total
        return rows

    def drift(ref, cur, edges):
        def shares(x):
            counts, _ = np.histogram(x, bins=edges)
            return np.clip(counts / counts.sum(), 1e-6, 1.0)
        a, b = shares(ref["price"]), shares(cur["price"])
        return pd.DataFrame({"drift": [float(np.sum((b - a) * np.log(b / a)))]})
    """,
    # a tested denominator with a positive fallback; a period every caller gives as a constant
    """
    import joblib
    import numpy as np
    model = joblib.load("price.joblib")

    def cyclical(value, period):
        return np.sin(2 * np.pi * value / period)

    def price(listing):
        rooms = listing["bedrooms"] + listing["bathrooms"]
        rooms = rooms if rooms > 0 else 1
        per_room = listing["area"] / rooms
        return model.predict([[per_room, cyclical(listing["month"], 12), cyclical(listing["hour"], 24)]])[0]
    """,
    # guarded transforms, and a frame made finite before predicting
    """
    import numpy as np

    def build_features(df):
        df["score_log"] = np.log1p(df["lead_score"].clip(lower=0))
        df["rate"] = df["clicks"] / df["opens"].replace(0, np.nan)
        df["per_day"] = df["views"] / (df["days"] + 1)
        return df

    def finite(df):
        df["ratio"] = df["a"] / df["b"]
        return df.replace([np.inf, -np.inf], np.nan).fillna(0)
    """,
    # a division under a test of its denominator, a column cleaned afterwards, a count's log1p
    """
    import numpy as np
    from flask import Flask
    app = Flask(__name__)

    def features(rec):
        ratio = rec["clicks"] / rec["opens"] if rec["opens"] else 0.0
        rec["n_log"] = np.log1p(rec["order_count"])
        rec["avg"] = rec["revenue"] / rec["orders"]
        rec["avg"] = rec["avg"].fillna(0)
        return ratio
    """,
    # great-circle distances written the two usual ways: the square root's argument cannot be negative
    """
    import joblib
    import numpy as np
    from math import asin, cos, sqrt
    model = joblib.load("eta.joblib")

    def km_a(lat1, lon1, lat2, lon2):
        lat1, lon1, lat2, lon2 = map(np.radians, [lat1, lon1, lat2, lon2])
        a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
        return 6371 * 2 * np.arcsin(np.sqrt(a))

    def km_b(lat1, lon1, lat2, lon2):
        p = 0.017453292519943295
        h = 0.5 - cos((lat2 - lat1) * p) / 2 + cos(lat1 * p) * cos(lat2 * p) * (1 - cos((lon2 - lon1) * p)) / 2
        return 12742 * asin(sqrt(h))

    def eta(trip):
        return model.predict([[km_a(trip["lat"], trip["lon"], trip["to_lat"], trip["to_lon"]),
                               km_b(trip["lat"], trip["lon"], trip["to_lat"], trip["to_lon"])]])[0]
    """,
]
