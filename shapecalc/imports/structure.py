"""From a :class:`~shapecalc.imports.graph.Graph` to the spec's nesting: a line of layers and
``res``/``concat``/``mul`` blocks, each block's paths lines of their own.

A value used by several nodes (a fork) starts a block; the block ends at the fork's
immediate post-dominator, the first node every path from the fork goes through, which must be
a merge whose inputs all come from the fork. Each input of the merge is one path: the line
from the fork to it (empty when the merge takes the fork's value itself: an identity
shortcut, or the gated input of ``mul( gate )``).

DenseNet's layers each concatenate *every* earlier feature map (``torch.cat([x0, y1, y2])``),
which no nesting of blocks shows as it stands. Concatenation is associative, so a concat whose
inputs start with those of an earlier concat takes that concat instead (``cat(cat(x0, y1),
y2)``); each dense layer is then ``concat(identity ; layer)``, as a person writes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import ModelImportError
from ..layers import REGISTRY
from .graph import INPUT, MERGES, Graph, Node, Scope


@dataclass(frozen=True)
class LayerItem:
    """One layer of a line."""

    node: Node

    @property
    def scopes(self) -> tuple[Scope, ...]:
        """The submodule instances enclosing the layer."""
        return self.node.scopes


@dataclass(frozen=True)
class BranchItem:
    """A block: ``kind`` is ``res``, ``concat`` or ``mul``; each path a line (maybe empty)."""

    kind: str
    paths: tuple[tuple[Item, ...], ...]
    merge: Node

    @property
    def scopes(self) -> tuple[Scope, ...]:
        """The instances enclosing every node of the block: the common prefix of its nodes'."""
        chains = [self.merge.scopes] + [item.scopes for path in self.paths for item in path]
        return common_prefix(chains)


Item = LayerItem | BranchItem

_BLOCK = {"add": "res", "concat": "concat", "mul": "mul"}


def common_prefix(chains: Sequence[tuple[Scope, ...]]) -> tuple[Scope, ...]:
    """The longest chain of scopes that starts every one of ``chains``."""
    first = chains[0]
    length = len(first)
    for chain in chains[1:]:
        length = min(length, len(chain))
        for i in range(length):
            if chain[i] != first[i]:
                length = i
                break
    return first[:length]


#: Adaptive pooling to 1 then a flatten is global pooling (the same shapes and costs):
#: what ``shapecalc torch`` writes for ``gap``, read back as ``gap``.
_GLOBAL = {"adaptiveavgpool": "globalavgpool", "adaptivemaxpool": "globalmaxpool"}


def _global_pools(graph: Graph) -> list[Node]:
    users: dict[str, list[Node]] = {}
    for node in graph.nodes:
        for name in node.inputs:
            users.setdefault(name, []).append(node)
    fused: dict[str, Node] = {}  # flatten node -> the global pool that replaces it
    dropped: set[str] = set()
    for node in graph.nodes:
        layer = node.layer
        if layer is None or layer.keyword not in _GLOBAL or node.name == graph.output:
            continue
        (after, *more) = users.get(node.name, [None])
        if more or after is None or after.layer is None or after.layer.keyword != "flatten":
            continue
        if any(size != 1 for size in getattr(layer, "size", ())):
            continue
        pool = REGISTRY[_GLOBAL[layer.keyword]]()
        origin = f"{node.origin} + {after.origin}"
        fused[after.name] = Node(
            after.name, "layer", node.inputs, pool, node.scopes, origin, node.path
        )
        dropped.add(node.name)
    return [fused.get(n.name, n) for n in graph.nodes if n.name not in dropped]


def normalise(graph: Graph) -> Graph:
    """The graph with adaptive pooling to 1 and a flatten as global pooling, one-input
    concats dropped, and each concat that repeats an earlier concat's inputs rewritten to
    take that concat (see the module docstring)."""
    graph = Graph(graph.input_shape, _global_pools(graph), graph.output, graph.model, graph.notes)
    alias: dict[str, str] = {}
    concats: dict[tuple[str, ...], str] = {}  # original inputs -> the concat node
    nodes: list[Node] = []
    for node in graph.nodes:
        inputs = tuple(alias.get(name, name) for name in node.inputs)
        if node.op == "concat" and len(inputs) == 1:
            alias[node.name] = inputs[0]
            continue
        if node.op == "concat":
            original = inputs
            for cut in range(len(inputs) - 1, 1, -1):
                earlier = concats.get(inputs[:cut])
                if earlier is not None:
                    inputs = (earlier, *inputs[cut:])
                    break
            concats.setdefault(original, node.name)
        nodes.append(
            Node(
                node.name,
                node.op,
                inputs,
                node.layer,
                node.scopes,
                node.origin,
                node.path,
                node.index,
            )
        )
    output = alias.get(graph.output, graph.output)
    return Graph(graph.input_shape, nodes, output, graph.model, graph.notes)


class _Structure:
    """The recursion over regions of the graph (see :func:`structure`)."""

    def __init__(self, graph: Graph) -> None:
        self.nodes = graph.by_name()
        self.order = {INPUT: -1} | {node.name: i for i, node in enumerate(graph.nodes)}
        self.consumers: dict[str, list[str]] = {INPUT: []}
        for node in graph.nodes:
            self.consumers.setdefault(node.name, [])
            for name in dict.fromkeys(node.inputs):
                self.consumers[name].append(node.name)

    def region(self, start: str, stop: str) -> set[str]:
        """The values on some path from ``start`` to ``stop`` (both included)."""
        low, high = self.order[start], self.order[stop]
        ahead = {start}
        for name in sorted(self._reach_forward(start, high), key=self.order.__getitem__):
            ahead.add(name)
        behind = {stop}
        pending = [stop]
        while pending:
            name = pending.pop()
            if name == INPUT:
                continue
            for source in self.nodes[name].inputs:
                if source not in behind and self.order[source] >= low:
                    behind.add(source)
                    pending.append(source)
        return ahead & behind

    def _reach_forward(self, start: str, high: int) -> set[str]:
        seen: set[str] = set()
        pending = [start]
        while pending:
            for user in self.consumers[pending.pop()]:
                if user not in seen and self.order[user] <= high:
                    seen.add(user)
                    pending.append(user)
        return seen

    def post_dominators(self, region: set[str], stop: str) -> dict[str, str]:
        """Each value's immediate post-dominator within ``region`` (Cooper, Harvey and
        Kennedy's intersection, on a DAG in one pass from the end)."""
        ipdom = {stop: stop}
        for name in sorted(region, key=self.order.__getitem__, reverse=True):
            if name == stop:
                continue
            successors = [s for s in self.consumers[name] if s in region]
            best = successors[0]
            for other in successors[1:]:
                best = self._intersect(best, other, ipdom)
            ipdom[name] = best
        return ipdom

    def _intersect(self, a: str, b: str, ipdom: dict[str, str]) -> str:
        while a != b:
            while self.order[a] < self.order[b]:
                a = ipdom[a]
            while self.order[b] < self.order[a]:
                b = ipdom[b]
        return a

    def line(self, start: str, stop: str) -> tuple[Item, ...]:
        """The items that take the value ``start`` to ``stop``."""
        if start == stop:
            return ()
        region = self.region(start, stop)
        ipdom = self.post_dominators(region, stop)
        items: list[Item] = []
        current = start
        while current != stop:
            successors = [s for s in self.consumers[current] if s in region]
            node = self.nodes[successors[0]]
            if len(successors) == 1 and node.op == "layer":
                items.append(LayerItem(node))
                current = node.name
                continue
            if len(successors) == 1 and node.op == "split":
                items.append(self._split(node, region, ipdom))
                current = ipdom[node.name]
                continue
            merge = self.nodes[ipdom[current]]
            if merge.op not in MERGES or any(i not in region for i in merge.inputs):
                raise ModelImportError(
                    f"the value {current!r} is used by several operations that do not meet in "
                    f"one add, concat or mul ({', '.join(successors)}); the spec's blocks "
                    "cannot express it"
                )
            paths = tuple(self.line(current, source) for source in merge.inputs)
            self._check_disjoint(current, merge, paths)
            items.append(_block(merge, paths))
            current = merge.name
        return tuple(items)

    def _split(self, split: Node, region: set[str], ipdom: dict[str, str]) -> BranchItem:
        """A ``split`` block: each part's path to the concat that joins them, in order."""
        parts = sorted((self.nodes[n] for n in self.consumers[split.name]), key=lambda n: n.index)
        merge = self.nodes[ipdom[split.name]]
        ends = merge.inputs
        if (
            merge.op != "concat"
            or [p.index for p in parts] != list(range(split.index))
            or len(ends) != split.index
            or any(
                end != p.name and end not in self._reach_forward(p.name, self.order[end])
                for p, end in zip(parts, ends)
            )
        ):
            raise ModelImportError(
                f"the parts of the channel split {split.name!r} do not meet in one concat in "
                "their order; the spec's split( ... ; ... ) cannot express it"
            )
        paths = tuple(self.line(p.name, end) for p, end in zip(parts, ends))
        self._check_disjoint(split.name, merge, paths)
        return BranchItem("split", paths, merge)

    def _check_disjoint(self, fork: str, merge: Node, paths: tuple[tuple[Item, ...], ...]) -> None:
        seen: set[str] = set()
        for path in paths:
            names = set(_names(path))
            if names & seen:
                raise ModelImportError(
                    f"the paths from {fork!r} to {merge.name!r} share operations; the spec's "
                    "blocks cannot express it"
                )
            seen |= names


def _names(items: Sequence[Item]) -> list[str]:
    names: list[str] = []
    for item in items:
        if isinstance(item, LayerItem):
            names.append(item.node.name)
        else:
            names.append(item.merge.name)
            for path in item.paths:
                names += _names(path)
    return names


def _block(merge: Node, paths: tuple[tuple[Item, ...], ...]) -> BranchItem:
    kind = _BLOCK[merge.op]
    if kind == "concat":
        return BranchItem(kind, paths, merge)
    if len(paths) != 2:
        raise ModelImportError(
            f"{merge.origin or merge.op} of {len(paths)} values has no spec form"
        )
    if not any(paths):
        raise ModelImportError(
            f"{merge.origin or merge.op} of a value with itself has no spec form"
        )
    written = [path for path in paths if path]
    if kind == "res":
        # The longer path is the main one (ResNet's convolutions; the shortcut projects).
        written.sort(key=len, reverse=True)
    return BranchItem(kind, tuple(written), merge)


def structure(graph: Graph) -> tuple[Item, ...]:
    """The graph as the spec's top-level line of items (blocks nest their paths).

    Raises:
        ModelImportError: the graph has forks that no nesting of blocks expresses.
    """
    graph = normalise(graph)
    return _Structure(graph).line(INPUT, graph.output)


__all__ = ["BranchItem", "Item", "LayerItem", "common_prefix", "normalise", "structure"]
