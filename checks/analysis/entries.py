"""Inference entry points and the caller data that reaches their model: route handlers, functions
handed a caller's record, command lines parsing one; what validates that data on the way (a mixin
of `Inference`)."""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from wicked_data.checks.analysis import vocab
from wicked_data.checks.analysis.flowtypes import CallSite, Val
from wicked_data.checks.analysis.loads import unsafe_load
from wicked_data.checks.analysis.names import data_root, last
from wicked_data.checks.analysis.syntax import FunctionNode, chain_name, returns_early_when_set, syntax, unset_test

if TYPE_CHECKING:
    from wicked_data.checks.analysis.production import Load, Prediction

# ---------------------------------------------------------------------- vocabulary
# Calls whose result is data read from storage: caller data stops there (it is a file, not a request).
READERS = re.compile(r"^(read_\w+|open|load|loads?_\w+|fetch\w*|query|execute|scan_\w+)$")
# Readers that look rows up by what the caller passes (`db.fetch_lead_rows(lead_ids)`): the caller
# picks the rows scored, a service keyed by id. A function that also stores results is a batch job.
KEYED_READERS = re.compile(r"^(fetch\w*|query|execute)$")
WRITERS = re.compile(r"^(to_(sql|csv|parquet|json|excel|feather|pickle)|write\w*|dump|save\w*|insert\w*|upload\w*|"
                     r"put_object|executemany|bulk_\w+)$")
VALIDATOR = re.compile(r"(^|_)(valid\w*|check\w*|schema\w*|parse(?!_args)\w*|sanitis\w*|sanitiz\w*|verify\w*|"
                       r"conform\w*|coerce\w*|model_validate\w*|parse_obj|assert_\w+)($|_)", re.I)
RAW_ANNOTATIONS = {"dict", "Dict", "list", "List", "Any", "Request", "object", "Mapping", "MutableMapping",
                   "bytes", "Json", "JSONType", "Body", "Sequence"}


@dataclass(eq=False)
class Origin:
    """Where caller data enters: a parameter, a request read, a command-line argument."""

    kind: str  # 'param' | 'request' | 'cli'
    node: ast.AST  # the parameter (ast.arg) or the expression reading the request/arguments
    function: FunctionNode | None
    validated: bool  # on its way to the model it went through a validator
    names: frozenset[str]  # variable names it travelled through (for explicit checks)
    val: Val | None = None
    keyed: bool = False  # it only selects stored rows (`fetch_rows(lead_ids)`): a key, not the model's input

    @property
    def line(self) -> int:
        return self.node.lineno


@dataclass(eq=False)
class Entry:
    """An inference entry point: where a caller hands data that ends up in the model."""

    function: FunctionNode | None
    kind: str  # 'route' | 'function' | 'cli' | 'batch'
    predictions: list[Prediction]
    origins: list[Origin] = field(default_factory=list)
    reach: list[FunctionNode] = field(default_factory=list)  # the function and what it calls in the module

    @property
    def online(self) -> bool:
        """Serves one request or record at a time (a route or a scoring function), not a batch."""
        return self.kind in ("route", "function")

    @property
    def name(self) -> str:
        return self.function.name if self.function is not None else "<module>"


# Widgets whose branch runs when the user acts (a button press), not on every Streamlit rerun.
ACTIONS = {"button", "form_submit_button", "download_button"}


class EntryFacts:
    """Entry points and caller data (reads the structure, loads and predictions of `Inference`)."""

    # ------------------------------------------------------------------ caller data
    def origins(self, prediction: Prediction) -> list[Origin]:
        """Where the data given to the model comes from, when a caller supplies it."""
        found: dict[tuple[int, bool], Origin] = {}
        start = [(v, False, frozenset(), None, False) for v in prediction.inputs]
        seen: set[tuple[int, bool]] = set()
        while start:
            val, validated, names, child, keyed = start.pop()
            key = (id(val), validated)
            if key in seen:
                continue
            seen.add(key)
            if val.name:
                names = names | {val.name}
            call = val.call
            if call is not None and child is not None and self._is_validator(call):
                validated = True
            origin = self._origin(val, child)
            if origin is not None:
                kind, node = origin
                if keyed and kind != "param":
                    continue
                fn = self.syntax.function_of(node) if kind != "param" else self._function_of_arg(node)
                found.setdefault((id(node), validated), Origin(kind, node, fn, validated, names, val, keyed))
                if kind != "param":
                    continue
            if call is not None and _is_reader(call):
                # data read from storage, not handed over by a caller; a lookup by key
                # (`db.fetch_lead_rows(lead_ids)`) still tells whose rows are scored
                if not keyed and KEYED_READERS.match(call.method or call.short or ""):
                    start += [(a, True, names, val, True) for a in [*call.args, *call.kwargs.values()] if a is not None]
                continue
            for parent in val.parents:
                start.append((parent, validated, names, val, keyed))
        # an origin reached both validated and not counts as unvalidated
        out: dict[int, Origin] = {}
        for (node_id, validated), origin in found.items():
            if node_id not in out or not validated:
                out[node_id] = origin
        return list(out.values())

    def _origin(self, val: Val, child: Val | None) -> tuple[str, ast.AST] | None:
        node = val.node
        if isinstance(node, ast.arg):
            return "param", node
        call = val.call
        if call is not None and (call.name or "").startswith(("flask.request.", "fastapi.Request", "starlette.requests")):
            return "request", call.node
        if isinstance(node, ast.Attribute) and (self.module.imports.resolve(node) or "").startswith("flask.request."):
            return "request", node
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) \
                and (self.module.imports.resolve(node.value) or "").startswith("flask.request."):
            return "request", node  # `request.form["age"]`: the imported request object holds no value of its own
        if call is not None and call.method == "parse_args":
            return "cli", (child.node if child is not None and child.node is not None else call.node)
        if call is not None and (call.is_("input") and call.method is None or (call.qualname or "").startswith("sys.stdin")):
            return "cli", call.node
        if isinstance(node, ast.Subscript) and (self.module.imports.resolve(node.value) or "") == "sys.argv":
            return "cli", node
        return None

    def _function_of_arg(self, arg: ast.arg) -> FunctionNode | None:
        for anc in self.syntax.ancestors(arg):
            if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return anc
            if isinstance(anc, ast.Lambda):
                return None
        return None

    def _is_validator(self, call: CallSite) -> bool:
        if call.callee is not None:  # a function of this file: what it does, not what it is called
            return _rejects_bad_input(call.callee.node)
        if VALIDATOR.search(call.method or call.short or ""):  # a library's or another file's validator
            return True
        # `Order(**payload)`, `Order.model_validate(payload)` with a schema class of this module
        return call.short in self.schema_classes and call.method is None or (call.method in ("model_validate", "parse_obj", "validate", "load")
                                   and isinstance(call.node.func, ast.Attribute)
                                   and chain_name(call.node.func.value).split(".")[0] in self.schema_classes)

    @cached_property
    def schema_classes(self) -> set[str]:
        """Classes of the module that declare a schema (pydantic, marshmallow, dataclasses, TypedDict...)."""
        out = set()
        for node in syntax(self.module).nodes:
            if isinstance(node, ast.ClassDef):
                bases = {last(chain_name(b)) for b in node.bases}
                decos = {last(chain_name(d.func if isinstance(d, ast.Call) else d)) for d in node.decorator_list}
                if bases - {"object", "Exception", "ABC"} or decos & {"dataclass", "define", "attrs"}:
                    out.add(node.name)
        return out

    # ------------------------------------------------------------------ entry points
    @cached_property
    def entries(self) -> list[Entry]:
        """Route handlers that reach a prediction; functions whose own parameter (a caller's record)
        reaches the model and that no function of the module calls; command lines whose parsed
        arguments reach the model."""
        out: list[Entry] = []
        owned: set[int] = set()
        for route in self.routes:
            reach = self.reach(route)
            preds = self._predictions_in(reach, owned)
            if preds:
                out.append(Entry(route, "route", preds, reach=reach))
                owned |= {id(p) for p in preds}
        found: dict[int, Entry] = {}
        for pred in self.predictions:
            if id(pred) in owned:
                continue
            for origin in self.origins(pred):
                fn = origin.function
                key = id(fn) if fn is not None else 0
                if key in found:
                    continue
                if origin.kind == "param" and (fn is None or _model_param(origin.node) or self.is_startup(fn)
                                               or self._called_in_functions(fn) or self.is_model_adapter(fn)):
                    continue
                if self._signature_only(pred):
                    continue  # `infer_signature(X, model.predict(X))` while logging a trained model
                if origin.kind not in ("param", "cli") or origin.keyed and self._writes_output(fn):
                    continue  # keyed by a batch job that stores its scores
                kind = "function" if origin.kind == "param" and not self._command_line(fn) else "cli"
                if kind == "function" and (_frame_param(self.syntax, fn, origin.node) or self.batch_job(fn)):
                    kind = "batch"  # handed a whole frame it slices or indexes: analysis or batch code
                if fn is None:
                    preds = [p for p in self.predictions if p.function is None and id(p) not in owned]
                    found[key] = Entry(None, kind, preds)
                else:
                    reach = self.reach(fn)
                    found[key] = Entry(fn, kind, self._predictions_in(reach, owned), reach=reach)
        out += [e for e in found.values() if e.predictions]
        for entry in out:
            entry.origins = self._entry_origins(entry)
        return [e for e in out if e.kind == "route" or e.origins]

    def is_model_adapter(self, fn: FunctionNode) -> bool:
        """`predict(self, X)` of a class that also defines `fit`: a model wrapper implementing the
        estimator protocol, called by training and serving code alike; its callers are the entries."""
        owner = next((a for a in self.syntax.ancestors(fn) if isinstance(a, (ast.ClassDef, ast.FunctionDef,
                                                                             ast.AsyncFunctionDef))), None)
        if not isinstance(owner, ast.ClassDef):
            return False
        methods = {n.name for n in owner.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        if methods & {"fit", "train", "partial_fit"}:
            return True
        # `predict_proba(self, frame)` that hands `frame` as it is to the models it holds: an adapter
        if fn.name not in vocab.PREDICT_METHODS:
            return False
        params = {a.arg for a in fn.args.args[1:]}
        return any(p.function is fn and p.inputs and all(isinstance(v.node, ast.arg) and v.node.arg in params
                                                           for v in p.inputs) for p in self.predictions)

    def _signature_only(self, pred: Prediction) -> bool:
        """The prediction only feeds MLflow's signature inference (a training-time logging step)."""
        node = pred.node
        for anc in self.syntax.ancestors(node):
            if isinstance(anc, ast.Call):
                name = self.module.imports.resolve(anc.func) or ""
                if last(name) == "infer_signature":
                    return True
            if isinstance(anc, ast.stmt):
                break
        val = self.module.flow.val_at(node)
        if val is None:
            return False
        users = [c for c in self.module.calls if c.short == "infer_signature"]
        return bool(users) and any(self.module.flow.derives_from(a, val) for c in users
                                   for a in [*c.args, *c.kwargs.values()] if a is not None)

    @cached_property
    def command_functions(self) -> set[int]:
        """Ids of the functions a command line runs: command bodies and what they call in the module."""
        out: set[int] = set()
        for fn in self.syntax.functions:
            if self._command_line(fn) or any(c.method == "parse_args" for c in self.calls_in.get(id(fn), [])):
                out |= {id(f) for f in self.reach(fn)}
        return out

    def _command_line(self, fn: FunctionNode | None) -> bool:
        """A command's body: a click/typer command, or a function the module's `__main__` block
        calls with parsed command-line arguments."""
        if fn is None:
            return True
        for deco in fn.decorator_list:
            name = self.module.imports.resolve(deco.func if isinstance(deco, ast.Call) else deco) or ""
            if name.startswith(("click.", "typer.")) or last(name) == "command":
                return True
        callers = self.callers(fn)
        if not callers or any(self.syntax.function_of(c.node) is not None for c in callers):
            return False
        return any(self._origin(a, None) is not None and self._origin(a, None)[0] == "cli"
                   for c in callers for v in [*c.args, *c.kwargs.values()] if v is not None
                   for a in self.module.flow.ancestors(v))

    def batch_job(self, fn: FunctionNode | None) -> bool:
        """`fn` is part of an offline job, not a service: it writes its results to storage itself, or
        its only callers are this script's top level, which writes the results (a submission file,
        a scored table)."""
        if fn is None or self.routes or self.rerun_functions is not None or self.launches_ui:
            return False  # a service or an app
        if any(_stores(call) for f in self.reach(fn) for call in self.calls_in.get(id(f), [])):
            return True
        callers = self.callers(fn)
        return bool(callers) and all(self.syntax.function_of(c.node) is None for c in callers) and any(
            _stores(call) for call in self.calls_in.get(0, []))

    def _writes_output(self, fn: FunctionNode | None) -> bool:
        """`fn` or what it calls writes results to storage: a batch job, not a service."""
        if fn is None:
            return True
        return any(WRITERS.match(call.method or call.short or "")
                   for f in self.reach(fn) for call in self.calls_in.get(id(f), []))

    def _predictions_in(self, functions: list[FunctionNode], owned: set[int]) -> list[Prediction]:
        ids = {id(f) for f in functions}
        return [p for p in self.predictions if p.function is not None and id(p.function) in ids and id(p) not in owned]

    def _called_in_functions(self, fn: FunctionNode) -> bool:
        """Called by another function of the module (a helper, not an entry point); calls from
        module-level code (`if __name__ == "__main__":`) do not count."""
        return any(self.syntax.function_of(c.node) is not None for c in self.callers(fn))

    def _entry_origins(self, entry: Entry) -> list[Origin]:
        ids = {id(f) for f in entry.reach} if entry.function is not None else {0}
        out: dict[int, Origin] = {}
        for pred in entry.predictions:
            for origin in self.origins(pred):
                if origin.kind == "param":
                    if origin.function is not entry.function or _model_param(origin.node):
                        continue
                elif (id(origin.function) if origin.function is not None else 0) not in ids:
                    continue
                if id(origin.node) not in out or not origin.validated:
                    out[id(origin.node)] = origin
        return list(out.values())

    def unvalidated(self, entry: Entry) -> list[Origin]:
        """The entry's caller data that reaches the model with no schema, type or range check. A
        batch job's own arguments (a run date, a threshold) are not caller data: its rows are read
        from storage."""
        origins = entry.origins
        if any(o.kind == "cli" for o in origins) and self._scores_stored_rows(entry):
            origins = [o for o in origins if o.kind != "cli"]
        return [o for o in origins if not self._validated(entry, o)]

    def _scores_stored_rows(self, entry: Entry) -> bool:
        """The rows given to the model are read from a file or a table (not a model artifact)."""
        flow = self.module.flow
        return any(a.call is not None and _is_reader(a.call) and unsafe_load(a.call) is None
                   for pred in entry.predictions for val in pred.inputs for a in flow.ancestors(val, rows=True))

    def _validated(self, entry: Entry, origin: Origin) -> bool:
        if origin.validated:
            return True
        if origin.kind == "param" and (_schema_annotation(origin.node, self.schema_classes) or self._ui_supplied(origin)):
            return True
        if origin.kind == "request" and self._form_text(origin):
            return True
        functions = entry.reach or ([entry.function] if entry.function is not None else [])
        for fn in functions:
            for call in self.calls_in.get(id(fn), []):
                if self._is_validator(call) and self._about(call.node, origin):
                    return True
            for node in self.syntax.body_nodes(fn):
                if isinstance(node, ast.If) and _rejects(node.body) and self._about(node.test, origin):
                    return True
                if isinstance(node, ast.Assert) and self._about(node.test, origin):
                    return True
        return False

    def _ui_supplied(self, origin: Origin) -> bool:
        """The parameter only ever receives values from UI input components that fix their type and
        range: a Gradio callback's inputs, or a Streamlit script's widgets (sliders, select boxes,
        number inputs). Free text counts when it reaches the model as text; a text box turned into a
        number (`float(text)`) is not checked by anything."""
        fn = origin.function
        if fn is None or not isinstance(origin.node, ast.arg):
            return False
        params = [*fn.args.posonlyargs, *fn.args.args]
        pos = next((i for i, a in enumerate(params) if a is origin.node), None)
        converted = self._converted_in(fn, origin)
        kinds = self._gradio_inputs(fn, pos)
        if kinds is not None:
            return bool(kinds) and all(k not in _FREE_FORM_COMPONENTS and not (k in _TEXT_COMPONENTS and converted)
                                       for k in kinds)
        callers = self.callers(fn)
        if not callers:
            return False
        for call in callers:
            arg = call.arg(pos, origin.node.arg) if pos is not None else call.kwargs.get(origin.node.arg)
            if arg is None or not self._from_widgets(arg, converted):
                return False
        return True

    def _form_text(self, origin: Origin) -> bool:
        """A form field taken by key (`request.form["message"]`: Flask answers a missing key with 400)
        that reaches the model as text, through a text encoder (a vectoriser, a tokenizer): any
        string is a valid input there. Strings packed straight into a numeric row are not."""
        node = origin.node
        if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute)
                and node.value.attr in ("form", "args", "values")) or origin.val is None:
            return False
        flow = self.module.flow
        for call in self.module.calls:
            if call.method not in _TEXT_ENCODING or not any(
                    a is not None and flow.derives_from(a, origin.val, rows=False) for a in call.args):
                continue
            if call.method != "transform" or call.receiver is not None and any(
                    last(a.ctor or "").endswith(("Vectorizer", "TextVectorization")) for a in flow.ancestors(call.receiver)):
                return True  # a tokenizer's call, or a text vectoriser's transform
        return False

    def _converted_in(self, fn: FunctionNode, origin: Origin) -> bool:
        """The parameter goes through a number conversion (`float(x)`, `int(x)`, `pd.to_numeric`)."""
        flow = self.module.flow
        return origin.val is not None and any(
            _converts(call) and any(a is not None and flow.derives_from(a, origin.val, rows=False) for a in call.args)
            for call in self.calls_in.get(id(fn), []))

    def _gradio_inputs(self, fn: FunctionNode, pos: int | None) -> list[str] | None:
        """The kinds of the Gradio components that feed parameter `pos` of `fn` when `fn` is a
        Gradio callback (`gr.Interface(fn=...)`, `button.click(fn, inputs=...)`); None otherwise."""
        found = None
        for call in self.module.calls:
            target = call.kwarg_node("fn") or (call.node.args[0] if call.node.args else None)
            if not (isinstance(target, ast.Name) and target.id == fn.name):
                continue
            gradio = (call.qualname or "").startswith("gradio.") or call.receiver is not None and any(
                (a.ctor or "").startswith("gradio.") for a in self.module.flow.ancestors(call.receiver))
            if not gradio:
                continue
            spec = call.kwarg_node("inputs")
            if spec is None and (call.qualname or "").endswith("Interface") and len(call.node.args) > 1:
                spec = call.node.args[1]
            items = spec.elts if isinstance(spec, (ast.List, ast.Tuple)) else [spec] if spec is not None else []
            if isinstance(spec, (ast.List, ast.Tuple)) and pos is not None:
                items = items[pos:pos + 1]
            found = (found or []) + [self._component_kind(item) for item in items]
        return found

    def _component_kind(self, node: ast.AST | None) -> str:
        """The kind of a Gradio input component: `gr.Number()`, `gr.Textbox`, `"number"`, or a
        variable holding one (`box = gr.Textbox()`)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return _GRADIO_COMPONENTS.get(node.value.lower(), "bounded")
        target = node.func if isinstance(node, ast.Call) else node
        name = self.module.imports.resolve(target) if target is not None else None
        if not (name or "").startswith("gradio.") and isinstance(node, ast.Name):
            val = self.module.flow.val_at(node)
            name = next((a.ctor for a in self.module.flow.ancestors(val) if (a.ctor or "").startswith("gradio.")), None) \
                if val is not None else None
        if not (name or "").startswith("gradio."):
            return "free"  # a component we cannot see: assume nothing
        return _GRADIO_COMPONENTS.get(last(name).lower(), "bounded")

    def _from_widgets(self, val: Val, converted: bool) -> bool:
        """Every caller-side source of `val` is a Streamlit input widget or a value the script holds
        (a literal, a loaded table); at least one is a widget."""
        seen: set[int] = set()
        stack = [(val, converted)]
        widget = False
        while stack:
            cur, conv = stack.pop()
            if id(cur) in seen:
                continue
            seen.add(id(cur))
            if isinstance(cur.node, ast.arg):
                return False  # a parameter of an enclosing function: its callers are not followed here
            call = cur.call
            if call is not None:
                kind = self.widget_kind(call)
                if kind is not None:
                    if kind in _FREE_FORM_COMPONENTS or kind in _TEXT_COMPONENTS and conv:
                        return False
                    widget = True
                    continue
                if self._origin(cur, None) is not None:
                    return False
                conv = conv or _converts(call)
            stack += [(p, conv) for p in cur.parents]
        return widget

    def widget_kind(self, call: CallSite) -> str | None:
        """`st.slider(...)`, `st.sidebar.selectbox(...)`, `col.number_input(...)`: the widget's kind."""
        method = call.method or last(call.name or "")
        if method not in _STREAMLIT_WIDGETS:
            return None
        if (call.qualname or "").startswith("streamlit."):
            return _STREAMLIT_WIDGETS[method]
        if call.receiver is not None and any((a.call is not None and (a.call.qualname or "").startswith("streamlit."))
                                             or (a.ctor or "").startswith("streamlit.")
                                             or isinstance(a.node, ast.Attribute)
                                             and (self.module.imports.resolve(a.node) or "").startswith("streamlit.")
                                             for a in self.module.flow.ancestors(call.receiver)):
            return _STREAMLIT_WIDGETS[method]  # `st.sidebar.slider`, `side = st.sidebar`, `col = st.columns(2)[0]`
        return None

    def _about(self, node: ast.AST, origin: Origin) -> bool:
        """`node` mentions the caller's data: a name it travelled through, or a name computed from it
        (`missing = REQUIRED - payload.keys()`)."""
        names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        if names & origin.names:
            return True
        if origin.val is None:
            return False
        flow = self.module.flow
        read = [flow.val_at(n) for n in ast.walk(node) if isinstance(n, ast.Name)]  # the values read here
        return any(val is not None and flow.derives_from(val, origin.val, rows=False) for val in read)

    @cached_property
    def request_functions(self) -> set[int]:
        """Functions that run once per request or record: online entry points and what they call
        (cached helpers excluded)."""
        out: set[int] = set()
        for entry in self.entries:
            if entry.online and entry.function is not None and not self.is_startup(entry.function):
                out |= {id(f) for f in self.reach(entry.function, stop_cached=True) if not self.is_cached(f)}
        return out

    @cached_property
    def serving_functions(self) -> set[int]:
        """Functions on an inference path: entry points, functions that predict, and their callees."""
        out = set(self.request_functions)
        for pred in self.predictions:
            if pred.function is not None:
                out |= {id(f) for f in self.reach(pred.function)}
        for entry in self.entries:
            if entry.function is not None:
                out |= {id(f) for f in entry.reach}
        return out

    def place_loads(self) -> list[Load]:
        """The loads with their placement filled in."""
        reruns = self.rerun_functions
        for load in self.loads:
            fn = load.function
            if reruns is not None and not self._lazily_cached(load) and not self._on_action(load) \
                    and (fn is None or id(fn) in reruns):
                load.placement = "rerun"
            elif fn is None:
                if self.module.source.is_notebook or self.syntax.under_main_guard(load.call.node) or self.launches_ui:
                    load.placement = "main"
                else:
                    load.placement = "import" if self._used_in_functions(load) else "main"
            elif self._lazily_cached(load) or self.is_cached(fn):
                load.placement = "cached"
            elif id(fn) in self.request_functions or self._in_prediction_loop(load):
                load.placement = "request"
            elif self.is_startup(fn):
                load.placement = "startup"
            else:
                load.placement = "call"
        return self.loads

    @cached_property
    def launches_ui(self) -> bool:
        """The module is a program that starts its own UI server at its top level (Gradio's
        `demo.launch()`): it is run, not imported, and its top level runs once, at startup."""
        for call in self.calls_in.get(0, []):
            if call.method == "launch" and call.receiver is not None and any(
                    (a.ctor or "").startswith("gradio.") for a in self.module.flow.ancestors(call.receiver)):
                return True
        return False

    @cached_property
    def rerun_functions(self) -> set[int] | None:
        """For a Streamlit script (it calls `streamlit` at module level or in a function the module
        level calls), the functions its top level runs, cached ones excluded: Streamlit runs the
        whole script again on every widget interaction. None for any other module."""
        if self.module.source.is_notebook or not any(
                (c.qualname or "").startswith("streamlit.") for c in self.module.calls):
            return None
        out: set[int] = set()
        for call in self.calls_in.get(0, []):
            if call.callee is not None and not self.is_cached(call.callee.node):
                out |= {id(f) for f in self.reach(call.callee.node, stop_cached=True) if not self.is_cached(f)}
        runs_streamlit = any((c.qualname or "").startswith("streamlit.") for c in self.calls_in.get(0, [])) or any(
            (c.qualname or "").startswith("streamlit.") for f in out for c in self.calls_in.get(f, []))
        return out if runs_streamlit else None

    def _used_in_functions(self, load: Load) -> bool:
        """A module-level load whose model a function or route of the module predicts with."""
        for pred in self.predictions:
            if pred.function is None:
                continue
            if pred.model is None and self.routes:
                return True
            if pred.model is not None and load.call.val is not None and self.module.flow.derives_from(
                    pred.model, load.call.val, rows=True):
                return True
        return False

    def _lazily_cached(self, load: Load) -> bool:
        """`if _model is None: _model = joblib.load(...)`, or an early `return _model` while it is
        set: loaded once, on first use."""
        for anc in self.syntax.ancestors(load.call.node):
            if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return returns_early_when_set(anc, load.call.node)
            if isinstance(anc, ast.If) and unset_test(anc.test):
                return True
        return False

    def _on_action(self, load: Load) -> bool:
        """The load runs in the branch of a button press and keeps the model for later runs (`if
        st.button("Retrain"): ...; st.session_state.model = load(...)`): on that action, not on
        every rerun. A button that loads the model to predict with it there loads it on every press,
        as a rerun does."""
        for anc in self.syntax.ancestors(load.call.node):
            if isinstance(anc, ast.If) and any(self._pressed(n) for n in ast.walk(anc.test)):
                inside = {id(n) for n in ast.walk(anc)}
                loaded = load.call.val
                return loaded is not None and not any(
                    id(p.node) in inside and p.model is not None and self.module.flow.derives_from(p.model, loaded)
                    for p in self.predictions)
        return False

    def _pressed(self, node: ast.AST) -> bool:
        """A Streamlit action widget (`st.button(...)`, `st.sidebar.button(...)`, `col.button(...)` on a
        column `st.columns` made), or a name holding what one returned (`go = st.button(...)`)."""
        flow = self.module.flow
        if isinstance(node, ast.Call):
            call = flow.call_at(node)
        elif isinstance(node, ast.Name):
            val = flow.val_at(node)
            call = val.call if val is not None else None
        else:
            return False
        if call is None or last(call.qualname or call.method or "") not in ACTIONS:
            return False
        return (call.qualname or "").startswith("streamlit.") or call.receiver is not None and any(
            (a.call.qualname or "").startswith("streamlit.") for a in flow.ancestors(call.receiver) if a.call is not None)

    def _in_prediction_loop(self, load: Load) -> bool:
        for anc in self.syntax.ancestors(load.call.node):
            if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return False
            if isinstance(anc, (ast.For, ast.AsyncFor, ast.While)):
                if isinstance(anc, (ast.For, ast.AsyncFor)) and self._path_from_item(anc, load):
                    return False  # each pass loads another file (`for path in model_paths: load(path)`)
                inside = {id(n) for n in ast.walk(anc)}
                return any(id(p.node) in inside for p in self.predictions)
        return False

    def _path_from_item(self, loop: ast.For | ast.AsyncFor, load: Load) -> bool:
        """The loaded path derives from the loop's item (`for path in model_paths: load(Path(path))`):
        each pass loads another file."""
        path = load.call.arg(0, "filename") if load.call.args or load.call.kwargs else None
        targets = {id(n) for n in ast.walk(loop.target) if isinstance(n, ast.Name)}
        return path is not None and any(id(a.node) in targets for a in self.module.flow.ancestors(path, values=True))

    def load_for(self, prediction: Prediction) -> Load | None:
        """The load its model comes from, else the module's first load."""
        if prediction.model is not None:
            for anc in self.module.flow.ancestors(prediction.model, rows=True, values=True):
                for load in self.loads:
                    if load.call.val is anc:
                        return load
        return self.loads[0] if self.loads else None



# Input components of UI frameworks, by what they let a user type: 'text' (any string), 'free' (a
# file or a table in any shape: untrusted), 'bounded' (a typed value, a choice or a range).
_TEXT_COMPONENTS = {"text"}
_FREE_FORM_COMPONENTS = {"free"}
_STREAMLIT_WIDGETS = {
    "text_input": "text", "text_area": "text", "chat_input": "text",
    "file_uploader": "free", "data_editor": "free", "camera_input": "bounded",
    "slider": "bounded", "select_slider": "bounded", "selectbox": "bounded", "multiselect": "bounded",
    "radio": "bounded", "checkbox": "bounded", "toggle": "bounded", "number_input": "bounded",
    "date_input": "bounded", "time_input": "bounded", "color_picker": "bounded", "pills": "bounded",
    "segmented_control": "bounded", "feedback": "bounded",
}
# The input widgets whose value is what the user typed or chose (not an uploaded file or table).
INPUT_WIDGETS = frozenset(name for name, kind in _STREAMLIT_WIDGETS.items() if kind not in _FREE_FORM_COMPONENTS)
_GRADIO_COMPONENTS = {
    "textbox": "text", "text": "text", "textarea": "text", "code": "text",
    "file": "free", "files": "free", "uploadbutton": "free", "dataframe": "free", "json": "free",
}


# Methods that turn text into model input: a fitted vectoriser's `transform`, a tokenizer's calls.
_TEXT_ENCODING = {"transform", "texts_to_sequences", "encode", "encode_plus", "tokenize"}


def _stores(call: CallSite) -> bool:
    """Writes results to storage, not a line appended to a log (`to_csv(..., mode="a")`)."""
    name = call.method or call.short or ""
    if not WRITERS.match(name):
        return False
    if name.startswith("to_") and not call.node.args and not any(
            k.arg in ("path", "path_or_buf", "name", "excel_writer", "fname") for k in call.node.keywords):
        return False  # `frame.to_json()`: a string, not a file
    mode = call.kwarg_node("mode")
    return not (isinstance(mode, ast.Constant) and isinstance(mode.value, str) and mode.value.startswith("a"))


def _converts(call: CallSite) -> bool:
    """Turns text into a number: `float(x)`, `int(x)`, `pd.to_numeric(x)`."""
    return call.short in ("float", "int") and call.method is None or last(call.name or "") == "to_numeric"


def _is_reader(call: CallSite) -> bool:
    """Reads stored data (a file, a table, a model): what it returns was not handed over by a caller.
    Parsing a string (`json.loads(args.record)`) is not reading."""
    if unsafe_load(call) is not None:
        return True
    return bool(READERS.match(call.method or call.short or ""))


def _schema_annotation(arg: ast.arg, schemas: set[str]) -> bool:
    """Annotated with a schema class or a scalar type (which the framework checks), not a raw
    container (`dict`, `list`, `Any`, `Request`)."""
    ann = arg.annotation
    if ann is None:
        return False
    if isinstance(ann, ast.Subscript):  # Optional[Order], list[Order], Annotated[Order, ...], dict[str, Any]
        if last(chain_name(ann.value)) in ("dict", "Dict", "Mapping", "MutableMapping"):
            return False  # list[Order] and Optional[Order] are as good as their element
        inner = ann.slice.elts[0] if isinstance(ann.slice, ast.Tuple) else ann.slice
        return _schema_annotation(ast.arg(arg=arg.arg, annotation=inner), schemas)
    if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
        return ann.value in schemas
    name = last(chain_name(ann))
    return bool(name) and name not in RAW_ANNOTATIONS


def _mentions(node: ast.AST, names: frozenset[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


def _rejects(body: list[ast.stmt]) -> bool:
    """A branch that refuses the input: raises, aborts, or returns an error status."""
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Raise):
                return True
            if isinstance(node, ast.Call) and last(chain_name(node.func)) in ("abort", "HTTPException", "JSONResponse",
                                                                            "make_response", "BadRequest"):
                return True
            if isinstance(node, ast.Constant) and isinstance(node.value, int) and 400 <= node.value < 500:
                return True
    return False


def _rejects_bad_input(fn: FunctionNode) -> bool:
    """The function checks its input and refuses what fails: a `raise` (or an error return) under a
    test on a parameter, an `assert` on one, or a schema's `model_validate`/`parse_obj`."""
    params = {a.arg for a in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]} - {"self", "cls"}
    for node in ast.walk(fn):
        if isinstance(node, ast.Assert) and _mentions(node.test, params):
            return True
        if isinstance(node, ast.If) and _mentions(node.test, params) and any(
                isinstance(sub, ast.Raise) for stmt in node.body for sub in ast.walk(stmt)):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("model_validate", "parse_obj", "validate"):
            return True
    return False


_MODEL_PARAM_TOKENS = {"model", "models", "clf", "classifier", "regressor", "estimator", "pipeline", "pipe", "bundle",
                       "booster", "net", "network", "path", "file", "filename", "filepath", "fname", "dir", "directory",
                       "cfg", "config", "conf", "settings", "threshold", "cutoff", "artifact", "artifacts"}


def _model_param(arg: ast.AST) -> bool:
    """A parameter that carries the model, a path or settings rather than a caller's record, by a
    whole word of its name (`model_path`, `clf`, `scoringModel`; not `profile`)."""
    name = getattr(arg, "arg", "")
    if name in ("self", "cls"):
        return True
    words = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", name)
    return any(w.lower() in _MODEL_PARAM_TOKENS for w in words) or name.lower().endswith(("model", "models", "path"))


# What only a table of rows has: its index and positions, its shape, its row iterators and windows.
_FRAME_USES = {"index", "values", "iloc", "loc", "shape", "columns", "iterrows", "itertuples", "groupby", "rolling",
               "resample", "head", "tail", "to_numpy", "sort_values", "sort_index"}


def _frame_param(syn, fn: FunctionNode, arg: ast.AST) -> bool:
    """The parameter is used as a table of many rows (`data.index`, `data[-252:]`, `data.iloc[...]`),
    not as one record (`pd.DataFrame([record])`, `record["age"]`)."""
    name = getattr(arg, "arg", None)
    if not name:
        return False
    called = {id(n.func) for n in ast.walk(fn) if isinstance(n, ast.Call)}
    for node in ast.walk(fn):
        # `data.index`, `data.iloc[...]`, `data[-252:]` (`record.values()` is a dict's method)
        table_use = (isinstance(node, ast.Attribute) and node.attr in _FRAME_USES
                     and not (node.attr in ("values", "index") and id(node) in called)) \
            or (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice))
        if table_use:
            root = data_root(node.value)
            if isinstance(root, ast.Name) and root.id == name:
                return True
        if isinstance(node, (ast.List, ast.Tuple)) and any(isinstance(e, ast.Name) and e.id == name for e in node.elts):
            return False  # wrapped into a one-row frame: a record
    return False
