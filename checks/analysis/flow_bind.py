"""Binding values to names, attributes, subscripts and tuples, and recognising splits as they
are bound (a mixin of `FlowAnalysis`)."""
from __future__ import annotations

import ast
from functools import cached_property

from wicked_data.checks.analysis import vocab
from wicked_data.checks.analysis.flowtypes import (
    _SPLIT_SHORTS,
    LITERAL,
    CallSite,
    ColumnWrite,
    Split,
    Val,
    _is_literal,
    _mentions_time,
    _nested_role,
    str_list,
)
from wicked_data.checks.analysis.names import dotted, last
from wicked_data.checks.analysis.rowparts import _row_part, _rows_kept, row_part_roles


class Bindings:
    """How assignments bind values and register splits (reads the walk state of `FlowAnalysis`)."""

    # ------------------------------------------------------------------ binding
    def _bind(self, target: ast.expr, val: Val | None, value_node: ast.expr | None, stmt: ast.stmt) -> None:
        if isinstance(target, ast.Name):
            bound = val if val is not None else self._leaf(value_node or target)
            if val is not None and val.name is None:
                val.name = target.id
            self._env[target.id] = bound
            self.bindings.append((target.id, bound))
            self._maybe_slice_split(value_node, bound, scope=self._function.node if self._function else self._tree)
        elif isinstance(target, (ast.Tuple, ast.List)):
            self._bind_tuple(target, val, value_node, stmt)
        elif isinstance(target, ast.Subscript):
            self._bind_subscript(target, val, stmt)
        elif isinstance(target, ast.Attribute):
            self._bind_attribute(target, val, value_node)
        elif isinstance(target, ast.Starred):
            self._bind(target.value, val, value_node, stmt)

    def _env_defining(self, name: str) -> dict[str, Val]:
        """The env that holds `name` (`resources["model"] = ...` in a function fills the module's
        `resources`), or the current one."""
        frame = self._scope_stack[-1]
        for env in (frame[0], *frame[4]):
            if name in env:
                return env
        return frame[0]

    def _leaf(self, node: ast.AST) -> Val:
        """A value with no tracked origin: a literal, or a library attribute (`request.json`),
        which is data, not a constant."""
        val = Val(node)
        if _is_literal(node):
            val.flags |= LITERAL
        return val

    def _bind_attribute(self, target: ast.Attribute, val: Val | None, value_node) -> None:
        base = target.value
        if isinstance(base, ast.Name) and base.id == "self" and self._class is not None:
            bound = val if val is not None else self._leaf(value_node or target)
            self.classes.setdefault(self._class, {})[target.attr] = bound
        elif isinstance(base, ast.Name) and base.id in self._env and val is not None:
            holder = self._env[base.id]
            self._env[base.id] = self._derived(target, [holder, val])

    def _bind_subscript(self, target: ast.Subscript, val: Val | None, stmt: ast.stmt) -> None:
        """`df['c'] = v`, `df.loc[:, 'c'] = v`, `df[['a', 'b']] = v`: column writes on a frame."""
        frame_node = target.value
        key_node = target.slice
        if isinstance(frame_node, ast.Attribute) and frame_node.attr in ("loc", "at", "iloc"):
            frame_node = frame_node.value
            if isinstance(key_node, ast.Tuple) and len(key_node.elts) == 2:
                key_node = key_node.elts[1]
            else:
                key_node = None
        columns = str_list(key_node) if key_node is not None else None
        frame = self._eval(frame_node)
        if columns:
            for column in columns:
                self.column_writes.append(ColumnWrite(frame, column, val, stmt, self._scope))
        if isinstance(frame_node, ast.Name):
            env = self._env_defining(frame_node.id)
            new = self._derived(stmt, [frame])
            new.shape = frame.shape if frame is not None and frame.shape else "frame"
            new.name = frame_node.id
            new.colvals = dict(frame.colvals or {}) if frame is not None else {}
            for column in columns or ():
                if val is not None:
                    new.colvals[column] = val
            if not columns and val is not None:
                new.parents.append(val)
            env[frame_node.id] = new
        elif isinstance(frame_node, ast.Attribute) and isinstance(frame_node.value, ast.Name) \
                and frame_node.value.id == "self" and self._class:
            new = self._derived(stmt, [frame, val])
            self.classes.setdefault(self._class, {})[frame_node.attr] = new

    def _bind_tuple(self, target: ast.Tuple | ast.List, val: Val | None, value_node, stmt) -> None:
        elts = target.elts
        call = val.call if val is not None else None
        split = self._split_for_call(call) if call is not None else None
        if split is None and call is not None and call.method is None and call.short == "next" and call.args \
                and call.args[0] is not None and call.args[0].call is not None:
            split = self._split_for_call(call.args[0].call)  # `tr, te = next(splitter.split(X, y))`
        if split is None and call is not None and call.callee is not None and len(call.callee.returns) == 1 \
                and call.callee.returns[0] is not None and call.callee.returns[0].call is not None:
            # `a, b, c, d = prepare(df)` where prepare() ends in `return train_test_split(X, y)`
            inner = self._split_for_call(call.callee.returns[0].call)
            if inner is not None and inner.kind == "function" and len(elts) == 2 * len(inner.inputs):
                split = inner
        if split is not None:
            if len(elts) == 1 and isinstance(elts[0], (ast.Tuple, ast.List)):
                elts = elts[0].elts  # `(tr, te), = splitter.split(X, y)`: the one split's parts
            self._bind_split_outputs(split, elts, val, stmt)
            return
        callee = call.callee if call is not None else None
        if callee is not None and callee.returned_tuples and all(len(t) == len(elts) for t in callee.returned_tuples):
            # `dev, test = split(df)` where split() ends in `return dev, test`: position by position
            for pos, sub_target in enumerate(elts):
                parts = [t[pos] for t in callee.returned_tuples]
                child = self._derived(sub_target, parts)
                child.ctor = next((p.ctor for p in parts if p is not None and p.ctor), None)
                self._bind(sub_target, child, None, stmt)
                self._returned_row_split(sub_target, parts, child)
            return
        if isinstance(value_node, (ast.Tuple, ast.List)) and len(value_node.elts) == len(elts) \
                and not any(isinstance(e, ast.Starred) for e in value_node.elts):
            for sub_target, sub_node in zip(elts, value_node.elts):
                self._bind(sub_target, self._eval(sub_node), sub_node, stmt)
            return
        for sub_target in elts:
            child = self._derived(sub_target, [val]) if val is not None else None
            self._bind(sub_target, child, None, stmt)

    def _bind_split_outputs(self, split: Split, elts: list[ast.expr], val: Val | None, stmt) -> None:
        roles = self._positional_roles(split, len(elts))
        for pos, sub_target in enumerate(elts):
            # each part derives from the array it was cut from, not from the other arrays split with it
            index = pos // 2 if split.kind == "function" else 0
            source = split.inputs[index] if index < len(split.inputs) and split.kind == "function" else val
            child = self._derived(sub_target, [source] if source is not None else [])
            name = dotted(sub_target)
            role = _nested_role(roles[pos], split)
            # A part of a split of already-split rows is described by the inner split alone: the
            # validation part cut from the held-out rows is validation, no longer "test" as well.
            nested = any(value.roles for value in split.inputs[:1])
            child.roles = frozenset({(id(split), role)}) if nested else child.roles | {(id(split), role)}
            child.name = name
            if split.inputs and split.inputs[0].shape:
                child.shape = split.inputs[min(pos // 2, len(split.inputs) - 1)].shape
            split.outputs.append((child, role))
            self._bind(sub_target, child, None, stmt)

    @staticmethod
    def _positional_roles(split: Split, count: int) -> list[str]:
        if split.kind == "function":  # train_test_split: a_train, a_test, b_train, b_test, ...
            return ["train" if i % 2 == 0 else "test" for i in range(count)]
        if count >= 3:  # `train, val, test = random_split(data, [0.7, 0.15, 0.15])`: the parts between are validation
            return ["train"] + ["validation"] * (count - 2) + ["test"]
        return ["train"] + ["test"] * (count - 1)

    def _bind_for_target(self, target: ast.expr, iter_node: ast.expr, iter_val: Val | None, stmt) -> None:
        inner = iter_node
        inner_target = target
        # for i, (tr, te) in enumerate(kf.split(X)):
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "enumerate" \
                and inner.args and isinstance(target, ast.Tuple) and len(target.elts) == 2:
            self._bind(target.elts[0], None, None, stmt)
            inner = inner.args[0]
            inner_target = target.elts[1]
        call = self._call_of(inner)
        split = self._split_for_call(call) if call is not None else None
        if split is not None and isinstance(inner_target, (ast.Tuple, ast.List)):
            self._bind_split_outputs(split, inner_target.elts, call.val, stmt)
            return
        element = self._derived(target, [iter_val]) if iter_val is not None else None
        self._bind(target, element, None, stmt)

    def _call_of(self, node: ast.expr) -> CallSite | None:
        return self._calls_by_node.get(id(node))

    @cached_property
    def bindings_by_name(self) -> dict[str, list[Val]]:
        """Every value bound to each name, in walk order."""
        out: dict[str, list[Val]] = {}
        for name, val in self.bindings:
            out.setdefault(name, []).append(val)
        return out

    def call_at(self, node: ast.AST) -> CallSite | None:
        """The call recorded for a syntax node, if any."""
        return self._calls_by_node.get(id(node))

    # ------------------------------------------------------------------ splits
    def _split_for_call(self, call: CallSite) -> Split | None:
        for split in reversed(self.splits):
            if split.call is call:
                return split
        return None

    def _register_split(self, call: CallSite) -> None:
        if call.short not in _SPLIT_SHORTS and call.method not in ("split", "drop") \
                and call.method not in vocab.SPLIT_METHODS:
            return
        if call.is_(*vocab.SPLIT_FUNCS):
            shuffle = call.kwarg_node("shuffle")
            shuffled = not (isinstance(shuffle, ast.Constant) and shuffle.value is False)
            inputs = [a for a in call.args if a is not None]
            self.splits.append(Split("function", call.node, call, inputs, shuffled=shuffled,
                                     temporal=not shuffled, splitter=call.name))
        elif call.is_(*vocab.RANDOM_SPLIT_FUNCS):
            inputs = [a for a in call.args[:1] if a is not None]
            self.splits.append(Split("random_split", call.node, call, inputs, shuffled=True, splitter=call.name))
        elif call.method == "split" and call.receiver is not None and call.receiver.ctor \
                and last(call.receiver.ctor) in vocab.SPLITTER_CLASSES:
            cls = last(call.receiver.ctor)
            inputs = [a for a in call.args[:1] if a is not None]
            # a splitter asked for one split (`StratifiedShuffleSplit(n_splits=1)`) cuts a hold-out, not folds
            kind = "holdout" if _one_split(call.receiver.node) else "splitter"
            self.splits.append(Split(kind, call.node, call, inputs, shuffled=self._splitter_shuffles(call.receiver),
                                     temporal=cls in vocab.TEMPORAL_SPLITTERS, splitter=call.receiver.ctor))
        elif call.method in vocab.SPLIT_METHODS and call.receiver is not None and call.args:
            # `train, test = sdf.randomSplit([0.8, 0.2], seed=7)`: parts in the order of the weights
            self.splits.append(Split("random_split", call.node, call, [call.receiver], shuffled=True,
                                     splitter=call.method))
        elif call.method == "drop" and call.receiver is not None:
            self._sample_drop_split(call)

    @staticmethod
    def _splitter_shuffles(splitter: Val) -> bool:
        cls = last(splitter.ctor)
        if cls in vocab.SHUFFLED_SPLITTERS:
            return True
        node = splitter.node
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg == "shuffle":
                    return not (isinstance(kw.value, ast.Constant) and not kw.value.value)
        return False

    def _sample_drop_split(self, call: CallSite) -> None:
        """`train = df.sample(frac=0.8); test = df.drop(train.index)`."""
        arg = call.arg(0, "index") or call.arg(0, "labels")
        if arg is None:
            return
        sampled = next((p for p in [arg, *arg.parents] if p.call is not None and p.call.method == "sample"), None)
        if sampled is None:
            return
        split = Split("sample", sampled.call.node, sampled.call, [sampled.call.receiver] if sampled.call.receiver else [],
                      shuffled=True, splitter="DataFrame.sample")
        sampled.roles = sampled.roles | {(id(split), "train")}
        split.outputs.append((sampled, "train"))
        if call.val is not None:
            call.val.roles = call.val.roles | {(id(split), "test")}
            split.outputs.append((call.val, "test"))
        self.splits.append(split)

    def _returned_row_split(self, target: ast.expr, parts: list[Val | None], val: Val) -> None:
        """`train, test = time_split(df)` where the helper ends in
        `return df[df.date < cut], df[df.date >= cut]`: a split by rows, made in the helper."""
        part = parts[0] if len(parts) == 1 else None
        if not isinstance(target, ast.Name) or part is None or not isinstance(part.node, ast.Subscript) \
                or not part.parents:
            return
        base = part.parents[0]
        if isinstance(base.node, ast.Attribute) and base.node.attr in ("loc", "iloc") and base.parents:
            base = base.parents[0]
        self._maybe_slice_split(part.node, val, base, scope=getattr(part.fn, "node", None) or self._tree)

    def _maybe_slice_split(self, value_node: ast.expr | None, val: Val, base: Val | None = None,
                           scope: ast.AST | None = None) -> None:
        """`a = df[df.date < cutoff]` with `b = df[df.date >= cutoff]`, `a = X[:n]` with `b = X[n:]`: a
        split by rows, when the code takes complementary parts (`row_part_roles`). `base` is the
        frame cut, when it was evaluated elsewhere (in a helper's body)."""
        value_node = _rows_kept(value_node) if value_node is not None else None
        if not isinstance(value_node, ast.Subscript):
            return
        key = value_node.slice.elts[0] if isinstance(value_node.slice, ast.Tuple) and value_node.slice.elts \
            else value_node.slice
        if _row_part(key) is None:
            return  # not a head, tail or mask: most subscripts (`df["a"]`, `X[:, 0]`) end here
        scope = scope if scope is not None else self._tree
        roles = self._part_roles.get(id(scope))
        if roles is None:
            roles = self._part_roles[id(scope)] = row_part_roles(scope)
        role = roles.get(id(value_node))
        if role is None:
            return
        base_node = value_node.value
        is_iloc = isinstance(base_node, ast.Attribute) and base_node.attr in ("iloc", "loc")
        if is_iloc:
            base_node = base_node.value
        key = value_node.slice
        if isinstance(key, ast.Tuple) and key.elts:
            key = key.elts[0]
        if isinstance(key, ast.Slice):
            kind, temporal = "slice", True
        else:
            kind, temporal = "mask", _mentions_time(key)
        base = base if base is not None else self._eval(base_node)
        if base is None or base.roles:
            return  # a filter on a split's output is not another split
        split = self._slice_splits.get(id(base))
        if split is None:
            shuffled = kind == "slice" and self._shuffled_rows(base)
            split = Split(kind, value_node, None, [base], shuffled=shuffled, temporal=temporal and not shuffled,
                          splitter=kind)
            self._slice_splits[id(base)] = split
            self.splits.append(split)
        val.roles = val.roles | {(id(split), role)}
        split.outputs.append((val, role))


    def _shuffled_rows(self, val: Val) -> bool:
        """The rows were put in random order on their way here (`df.sample(frac=1)`,
        `sklearn.utils.shuffle`, indexing by a permutation) and not sorted again since: cutting
        them by position is a random split, not a cut in time."""
        seen: set[int] = set()
        stack = [val]
        while stack:
            cur = stack.pop()
            if id(cur) in seen:
                continue
            seen.add(id(cur))
            call = cur.call
            if call is not None:
                name = call.method or last(call.qualname or call.spelled or "")
                if name in ("sort_values", "sort_index", "sort", "argsort", "sorted"):
                    continue  # ordered again
                if name in ("sample", "shuffle", "permutation"):
                    return True
            stack += [*cur.parents, *cur.index]
        return False


def _one_split(node: ast.AST | None) -> bool:
    if not isinstance(node, ast.Call):
        return False
    n = next((kw.value for kw in node.keywords if kw.arg == "n_splits"), node.args[0] if node.args else None)
    return isinstance(n, ast.Constant) and n.value == 1
