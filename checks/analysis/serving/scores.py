"""Probabilities and what is done to them: which values hold a predicted probability (one data
flow, from `predict_proba` through helpers and returns), hand-made calibration steps, and values
exposed as a confidence that are computed from the probability alone."""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterator

from wicked_data.checks.analysis.names import last
from wicked_data.checks.analysis.serving.base import (
    CALIBRATION_NAME,
    CONFIDENCE_NAME,
    PROBA_METHODS,
    PROBA_PARAM,
    SIGMOID_CALLS,
    _constant_side,
    _delegates_confidence,
    _has_exp,
    _is_number,
    _named_values,
    _non_epsilon_bounds,
    _number,
    _target_of,
    _uncertainty,
    _unwrapped,
)
from wicked_data.checks.analysis.syntax import FunctionNode, Syntax, chain_name, resolved_last


@dataclass(eq=False)
class Step:
    """Something done to a predicted probability: a calibration step or a confidence score."""

    node: ast.AST
    function: FunctionNode | None
    kind: str  # 'sigmoid' | 'clamp' | 'power' | 'rescale' | 'confidence'
    target: str  # the name or key it is stored under ('' when unnamed)
    parts: list[str] = field(default_factory=list)  # the kinds of the steps nested in it, its own first
    by_name: bool = False  # the value is a probability only because a parameter is named like one

    @property
    def line(self) -> int:
        return self.node.lineno



class ScoreFacts:
    """The probability part of `Serving` (a mixin: it reads the module, syntax and functions)."""

    @cached_property
    def _code_probabilities(self) -> set[int]:
        """Ids of the values computed from a `predict_proba` call, through the module's data flow
        (assignments, branches, helper parameters and returns, `self` attributes)."""
        flow = self.module.flow
        return flow.downstream(c.val for c in self.module.calls if c.method in PROBA_METHODS and c.val is not None)

    @cached_property
    def _probabilities(self) -> set[int]:
        """`_code_probabilities`, also seeded by probability-named parameters (name evidence: a
        helper whose callers are in another file)."""
        flow = self.module.flow
        named = [val for fn in [*flow.functions.values(), *flow.nested] for name, val in fn.params.items()
                 if PROBA_PARAM.match(name)]
        return self._code_probabilities | flow.downstream(named)

    def _holds(self, node: ast.AST, ids: set[int]) -> bool:
        if not ids:
            return False
        val_at = self.module.flow.val_at
        for sub in ast.walk(node):
            val = val_at(sub)
            if val is not None and id(val) in ids:
                return True
        return False

    def by_name_only(self, node: ast.AST, fn: FunctionNode) -> bool:
        """`node` holds a probability only because a parameter is named like one."""
        return not self._holds(node, self._code_probabilities)

    @cached_property
    def _has_probabilities(self) -> bool:
        """The module calls `predict_proba` or has a probability-named parameter: there is a seed."""
        return any(c.method in PROBA_METHODS for c in self.module.calls) or any(
            PROBA_PARAM.match(a.arg) for fn in self.functions
            for a in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs])

    def is_probability(self, node: ast.AST, fn: FunctionNode) -> bool:
        return self._has_probabilities and self._holds(node, self._probabilities)

    @cached_property
    def calibration_steps(self) -> list[Step]:
        """Hand-made transformations of predicted probabilities: a sigmoid, a clamp with bounds that
        are not numerical epsilons, a power, a linear rescale stored under a calibration-like name."""
        out: list[Step] = []
        for fn, node in self._probability_code():
            kind = self._calibration_kind(node, fn)
            if kind:
                out.append(Step(node, fn, kind, _target_of(self.syntax, node), by_name=self.by_name_only(node, fn)))
        return _outermost(self.syntax, out)

    def _probability_code(self) -> Iterator[tuple[FunctionNode, ast.AST]]:
        """(function, node) for every node of the functions that hold or compute a probability:
        where calibration and confidence scores are looked for."""
        if not self._has_probabilities:
            return
        for fn in self.functions:
            if self._has_proba_call(fn) or any(self.is_probability(n, fn) for n in self.own_nodes(fn)
                                               if isinstance(n, ast.expr)):
                for node in self.own_nodes(fn):
                    yield fn, node

    def _has_proba_call(self, fn: FunctionNode) -> bool:
        return any(c.method in PROBA_METHODS for c in self.calls_in(fn))

    def _calibration_kind(self, node: ast.AST, fn: FunctionNode) -> str | None:
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Div) and _is_number(node.left, 1) and _has_exp(node.right) \
                    and self.is_probability(node.right, fn):
                return "sigmoid"
            if isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant) \
                    and isinstance(node.right.value, (int, float)) and node.right.value not in (1, 2) \
                    and self.is_probability(node.left, fn) and not _has_exp(node.left):
                return "power"
            if isinstance(node.op, (ast.Mult, ast.Add, ast.Sub)) and self.is_probability(node, fn) \
                    and isinstance(self.syntax.parent.get(id(node)), (ast.Assign, ast.AnnAssign)) \
                    and _constant_side(node) and CALIBRATION_NAME.search(_target_of(self.syntax, node)) \
                    and not CONFIDENCE_NAME.search(_target_of(self.syntax, node)):
                return "rescale"
        if isinstance(node, ast.Call):
            name = resolved_last(node.func, self.module.imports)
            args = [*node.args, *(k.value for k in node.keywords)]
            if name in SIGMOID_CALLS and args and self.is_probability(args[0], fn):
                return "sigmoid"
            if name in ("max", "min") and len(node.args) == 2 and self._clamp(node, fn):
                return "clamp"
            if name in ("clip", "clamp", "minimum", "maximum") and self.is_probability(node, fn) \
                    and _non_epsilon_bounds(node, self.constants):
                return "clamp"
        return None

    def _clamp(self, node: ast.Call, fn: FunctionNode) -> bool:
        """`max(lo, min(hi, p))` / `min(hi, max(lo, p))` with constant bounds."""
        numbers = self.constants
        consts = [a for a in node.args if _number(a, numbers) is not None]
        inner = [a for a in node.args if isinstance(a, ast.Call) and last(chain_name(a.func)) in ("max", "min")]
        if len(consts) != 1 or not self.is_probability(node, fn):
            return False
        bounds = [_number(consts[0], numbers)]
        if inner:
            bounds += [_number(a, numbers) for a in inner[0].args if _number(a, numbers) is not None]
        return any(b is not None and 1e-3 <= b <= 1 - 1e-3 for b in bounds)

    @cached_property
    def confidence_scores(self) -> list[Step]:
        """Values exposed as a 'confidence' (a dict key, a keyword, a field) that are computed from
        the probability alone, reported where they are computed. A local variable or a helper
        merely named like a confidence is name evidence (`Step.by_name`)."""
        out: list[Step] = []
        for fn, node in self._probability_code():
            named = [(target, value, isinstance(node, (ast.Assign, ast.AnnAssign)))
                     for target, value in _named_values(node)]
            if isinstance(node, ast.Return) and node.value is not None and CONFIDENCE_NAME.search(fn.name):
                named.append((fn.name, node.value, True))
            for target, value, by_name in named:
                if not CONFIDENCE_NAME.search(target):
                    continue
                core = _unwrapped(value)
                origin = self._assigned_value(fn, core) if isinstance(core, ast.Name) else None
                value = origin if origin is not None else value
                if self.is_probability(value, fn) and not _uncertainty(value) and not _delegates_confidence(value):
                    out.append(Step(value, fn, "confidence", target,
                                    by_name=by_name or self.by_name_only(value, fn)))
        out.sort(key=lambda step: step.by_name)  # the exposed confidence first, where a line has both
        seen: set[int] = set()
        kept = [s for s in out if not (s.line in seen or seen.add(s.line))]
        return sorted(kept, key=lambda step: (step.line, step.node.col_offset))

    def _assigned_value(self, fn: FunctionNode, name: ast.Name) -> ast.expr | None:
        """The last value assigned to `name` in `fn` before it is read."""
        before = [v for v in self.syntax.assigned_values(fn, name.id) if v.lineno <= name.lineno]
        return before[-1] if before else None


def _outermost(syn: Syntax, steps: list[Step]) -> list[Step]:
    """Drop steps nested inside another step (the sigmoid inside `max(0.05, min(0.95, sigmoid))`
    is reported once, as the outer expression's statement)."""
    by_id = {id(s.node): s for s in steps}
    out = []
    for step in steps:
        outer = [by_id[id(a)] for a in syn.ancestors(step.node) if id(a) in by_id]
        if outer:
            outer[-1].parts.append(step.kind)
        else:
            step.parts.insert(0, step.kind)
            out.append(step)
    return out
