"""Normalisation layers."""

from __future__ import annotations

from dataclasses import dataclass

from ..shape import Shape
from ..symbolic import Dim
from ..working import Num, Step, Var
from ..working import times as mul
from .base import Checks, Example, Layer, Ops, SpecReader, register, require_spatial, sizes_text


@register
@dataclass(frozen=True)
class BatchNorm(Layer):
    """Batch normalisation over the channels: ``batchnorm`` (alias ``bn``).

    2*C trainable parameters (gamma, beta) and 2*C non-trainable running statistics (mean and
    variance), reported apart as Keras does. PyTorch's extra ``num_batches_tracked`` counter
    is a step count, not a statistic, and is not counted.
    """

    keyword = "batchnorm"
    aliases = ("bn",)
    kind = "norm"
    formula = "out = in; params = 2*C trainable + 2*C non-trainable"
    examples = (
        Example("28x28x64", "batchnorm", "28x28x64", 256),
        Example("120", "bn", "120", 480),
    )

    @classmethod
    def from_spec(cls, reader: SpecReader) -> BatchNorm:
        reader.params(range(0, 1), "batchnorm")
        return cls()

    def param_count(self, inp: Shape) -> Dim:
        return 2 * inp.channels

    def non_trainable_count(self, inp: Shape) -> Dim:
        return 2 * inp.channels

    def ops(self, inp: Shape, out: Shape) -> Ops:
        return Ops(op="batchnorm")

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        # gamma and beta; running mean and variance.
        per_channel = mul(Num(2), Var("C", inp.channels))
        return (
            Step("params", per_channel, self.param_count(inp)),
            Step("non-trainable", per_channel, self.non_trainable_count(inp)),
        )

    def to_spec(self) -> str:
        return "batchnorm"


@register
@dataclass(frozen=True)
class LocalResponseNorm(Layer):
    """Local response normalisation (AlexNet): ``lrn``, or ``lrn5`` for a 5-channel window."""

    keyword = "lrn"
    kind = "norm"
    formula = "out = in; no parameters"
    examples = (Example("55x55x96", "lrn5", "55x55x96", 0),)

    size: Dim = 5

    @classmethod
    def from_spec(cls, reader: SpecReader) -> LocalResponseNorm:
        params = reader.params(range(0, 2), "lrn or lrn<size>")
        return cls(reader.dim(params[0], what="size")) if params else cls()

    def output_shape(self, inp: Shape, checks: Checks) -> Shape:
        require_spatial(self.keyword, inp)  # torch's LocalResponseNorm needs N x C x L or more
        return inp

    def to_spec(self) -> str:
        return f"lrn{sizes_text((self.size,))}"
