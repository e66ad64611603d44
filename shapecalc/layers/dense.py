"""Fully connected layers."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import LayerError
from ..shape import Shape
from ..symbolic import Dim, times
from ..working import Num, Step, Var, plus
from ..working import times as mul
from .base import Checks, Example, Layer, Ops, Option, SpecReader, Window, register, sizes_text


@register
@dataclass(frozen=True)
class Dense(Layer):
    """Fully connected layer: ``dense10`` (aliases ``fc10``, ``linear10``) on a flat input."""

    keyword = "dense"
    aliases = ("fc", "linear")
    kind = "dense"
    options = {"nobias": Option("no bias terms")}
    formula = "out = units; params = (N_in + 1) * units (no +1 with nobias)"
    examples = (
        Example("400", "dense120", "120", 48120),
        Example("784", "dense10 nobias", "10", 7840),
    )

    units: Dim
    bias: bool = True

    @classmethod
    def from_spec(cls, reader: SpecReader) -> Dense:
        (units,) = reader.params(range(1, 2), f"{reader.spec.keyword}<units>, as in dense10")
        return cls(reader.dim(units, what="units"), bias=not reader.flag("nobias"))

    def output_shape(self, inp: Shape, checks: Checks) -> Shape:
        if not inp.is_flat:
            raise LayerError(f"dense needs a flat input, got {inp}; add flatten (or gap) before it")
        return Shape((self.units,))

    def param_count(self, inp: Shape) -> Dim:
        return times(inp.channels + 1, self.units) if self.bias else times(inp.channels, self.units)

    def ops(self, inp: Shape, out: Shape) -> Ops:
        return Ops(macs=times(inp.channels, self.units), bias=self.units if self.bias else 0)

    def windows(self, inp: Shape) -> tuple[Window, ...] | None:
        return None  # every unit sees every input

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        inputs = Var("N_in", inp.channels)
        per_unit = plus(inputs, Num(1)) if self.bias else inputs
        return (Step("params", mul(per_unit, Var("units", self.units)), self.param_count(inp)),)

    def to_spec(self) -> str:
        return f"dense{sizes_text((self.units,))}" + ("" if self.bias else " nobias")
