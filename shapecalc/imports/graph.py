"""The framework-free graph a frontend hands to the spec writer (the import's IR).

A frontend (:mod:`shapecalc.imports.torch_frontend`; a Keras one reads a functional model the
same way) turns a model into a :class:`Graph` and nothing else; everything after that, the
recognition of ``res``/``concat``/``mul`` blocks (:mod:`shapecalc.imports.structure`), the
factoring of repeated submodules into named blocks and the spec text
(:mod:`shapecalc.imports.writer`), reads only this module's types.

What a frontend must produce:

- ``Graph.input_shape``: the model's input, channels last, as the calculator reads it (it may
  hold symbols: ``HxWx3``). A frontend runs the model once to read it, each symbol at
  :data:`SAMPLE_SIZE` (:func:`sample_dims`); the spec keeps the symbols, so a reading that
  depends on the size (padding that is ``same`` at even sizes only) must hold at every size
  the symbol takes, or be refused;
- ``Graph.nodes`` in an order where every node comes after its inputs, each :class:`Node`
  one of:

  - a ``layer`` node: a shapecalc :class:`~shapecalc.layers.base.Layer` (the layer kind and
    its options, read from the framework's layer through the registry) with exactly one
    input;
  - a merge node, ``add``, ``concat`` (along the channels) or ``mul`` (elementwise, a size-1
    dim broadcasting), with two or more inputs in the framework's order;

  - a ``split`` node (one input) cuts the channels into ``index`` equal parts, and a
    ``part`` node (its input the split) is part ``index`` (from 0) of them: ShuffleNetV2's
    ``x.chunk(2, dim=1)``. The parts' paths must end in one ``concat``, in part order (the
    spec's ``split( a ; b )``);

  an operation that does not change the tensor (``x.contiguous()``, ``Identity``) is no node:
  its consumers take its input instead;
- ``Graph.output``: the node whose value the model returns (:data:`INPUT` when it returns its
  input);
- on every node, ``scopes``: the chain of submodule instances (layers) that enclose it, from
  the outermost (a child of the model) inwards, each a :class:`Scope` with the instance's
  path (``layer1.0``) and class name (``BasicBlock``). A layer node's own module is not in its
  chain; ``origin`` names what made the node (``Conv2d``, ``torch.flatten``) and ``path``
  its own module path, when it has one (the comments of the spec show both);
- ``Scope.container`` is true for pure containers (torch's ``nn.Sequential``, Keras'
  ``Sequential`` used as a layer): they are never made named blocks, their children are.

A frontend that meets a layer or an operation it cannot map collects an :class:`Unsupported`
for each and raises :func:`unsupported_error` once, so that one message names every one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import ModelImportError
from ..layers import Layer
from ..shape import Shape
from ..symbolic import is_concrete

#: The size each symbol of a symbolic input takes for the one run of the model that reads it.
SAMPLE_SIZE = 224

#: The name of the graph's input value (never the name of a node).
INPUT = "input"

#: The kinds of merge node, each the spec block that ends in it.
MERGES = ("add", "concat", "mul")


def sample_dims(shape: Shape) -> tuple[int, ...]:
    """The input's dims (channels last) a frontend runs the model at: each symbol at
    :data:`SAMPLE_SIZE`, numbers as they are."""
    return tuple(int(d) if is_concrete(d) else SAMPLE_SIZE for d in shape.dims)


@dataclass(frozen=True)
class Scope:
    """One submodule instance that encloses a node: ``Scope("layer1.0", "BasicBlock")``."""

    path: str
    cls: str
    container: bool = False


@dataclass(frozen=True)
class Node:
    """One operation of the model: a layer of the spec, or a merge of several values.

    Attributes:
        name: unique among the graph's nodes (and never :data:`INPUT`).
        op: ``layer``; a merge: ``add``, ``concat``, ``mul``; ``split`` or ``part``.
        inputs: the names of the values it takes (nodes, or :data:`INPUT`).
        layer: the layer kind with its options, for a ``layer`` node.
        scopes: the submodule instances enclosing it, outermost first.
        origin: what made it, for the spec's comments (``Conv2d``, ``torch.cat``).
        path: its own module's path (``layer1.0.conv1``), or the enclosing one's for a
            function call ("" at the top).
        index: a ``split``'s number of parts; a ``part``'s place among them (from 0).
    """

    name: str
    op: str
    inputs: tuple[str, ...]
    layer: Layer | None = None
    scopes: tuple[Scope, ...] = ()
    origin: str = ""
    path: str = ""
    index: int = 0


@dataclass
class Graph:
    """A model as nodes; see the module docstring for what a frontend must fill in.

    Attributes:
        input_shape: the input, channels last (symbols allowed).
        nodes: every node, each after its inputs.
        output: the node the model returns.
        model: the model's class name, for the spec's header.
        notes: lines the spec's header adds (parameters no forward pass reaches, ...).
    """

    input_shape: Shape
    nodes: list[Node]
    output: str
    model: str = ""
    notes: list[str] = field(default_factory=list)

    def by_name(self) -> dict[str, Node]:
        """Every node by its name."""
        return {node.name: node for node in self.nodes}


@dataclass(frozen=True)
class Unsupported:
    """A module or an operation that has no layer kind: ``layer3.1.attn: MyAttention``."""

    path: str
    cls: str
    reason: str = ""

    def describe(self) -> str:
        """``layer3.1.attn: MyAttention (reason)``; the model itself is ``(model)``."""
        text = f"{self.path or '(model)'}: {self.cls}"
        return f"{text} ({self.reason})" if self.reason else text


def unsupported_error(model: str, problems: Sequence[Unsupported]) -> ModelImportError:
    """One error naming every unsupported module once, in model order (the reasons of one
    module joined)."""
    reasons: dict[tuple[str, str], list[str]] = {}
    for problem in problems:
        found = reasons.setdefault((problem.path, problem.cls), [])
        if problem.reason and problem.reason not in found:
            found.append(problem.reason)
    unique = [Unsupported(path, cls, "; ".join(why)) for (path, cls), why in reasons.items()]
    listed = "; ".join(problem.describe() for problem in unique)
    what = "module has" if len(unique) == 1 else f"{len(unique)} modules have"
    return ModelImportError(f"cannot import {model}: {what} no layer kind: {listed}")


__all__ = [
    "INPUT",
    "MERGES",
    "SAMPLE_SIZE",
    "Graph",
    "Node",
    "Scope",
    "Unsupported",
    "sample_dims",
    "unsupported_error",
]
