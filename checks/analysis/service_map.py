"""The project's prediction service as a whole, from every file's serving facts
(`serving.service_facts`): the routes, the call graph across files, and the paths a request takes
from an endpoint through the query, the features and the model to the response.

Call targets recorded per file are resolved here: `local:Class.method` against the same file,
a qualified import (`app.pipeline.cached_batch_prediction`) against the project's module names,
and `method:name` (a method on an object whose class is unknown) against the one project method of
that name, if there is exactly one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from wicked_data.checks.analysis.project import Project
from wicked_data.checks.analysis.serving.base import import_prefixes

GENERIC_METHODS = {"get", "append", "items", "keys", "values", "update", "pop", "copy", "format", "join", "info",
                   "debug", "warning", "error", "exception", "read", "write", "close", "open", "run", "load", "dump",
                   "__init__", "predict", "predict_proba", "fit", "transform", "execute", "connect", "json"}


@dataclass(frozen=True)
class FunctionRef:
    file: str
    qualname: str

    @property
    def key(self) -> str:
        return f"{self.file}::{self.qualname}"


@dataclass
class Edge:
    caller: FunctionRef
    callee: FunctionRef
    line: int  # the call's line in the caller's file


@dataclass
class RouteRef:
    file: str
    facts: dict
    function: FunctionRef = field(init=False)

    def __post_init__(self) -> None:
        self.function = FunctionRef(self.file, self.facts["function"])

    @property
    def label(self) -> str:
        methods = "/".join(self.facts["methods"])
        return f"{methods} {self.facts['path']}".strip()


class ServiceMap:
    def __init__(self, project: Project) -> None:
        self.services = {rel: f["service"] for rel, f in project.facts.items() if f.get("service")}

    def function(self, ref: FunctionRef) -> dict:
        return self.services[ref.file]["functions"][ref.qualname]

    @cached_property
    def _index(self) -> dict[str, FunctionRef]:
        """Dotted name (`app.pipeline.AdvancedMLPipeline.predict_batch`) -> function, for each module
        name a file can be imported under (`app.pipeline`, `pipeline`)."""
        out: dict[str, FunctionRef] = {}
        for rel, service in self.services.items():
            for prefix in import_prefixes(rel) or [""]:
                for qualname in service["functions"]:
                    out.setdefault(f"{prefix}.{qualname}" if prefix else qualname, FunctionRef(rel, qualname))
        return out

    @cached_property
    def _methods(self) -> dict[str, list[FunctionRef]]:
        out: dict[str, list[FunctionRef]] = {}
        for rel, service in self.services.items():
            for qualname in service["functions"]:
                if "." in qualname:
                    out.setdefault(qualname.rsplit(".", 1)[1], []).append(FunctionRef(rel, qualname))
        return out

    def resolve(self, file: str, target: str) -> FunctionRef | None:
        if target.startswith("local:"):
            qualname = target[len("local:"):]
            return FunctionRef(file, qualname) if qualname in self.services[file]["functions"] else None
        if target.startswith("method:"):
            name = target[len("method:"):]
            found = self._methods.get(name, [])
            return found[0] if len(found) == 1 and name not in GENERIC_METHODS else None
        if target in self._index:
            return self._index[target]
        # `pkg.Class` constructed: its `__init__`; a method on an imported class
        return self._index.get(f"{target}.__init__")

    def callees(self, ref: FunctionRef) -> list[Edge]:
        out, seen = [], set()
        for call in self.function(ref)["calls"]:
            callee = self.resolve(ref.file, call["target"])
            if callee is not None and callee != ref and callee.key not in seen:
                seen.add(callee.key)
                out.append(Edge(ref, callee, call["line"]))
        return out

    @cached_property
    def routes(self) -> list[RouteRef]:
        return [RouteRef(rel, r) for rel, s in sorted(self.services.items()) for r in s["routes"]]

    def predicts(self, route: RouteRef) -> bool:
        """The route applies the model, in its own file or through what it calls in others."""
        if route.facts["health"]:
            return False
        return route.facts["predicts"] or any("model" in self.function(f)["tags"] for f in self.reach(route.function))

    def reach(self, start: FunctionRef) -> list[FunctionRef]:
        """`start` and every project function it calls, transitively, in call order (depth first)."""
        order: list[FunctionRef] = []
        seen: set[str] = set()

        def visit(ref: FunctionRef) -> None:
            if ref.key in seen:
                return
            seen.add(ref.key)
            order.append(ref)
            for edge in self.callees(ref):
                visit(edge.callee)

        visit(start)
        return order

    def cross_file_callers(self, file: str, line: int) -> tuple[FunctionRef, list[tuple[FunctionRef, dict]]] | None:
        """The function of `file` holding `line` and its recorded callers, when another module of the
        project calls it; None otherwise."""
        ref = self.function_at(file, line)
        if ref is None:
            return None
        callers = self.callers(ref)
        return (ref, callers) if any(caller.file != ref.file for caller, _ in callers) else None

    def function_at(self, file: str, line: int) -> FunctionRef | None:
        """The innermost function of `file` whose body holds `line`."""
        best = None
        for qualname, facts in (self.services.get(file) or {}).get("functions", {}).items():
            if facts["line"] <= line <= facts["end_line"] and (best is None or facts["line"] >= best[1]):
                best = (qualname, facts["line"])
        return FunctionRef(file, best[0]) if best else None

    @cached_property
    def _callers(self) -> dict[str, list[tuple[FunctionRef, dict]]]:
        out: dict[str, list[tuple[FunctionRef, dict]]] = {}
        for rel, service in self.services.items():
            for qualname, facts in service["functions"].items():
                caller = FunctionRef(rel, qualname)
                for call in facts["calls"]:
                    callee = self.resolve(rel, call["target"])
                    if callee is not None and callee != caller:
                        out.setdefault(callee.key, []).append((caller, call))
        return out

    def callers(self, ref: FunctionRef) -> list[tuple[FunctionRef, dict]]:
        """(calling function, the call's facts) for every recorded call of `ref` in the project."""
        return self._callers.get(ref.key, [])

    def edges(self, start: FunctionRef) -> list[Edge]:
        return [e for ref in self.reach(start) for e in self.callees(ref)]

    @cached_property
    def prediction_routes(self) -> list[RouteRef]:
        return [r for r in self.routes if self.predicts(r)]

    @cached_property
    def health_routes(self) -> list[RouteRef]:
        return [r for r in self.routes if r.facts["health"]]

    def jobs(self, route: RouteRef) -> set[str]:
        """What a route does, to group endpoints doing the same job: the prediction helpers it
        calls, and the project functions it reaches that apply the model."""
        jobs = set(route.facts["jobs"])
        jobs |= {f.key for f in self.reach(route.function) if "model" in self.function(f)["tags"]}
        return jobs

    # ------------------------------------------------------------------ the data-flow graph
    def flow_graph(self) -> "FlowGraph":
        """Every prediction route, what it calls across the project, and the stages those functions
        reach: the database query, the model, the response; function nodes carry what they do
        (features, calibration, ...). Built from the recorded calls only."""
        graph = FlowGraph()
        for route in self.prediction_routes:
            start = graph.function(route.function, self.function(route.function), route=route.label)
            for ref in self.reach(route.function):
                node = graph.function(ref, self.function(ref))
                for edge in self.callees(ref):
                    graph.edge(node, graph.function(edge.callee, self.function(edge.callee)), edge.caller.file, edge.line)
                facts = self.function(ref)
                tags = facts["tags"]
                if "query" in tags:
                    tables = ", ".join(facts.get("tables", [])) or "database"
                    graph.edge(node, graph.stage(f"query:{ref.key}", f"SQL query: {tables}", "query", ref.file,
                                                 tags["query"]), ref.file, tags["query"])
                if "model" in tags:
                    graph.edge(node, graph.stage(f"model:{ref.key}", "model.predict_proba", "model", ref.file,
                                                 tags["model"]), ref.file, tags["model"])
            keys = self.response_keys(route)
            label = "response: " + ", ".join(keys) if keys else "response"
            graph.edge(start, graph.stage(f"response:{route.function.key}", label, "response", route.file,
                                          route.facts["line"]), route.file, route.facts["line"])
        return graph

    def schema(self, name: str | None) -> tuple[str, dict] | None:
        """(file, facts) of a schema class defined in the project."""
        for rel, service in sorted(self.services.items()):
            if name and name in service["schemas"]:
                return rel, service["schemas"][name]
        return None

    def response_keys(self, route: RouteRef) -> list[str]:
        """The top-level keys of a route's response: its response model's fields, else the dict it
        (or the function building its result) returns."""
        found = self.schema(route.facts.get("response_model"))
        if found:
            return [f[0] for f in found[1]["fields"]]
        main = self.returned(route)
        return main[1]["keys"] if main else []

    def returned(self, route: RouteRef) -> tuple[FunctionRef, dict, list[dict]] | None:
        """The dict literal that makes a route's response, in the first function of its reach that
        returns one: the one with the most keys (an error dict is usually smaller), and the others."""
        for ref in self.reach(route.function):
            dicts = [d for d in self.function(ref)["returns"] if d["keys"]]
            if dicts:
                main = max(dicts, key=lambda d: (len(d["keys"]), d["line"]))
                return ref, main, [d for d in dicts if d is not main]
        return None


@dataclass
class FlowNode:
    id: str
    label: str
    kind: str  # 'route' | 'function' | 'query' | 'model' | 'response'
    file: str
    line: int
    tags: list[str] = field(default_factory=list)
    function: FunctionRef | None = None


@dataclass
class FlowEdge:
    source: str
    target: str
    file: str
    line: int  # where the call (or the stage) is in the source's file


@dataclass
class FlowGraph:
    nodes: dict[str, FlowNode] = field(default_factory=dict)
    edges: list[FlowEdge] = field(default_factory=list)

    def function(self, ref: FunctionRef, facts: dict, route: str | None = None) -> FlowNode:
        node_id = _node_id(ref.key)
        node = self.nodes.get(node_id)
        if node is None:
            node = FlowNode(node_id, f"{ref.qualname}()", "function", ref.file, facts["line"], sorted(facts["tags"]), ref)
            self.nodes[node_id] = node
        if route:
            node.kind, node.label = "route", f"{route}: {ref.qualname}()"
        return node

    def stage(self, key: str, label: str, kind: str, file: str, line: int) -> FlowNode:
        node_id = _node_id(key)
        if node_id not in self.nodes:
            self.nodes[node_id] = FlowNode(node_id, label, kind, file, line)
        return self.nodes[node_id]

    def edge(self, source: FlowNode, target: FlowNode, file: str, line: int) -> None:
        if not any(e.source == source.id and e.target == target.id for e in self.edges):
            self.edges.append(FlowEdge(source.id, target.id, file, line))


def _node_id(key: str) -> str:
    return "n_" + "".join(c if c.isalnum() else "_" for c in key)
