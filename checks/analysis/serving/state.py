"""Module state on a serving path: globals written by request handlers, the locks that guard
them, model registries, and prediction caches with what invalidates them."""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Iterator

from wicked_data.checks.analysis.loads import UNSAFE_LOADS, unsafe_load
from wicked_data.checks.analysis.names import last
from wicked_data.checks.analysis.serving.base import (
    CACHE_CTORS,
    CACHE_DECORATORS,
    EVICTION_METHODS,
    LOCK_CTORS,
    LOCK_NAME,
    PREDICT_METHODS,
    SQL_START,
    _binding,
    _dotted_names,
    _number,
    _params_of,
    _strings,
    _target_name,
    _versionish,
)
from wicked_data.checks.analysis.syntax import FunctionNode, chain_name, decorator_names, resolved_last


@dataclass(eq=False)
class GlobalWrite:
    """A module-level name (or an entry of a module-level dict, or an attribute of `self`) assigned
    inside a function."""

    node: ast.AST  # the assignment statement
    function: FunctionNode
    name: str
    kind: str  # 'global' | 'item' | 'attribute'
    value: ast.expr
    lazy: ast.If | None  # the `if X is None` / `if not X` / `if key not in REGISTRY` it is under
    locked: bool  # inside `with lock:` (or after `lock.acquire()`)

    @property
    def line(self) -> int:
        return self.node.lineno


@dataclass(eq=False)
class PredictionCache:
    node: ast.AST  # the decorator or the cache write
    function: FunctionNode
    kind: str  # 'decorator' | 'object'
    spelled: str  # '@cached(ttl=300)', 'CACHE[key] = ...'
    key_names: set[str]  # names that make up the key (parameters for a decorator)

    @property
    def line(self) -> int:
        return self.node.lineno



class StateFacts:
    """The state part of `Serving` (a mixin)."""

    # ------------------------------------------------------------------ globals, locks, registries
    @cached_property
    def constants(self) -> dict[str, float]:
        """Module-level names bound to a number (`FLOOR = 0.05`)."""
        out = {}
        for name, value in self._module_bindings():
            number = _number(value)
            if number is not None:
                out[name] = number
        return out

    @cached_property
    def module_names(self) -> set[str]:
        out = set()
        for stmt in self.module.tree.body:
            value, targets = _binding(stmt)
            out |= targets
        return out

    @cached_property
    def locks(self) -> set[str]:
        """Module-level names (and `self.` attributes) bound to a lock."""
        out = set()
        for node in self.syntax.nodes:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call) \
                    and resolved_last(node.value.func, self.module.imports) in LOCK_CTORS:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                out |= {_target_name(t) for t in targets}
        return out

    def locked(self, node: ast.AST) -> bool:
        """Inside `with lock:` / `async with lock:`, or after `lock.acquire()` in the same function."""
        for anc in self.syntax.ancestors(node):
            if isinstance(anc, (ast.With, ast.AsyncWith)):
                for item in anc.items:
                    name = chain_name(item.context_expr.func if isinstance(item.context_expr, ast.Call)
                                   else item.context_expr)
                    if last(name) in self.locks or LOCK_NAME.search(name):
                        return True
            if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "acquire"
                           and n.lineno < node.lineno for n in self.syntax.body_nodes(anc))
        return False

    @cached_property
    def global_writes(self) -> list[GlobalWrite]:
        """Shared state written inside functions: `global X; X = ...`, `REGISTRY[key] = ...` on a
        module-level name, `self.attr = ...` in a method."""
        out = []
        for fn in self.functions:
            declared = {n for s in self.syntax.body_nodes(fn) if isinstance(s, ast.Global) for n in s.names}
            for node in self.syntax.body_nodes(fn):
                if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
                    continue
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    write = self._global_write(fn, node, target, declared)
                    if write is not None:
                        out.append(write)
        return out

    def _global_write(self, fn: FunctionNode, node: ast.AST, target: ast.expr, declared: set[str]) -> GlobalWrite | None:
        value = node.value  # type: ignore[attr-defined]
        if isinstance(target, ast.Name) and target.id in declared:
            name, kind = target.id, "global"
        elif isinstance(target, ast.Subscript) and isinstance(target.value, (ast.Name, ast.Attribute)) \
                and (chain_name(target.value) in self.module_names or chain_name(target.value).startswith("self.")):
            name, kind = chain_name(target.value), "item"
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self" \
                and fn.name != "__init__":
            name, kind = f"self.{target.attr}", "attribute"
        else:
            return None
        return GlobalWrite(node, fn, name, kind, value, self._lazy(node, name), self.locked(node))

    def _lazy(self, node: ast.AST, name: str) -> ast.If | None:
        """The test that the shared value is missing it is under: `if X is None`, `if not X`,
        `if k not in X`."""
        for anc in self.syntax.ancestors(node):
            if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return None
            if isinstance(anc, ast.If) and _dotted_names(anc.test) & {name, name.split(".")[-1]}:
                test = anc.test
                if isinstance(test, (ast.UnaryOp, ast.BoolOp)) and not (
                        isinstance(test, ast.UnaryOp) and not isinstance(test.op, ast.Not)):
                    return anc
                if isinstance(test, ast.Compare) and any(isinstance(op, (ast.Is, ast.NotIn, ast.Eq)) for op in test.ops):
                    return anc
        return None

    def is_model_load(self, value: ast.expr) -> bool:
        """The expression loads a model: a deserialiser, a model loader, a loader helper."""
        for sub in ast.walk(value):
            if isinstance(sub, (ast.Attribute, ast.Name)) and self.module.imports.resolve(sub) in UNSAFE_LOADS:
                return True  # `run_in_executor(None, joblib.load, path)`
            if not isinstance(sub, ast.Call):
                continue
            call = self.module.flow.call_at(sub)
            if call is not None and unsafe_load(call) is not None:
                return True
            name = last(chain_name(sub.func))
            if re.match(r"^_?(load|restore|read)_?(model|pipeline|bundle|artifact|latest|predictor|classifier)\w*$|"
                        r"^from_pretrained$|^load_model$", name, re.I):
                return True
            if call is not None and call.callee is not None and self._returns_load(call.callee.node):
                return True
        return False

    def _returns_load(self, fn: FunctionNode) -> bool:
        return any(isinstance(n, ast.Call) and (c := self.module.flow.call_at(n)) is not None
                   and c.callee is None and unsafe_load(c) is not None for n in self.syntax.body_nodes(fn))

    @cached_property
    def module_dicts(self) -> dict[str, ast.AST]:
        """Module-level names bound to an empty dict (`{}`, `dict()`, `defaultdict(...)`), and
        instance attributes so bound in `__init__`."""
        out: dict[str, ast.AST] = {}
        for node in self.syntax.nodes:
            if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
                continue
            value = node.value
            empty = (isinstance(value, ast.Dict) and not value.keys) or (
                isinstance(value, ast.Call) and last(chain_name(value.func)) in ("dict", "defaultdict", "OrderedDict")
                and not value.args[1:] and not value.keywords)
            if not empty:
                continue
            fn = self.enclosing(node)
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                name = _target_name(target)
                if fn is None and isinstance(target, ast.Name) or fn is not None and fn.name == "__init__" \
                        and name.startswith("self."):
                    out[name] = node
        return out

    def evicted(self, name: str) -> bool:
        """Entries of `name` are removed somewhere (pop, del, clear) or its size is checked."""
        short = name.split(".")[-1]
        for node in self.syntax.nodes:
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in EVICTION_METHODS \
                    and chain_name(node.func.value).split(".")[-1] == short:
                return True
            if isinstance(node, ast.Delete) and any(isinstance(t, ast.Subscript) and chain_name(t.value).split(".")[-1] == short
                                                    for t in node.targets):
                return True
            if isinstance(node, ast.Call) and chain_name(node.func) == "len" and node.args \
                    and chain_name(node.args[0]).split(".")[-1] == short and isinstance(self.syntax.parent.get(id(node)), ast.Compare):
                return True
        return False

    # ------------------------------------------------------------------ caches
    @cached_property
    def prediction_caches(self) -> list[PredictionCache]:
        """Caches in front of predictions: a caching decorator on a function that predicts, and
        writes into a module-level cache (a `TTLCache`, a dict named like a cache) of a value computed
        from a prediction."""
        out = []
        for fn in self.functions:
            for deco in fn.decorator_list:
                name = resolved_last(deco.func if isinstance(deco, ast.Call) else deco, self.module.imports)
                if name in CACHE_DECORATORS and self.predicts(fn):
                    keys = self._argument_evidence(fn)
                    if isinstance(deco, ast.Call):
                        for kw in deco.keywords:
                            if kw.arg in ("key", "key_builder", "typed_key"):
                                keys |= _dotted_names(kw.value) | _strings(kw.value)
                    out.append(PredictionCache(deco, fn, "decorator", "@" + ast.unparse(deco), keys))
        imports = self.module.imports
        caches = {n for n, v in self._module_bindings() if isinstance(v, ast.Call)
                  and resolved_last(v.func, imports) in CACHE_CTORS}
        caches |= {n for n in self.module_dicts if self._memoised(n)}
        if not caches:
            return out
        for fn in self.functions:
            for node in self.syntax.body_nodes(fn):
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Subscript):
                    target = node.targets[0]
                    if chain_name(target.value) in caches and self.predicts(fn):
                        keys = self._key_names(fn, target.slice)
                        out.append(PredictionCache(node, fn, "object", ast.unparse(target) + " = ...", keys))
        return out

    def _module_bindings(self) -> Iterator[tuple[str, ast.expr]]:
        for stmt in self.module.tree.body:
            if isinstance(stmt, ast.Assign):
                for t in stmt.targets:
                    if isinstance(t, ast.Name):
                        yield t.id, stmt.value
                    elif isinstance(t, ast.Tuple) and isinstance(stmt.value, ast.Tuple) \
                            and len(t.elts) == len(stmt.value.elts):  # `FLOOR, CEILING = 0.02, 0.98`
                        for name, value in zip(t.elts, stmt.value.elts):
                            if isinstance(name, ast.Name):
                                yield name.id, value
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
                yield stmt.target.id, stmt.value

    @cached_property
    def _module_binding_map(self) -> dict[str, list[ast.expr]]:
        out: dict[str, list[ast.expr]] = {}
        for name, value in self._module_bindings():
            out.setdefault(name, []).append(value)
        return out

    def _key_names(self, fn: FunctionNode | None, key: ast.expr) -> set[str]:
        """What a cache key is built from: the strings and attributes of its expression, following
        the names in it to what they are bound to (in the function, then the module). Variable
        names are followed, not read: renaming them changes nothing."""
        local: dict[str, list[ast.expr]] = {}
        for node in self.syntax.body_nodes(fn) if fn is not None else ():
            value, targets = _binding(node)
            if value is not None:
                for target in targets:
                    local.setdefault(target, []).append(value)
        module = self._module_binding_map
        out: set[str] = set()
        seen: set[str] = set()
        todo = [key]
        while todo:
            for sub in ast.walk(todo.pop()):
                if isinstance(sub, ast.Name) and sub.id not in seen:
                    seen.add(sub.id)
                    todo += local.get(sub.id, []) or module.get(sub.id, [])
                elif isinstance(sub, ast.Attribute):
                    out.add(sub.attr)
                elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    out.add(sub.value)
        return out

    def _argument_evidence(self, fn: FunctionNode) -> set[str]:
        """What the arguments of a memoised function are built from, at its calls in this file, and
        what its parameters select (`registry.get(version)`: a parameter that picks the model).
        With no call in the file, the parameters' names (the callers are elsewhere)."""
        params = [a.arg for a in _params_of(fn) if a.arg not in ("self", "cls")]
        out: set[str] = set()
        calls = [c for c in self.module.calls if c.callee is not None and c.callee.node is fn]
        for call in calls:
            caller = self.enclosing(call.node)
            for arg in [*call.node.args, *(k.value for k in call.node.keywords)]:
                out |= self._key_names(caller, arg)
        for node in self.own_nodes(fn):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("get", "load", "__getitem__") \
                    and any(isinstance(a, ast.Name) and a.id in params for a in node.args) \
                    and self._selects_model(node, fn):
                out.add("version")  # the key picks the model
        return out | (set(params) if not calls else set())

    def _selects_model(self, call: ast.Call, fn: FunctionNode) -> bool:
        """The looked-up value is then used to predict (`registry.get(v).predict_proba(...)`)."""
        for node in self.own_nodes(fn):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in PREDICT_METHODS:
                receiver = node.func.value
                if receiver is call or any(sub is call for sub in ast.walk(receiver)):
                    return True
                if isinstance(receiver, (ast.Name, ast.Subscript)):
                    root = receiver.value if isinstance(receiver, ast.Subscript) else receiver
                    if isinstance(root, ast.Name) and self._assigned_value(fn, root) is not None \
                            and any(sub is call for sub in ast.walk(self._assigned_value(fn, root))):
                        return True
        return False

    def _memoised(self, name: str) -> bool:
        """A dict used as a memo: some function looks a key up in it (`k in d`, `d.get(k)`) and stores
        into it (`d[k] = ...`)."""
        for fn in self.functions:
            looks = stores = False
            for node in self.syntax.body_nodes(fn):
                if isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops) \
                        and any(chain_name(c) == name for c in node.comparators):
                    looks = True
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                        and node.func.attr in ("get", "setdefault") and chain_name(node.func.value) == name:
                    looks = True
                elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Subscript) and chain_name(t.value) == name
                                                          for t in node.targets):
                    stores = True
            if looks and stores:
                return True
        return False

    @cached_property
    def properties(self) -> dict[str, set[str]]:
        """Top-level classes and the names of their `@property` methods."""
        out = {}
        for node in self.module.tree.body:
            if isinstance(node, ast.ClassDef):
                names = {f.name for f in node.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                         and "property" in decorator_names(f)}
                if names:
                    out[node.name] = names
        return out

    @cached_property
    def column_writes(self) -> dict[int, list]:
        """The module's column writes by enclosing function (id), in line order."""
        out: dict[int, list] = {}
        for write in sorted(self.module.flow.column_writes, key=lambda w: w.line):
            fn = self.enclosing(write.node)
            out.setdefault(id(fn) if fn is not None else 0, []).append(write)
        return out

    @cached_property
    def sql_constants(self) -> set[str]:
        """Module-level names bound to a SQL query string."""
        return {name for name, value in self._module_bindings()
                if isinstance(value, ast.Constant) and isinstance(value.value, str) and SQL_START.match(value.value)}

    @staticmethod
    def key_has_version(cache: PredictionCache) -> bool:
        return any(_versionish(n) for n in cache.key_names)


