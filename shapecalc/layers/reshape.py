"""Layers that reshape without parameters: flatten, zero padding, upsampling."""

from __future__ import annotations

from dataclasses import dataclass

from ..shape import Shape
from ..symbolic import Dim, product
from ..working import Num, Step, Var, plus
from ..working import times as mul
from .base import (
    Checks,
    Example,
    Layer,
    Ops,
    SpecReader,
    Window,
    broadcast,
    dim_names,
    register,
    require_spatial,
    sizes_text,
)


@register
@dataclass(frozen=True)
class Flatten(Layer):
    """Flattens to a vector of H*W*C values; a no-op on a flat vector."""

    keyword = "flatten"
    kind = "reshape"
    formula = "out = prod(in)"
    examples = (
        Example("5x5x16", "flatten", "400", 0),
        Example("512", "flatten", "512", 0),
    )

    @classmethod
    def from_spec(cls, reader: SpecReader) -> Flatten:
        reader.params(range(0, 1), "flatten")
        return cls()

    def output_shape(self, inp: Shape, checks: Checks) -> Shape:
        return Shape((product(inp.dims),))

    def windows(self, inp: Shape) -> tuple[Window, ...] | None:
        # The spatial grid ends here: later layers see the map as one vector.
        return () if inp.is_flat else None

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        if inp.is_flat:
            return ()
        names = (*dim_names(inp.spatial_rank), "C")
        return (Step("N", mul(*(Var(n, d) for n, d in zip(names, inp.dims))), out.channels),)

    def to_spec(self) -> str:
        return "flatten"


@register
@dataclass(frozen=True)
class ZeroPad(Layer):
    """Zero padding on both sides of every spatial dim: ``zeropad1``, ``zeropad1x2`` (per dim)."""

    keyword = "zeropad"
    kind = "reshape"
    formula = "out = in + 2*pad"
    params_zero_ok = True
    examples = (
        Example("28x28x1", "zeropad2", "32x32x1", 0),
        Example("28x28x1", "zeropad1x2", "30x32x1", 0),
    )

    pad: tuple[Dim, ...]

    @classmethod
    def from_spec(cls, reader: SpecReader) -> ZeroPad:
        params = reader.params(range(1, 4), "zeropad<p> or zeropad<p>x<p>")
        return cls(tuple(reader.dim(v, what="padding", zero_ok=True) for v in params))

    def output_shape(self, inp: Shape, checks: Checks) -> Shape:
        require_spatial(self.keyword, inp)
        pad = broadcast(self.pad, inp.spatial_rank, self.keyword)
        return inp.with_spatial([n + 2 * p for n, p in zip(inp.spatial, pad)])

    def windows(self, inp: Shape) -> tuple[Window, ...]:
        pad = broadcast(self.pad, inp.spatial_rank, self.keyword)
        return tuple(Window(1, 1, p) for p in pad)

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        pad = broadcast(self.pad, inp.spatial_rank, self.keyword)
        return tuple(
            Step(name, plus(Var("n", n), mul(Num(2), Var("p", p))), o)
            for name, n, p, o in zip(dim_names(inp.spatial_rank), inp.spatial, pad, out.spatial)
        )

    def to_spec(self) -> str:
        return f"zeropad{sizes_text(self.pad)}"


@register
@dataclass(frozen=True)
class Upsample(Layer):
    """Nearest-neighbour upsampling by an integer factor: ``upsample2``, ``upsample2x1``."""

    keyword = "upsample"
    kind = "reshape"
    formula = "out = in * factor"
    examples = (Example("14x14x8", "upsample2", "28x28x8", 0),)

    factor: tuple[Dim, ...]

    @classmethod
    def from_spec(cls, reader: SpecReader) -> Upsample:
        params = reader.params(range(1, 4), "upsample<f> or upsample<f>x<f>")
        return cls(tuple(reader.dim(v, what="factor") for v in params))

    def output_shape(self, inp: Shape, checks: Checks) -> Shape:
        require_spatial(self.keyword, inp)
        factor = broadcast(self.factor, inp.spatial_rank, self.keyword)
        return inp.with_spatial([n * f for n, f in zip(inp.spatial, factor)])

    def ops(self, inp: Shape, out: Shape) -> Ops:
        return Ops(op="upsample")

    def windows(self, inp: Shape) -> None:
        # A fractional stride (1/factor) is outside the Distill recurrence; not reported.
        return None

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        factor = broadcast(self.factor, inp.spatial_rank, self.keyword)
        return tuple(
            Step(name, mul(Var("n", n), Var("f", f)), o)
            for name, n, f, o in zip(dim_names(inp.spatial_rank), inp.spatial, factor, out.spatial)
        )

    def to_spec(self) -> str:
        return f"upsample{sizes_text(self.factor)}"


@register
@dataclass(frozen=True)
class Identity(Layer):
    """Passes its input on unchanged: ``identity``, the plain path of a branch.

    As in DenseNet's ``concat(identity ; bn | relu | conv3x3x32 same)``.
    """

    keyword = "identity"
    kind = "reshape"
    formula = "out = in"
    examples = (Example("28x28x64", "identity", "28x28x64", 0),)

    @classmethod
    def from_spec(cls, reader: SpecReader) -> Identity:
        reader.params(range(0, 1), "identity")
        return cls()

    def to_spec(self) -> str:
        return "identity"
