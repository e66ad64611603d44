"""The merge at the end of a branch block: ``res`` adds its paths, ``concat`` joins channels.

These are not keywords of the spec language (the parser reads ``res( ... )`` and
``concat( ... ; ... )``); the analysis makes one merge row per block so that the shape after
the merge shows in the table, and the renderers, the torch check and the drawings can treat
it like any other row. Nothing here is registered.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import LayerError
from ..shape import Shape
from ..working import Step, Var, plus
from .base import Checks, Layer, SpecReader


@dataclass(frozen=True)
class Merge(Layer):
    """Adds (``res``) or concatenates along the channels (``concat``) the outputs of a block's
    paths, given in ``inputs``; no parameters."""

    keyword = "merge"
    kind = "merge"
    formula = "add: out = every input (they must agree); concat: out channels = sum of inputs"

    inputs: tuple[Shape, ...]
    output: Shape

    @classmethod
    def from_spec(cls, reader: SpecReader) -> Merge:
        raise LayerError("a merge is made by res( ... ) or concat( ... ), not written")

    def output_shape(self, inp: Shape, checks: Checks) -> Shape:
        return self.output

    def to_spec(self) -> str:
        return self.keyword


@dataclass(frozen=True)
class Add(Merge):
    """The sum of a ``res`` block's main path and shortcut (identity when absent)."""

    keyword = "add"
    title = "Add"


@dataclass(frozen=True)
class Concat(Merge):
    """The outputs of a ``concat`` block's paths joined along the channels."""

    keyword = "concat"
    title = "Concat"

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        channels = [Var(f"C_{i}", shape.channels) for i, shape in enumerate(self.inputs, 1)]
        return (Step("C", plus(*channels), out.channels),)


__all__ = ["Add", "Concat", "Merge"]
