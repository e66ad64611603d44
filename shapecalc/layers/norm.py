"""Normalisation layers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import TorchError
from ..shape import Shape
from ..symbolic import Dim, product, times
from ..torchmodule import TorchModule, concrete_int, spatial_rank
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
    title = "BatchNorm"
    torch_classes = ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d")
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
        # fvcore: 2 per element in inference (scale and shift); thop: 4 (2, doubled for the
        # affine); torch's FlopCounterMode nothing.
        elements = product(inp.dims)
        return Ops(fvcore=times(2, elements), thop=times(4, elements))

    def torch_module(self, inp: Shape) -> TorchModule:
        # BatchNorm1d takes (N, C) and (N, C, L) alike.
        rank = max(inp.spatial_rank, 1)
        if rank > 3:
            raise TorchError(f"batchnorm needs at most 3 spatial dims, got {inp}")
        return TorchModule(f"BatchNorm{rank}d", (concrete_int(inp.channels, "channels"),))

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> BatchNorm:
        if not module.affine or not module.track_running_stats:
            raise TorchError("batchnorm without affine or running statistics has no spec form")
        return cls()

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
    title = "LRN"
    torch_classes = ("LocalResponseNorm",)
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

    def torch_module(self, inp: Shape) -> TorchModule:
        spatial_rank(inp, self.keyword)  # torch's LocalResponseNorm needs N x C x L or more
        return TorchModule("LocalResponseNorm", (concrete_int(self.size, "size"),))

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> LocalResponseNorm:
        return cls(int(module.size))
