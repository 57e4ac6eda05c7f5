"""YAML read with limits: a file under review or a model card's metadata is untrusted input.

PyYAML's safe loader builds no objects from tags, but anchors and aliases let a few hundred bytes
stand for billions of nodes (the "billion laughs" document): composing shares the aliased nodes,
and whatever walks the result afterwards expands them. Here the composed document is measured as
it would be expanded (each shared node counted as often as it is reached, in time linear in the
document) and refused over `MAX_NODES`; nesting deeper than `MAX_DEPTH` is refused as well, before
the recursive composer reaches Python's recursion limit.
"""
from __future__ import annotations

import yaml

MAX_NODES = 200_000
MAX_DEPTH = 200


class YamlLimitError(yaml.YAMLError):
    """The document is over a limit; the message says which, in words a user can act on."""


class _Loader(yaml.SafeLoader):
    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise YamlLimitError(f"nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def compose(text: str) -> yaml.Node | None:
    """The node tree of a one-document YAML text, refused (`YamlLimitError`) when its aliases expand
    to more than `MAX_NODES` nodes or it nests deeper than `MAX_DEPTH`."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    if root is not None and expanded_size(root) > MAX_NODES:
        raise YamlLimitError(f"its aliases expand to more than {MAX_NODES:,} nodes (an alias bomb?)")
    return root


def load(text: str):
    """`yaml.safe_load` with the limits of `compose`."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        if expanded_size(root) > MAX_NODES:
            raise YamlLimitError(f"its aliases expand to more than {MAX_NODES:,} nodes (an alias bomb?)")
        return loader.construct_document(root)
    finally:
        loader.dispose()


def expanded_size(root: yaml.Node) -> int:
    """How many nodes a walk that follows every alias visits, computed once per shared node (the
    composed document is a DAG; a cycle, which the composer does not build, would count once)."""
    sizes: dict[int, int] = {}
    # Post-order without recursion: a node's size is known once its children's are.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done or not children:
            sizes[id(node)] = min(MAX_NODES + 1, 1 + sum(sizes.get(id(c), 0) for c in children))
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []
