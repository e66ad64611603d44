"""Fully connected layers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import LayerError, TorchError
from ..shape import Shape
from ..symbolic import Dim, times
from ..torchmodule import TorchModule, concrete_int, keywords
from ..working import Num, Step, Var, plus
from ..working import times as mul
from .base import (
    Checks,
    Example,
    Layer,
    NoWindow,
    Ops,
    Option,
    SpecReader,
    Windows,
    register,
    sizes_text,
)


@register
@dataclass(frozen=True)
class Dense(Layer):
    """Fully connected layer: ``dense10`` (aliases ``fc10``, ``linear10``) on a flat input."""

    keyword = "dense"
    aliases = ("fc", "linear")
    kind = "dense"
    title = "Dense"
    torch_classes = ("Linear",)
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

    def windows(self, inp: Shape) -> Windows:
        return NoWindow.SEES_ALL  # every unit sees every input

    def torch_module(self, inp: Shape) -> TorchModule:
        if not inp.is_flat:
            raise TorchError(f"dense needs a flat input, got {inp}")
        args = (concrete_int(inp.channels, "features"), concrete_int(self.units, "units"))
        return TorchModule("Linear", args, keywords(bias=None if self.bias else False))

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> Dense:
        return cls(int(module.out_features), bias=module.bias is not None)

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        inputs = Var("N_in", inp.channels)
        per_unit = plus(inputs, Num(1)) if self.bias else inputs
        return (Step("params", mul(per_unit, Var("units", self.units)), self.param_count(inp)),)

    def to_spec(self) -> str:
        return f"dense{sizes_text((self.units,))}" + ("" if self.bias else " nobias")
