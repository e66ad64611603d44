"""Layers that reshape without parameters: flatten, reshape, zero padding, crop, upsampling."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import LayerError, TorchError
from ..shape import Shape
from ..symbolic import Constraint, Dim, divides, fmt, product, ratio, times
from ..torchmodule import TorchModule, as_tuple, collapse, concrete_int, keywords, spatial_rank
from ..torchmodule import per_dim as concrete_per_dim
from ..working import Num, Step, Var, minus, plus
from ..working import times as mul
from .base import (
    Checks,
    Example,
    Layer,
    NoWindow,
    Ops,
    Option,
    SpecReader,
    Window,
    Windows,
    broadcast,
    dim_names,
    drawing_sizes,
    reads_as,
    register,
    require_spatial,
    sizes_text,
)
from .merge import agree


@register
@dataclass(frozen=True)
class Flatten(Layer):
    """Flattens to a vector of H*W*C values; a no-op on a flat vector."""

    keyword = "flatten"
    kind = "reshape"
    title = "Flatten"
    torch_classes = ("Flatten",)
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

    def windows(self, inp: Shape) -> Windows:
        # The spatial grid ends here: later layers see the map as one vector.
        return () if inp.is_flat else NoWindow.SEES_ALL

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        if inp.is_flat:
            return ()
        names = (*dim_names(inp.spatial_rank), "C")
        return (Step("N", mul(*(Var(n, d) for n, d in zip(names, inp.dims))), out.channels),)

    def to_spec(self) -> str:
        return "flatten"

    def torch_module(self, inp: Shape) -> TorchModule:
        return TorchModule("Flatten")

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> Flatten:
        if module.start_dim != 1 or module.end_dim != -1:
            raise TorchError("a flatten of other dims than all but the batch has no spec form")
        return cls()


@register
@dataclass(frozen=True)
class Reshape(Layer):
    """Reshapes to the given shape, channels last like every shape: ``reshape4x4x1024``.

    The element counts must agree (when symbolic, that is recorded as a condition). The
    values are taken in PyTorch's order, channels first: ``reshape4x4x1024`` is what a torch
    user writes as ``x.view(N, 1024, 4, 4)``, as DCGAN's generator reshapes its projected
    noise vector. (Keras' ``Reshape((4, 4, 1024))`` reads the values channels last: the
    shapes and counts agree, the order of the values inside differs on a map input.)
    """

    keyword = "reshape"
    kind = "reshape"
    title = "Reshape"
    torch_classes = ("Unflatten", "Reshape")
    formula = "out = the given shape; prod(out) must equal prod(in)"
    examples = (
        Example("16384", "reshape4x4x1024", "4x4x1024", 0),
        Example("7x7x64", "reshape49x64", "49x64", 0),
    )

    shape: tuple[Dim, ...]

    @classmethod
    def from_spec(cls, reader: SpecReader) -> Reshape:
        params = reader.params(range(1, 5), "reshape<d>x...x<C>, as in reshape4x4x1024")
        return cls(tuple(reader.dim(v, what="size") for v in params))

    def output_shape(self, inp: Shape, checks: Checks) -> Shape:
        given, wanted = product(inp.dims), product(self.shape)
        verdict = agree(given, wanted)
        if verdict is False:
            raise LayerError(
                f"{self.to_spec()} needs {fmt(wanted)} values but the input {inp} has "
                f"{fmt(given)}; the element counts must agree"
            )
        if isinstance(verdict, Constraint):
            checks.constraints.append(verdict)
        return Shape(self.shape)

    def windows(self, inp: Shape) -> Windows:
        if inp.is_flat:  # no spatial grid before it: nothing to follow
            return ()
        # To a vector: as flatten. Map to map: each output value comes from one input value,
        # but not along a window per dim.
        return NoWindow.SEES_ALL if len(self.shape) == 1 else NoWindow.NOT_COMPUTABLE

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        names_in = (*dim_names(inp.spatial_rank), "C") if not inp.is_flat else ("C",)
        names_out = (*dim_names(out.spatial_rank), "C") if not out.is_flat else ("C",)
        steps = [
            Step(
                "values in",
                mul(*(Var(n, d) for n, d in zip(names_in, inp.dims))),
                product(inp.dims),
            ),
            Step(
                "values out",
                mul(*(Var(n, d) for n, d in zip(names_out, out.dims))),
                product(out.dims),
            ),
        ]
        # Each new spatial size, as given (the working of every changed size shows).
        steps += [Step(n, Var("given", d), d) for n, d in zip(names_out[:-1], out.spatial)]
        return tuple(steps)

    def to_spec(self) -> str:
        return f"reshape{sizes_text(self.shape)}"

    def torch_module(self, inp: Shape) -> TorchModule:
        target = Shape(tuple(concrete_int(d, "size") for d in self.shape)).torch_order()[1:]
        if inp.is_flat:  # torch's own class for a vector's view(N, C, H, W)
            return TorchModule("Unflatten", (1, target))
        return TorchModule("Reshape", (target,), defined=True)

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> Reshape:
        if type(module).__name__ == "Reshape":
            sizes = tuple(module.shape)
        else:
            if module.dim not in (1, -1) or not inp.is_flat:
                raise TorchError(
                    "an unflatten of other dims than a flat vector's features has no spec form"
                )
            sizes = as_tuple(module.unflattened_size)
        return cls(Shape.from_torch_order((1, *sizes)).dims)


@dataclass(frozen=True)
class BothSides(Layer):
    """A layer that adds (zero padding) or cuts (a crop) an amount on both sides of every
    spatial dim, one amount per dim or one for all: what :class:`ZeroPad` and :class:`Crop`
    share. A subclass has one field, the amounts, and says what they are."""

    kind = "reshape"
    params_zero_ok = True
    #: +1: the amount is added on each side; -1: it is cut.
    sign: ClassVar[int] = 1
    #: The amount, as errors name it (``padding``), and its letter in usage and working.
    what: ClassVar[str] = ""
    letter: ClassVar[str] = ""
    #: How a drawing labels the layer, before its sizes.
    label: ClassVar[str] = ""

    @property
    def amounts(self) -> tuple[Dim, ...]:
        """The amounts as written, one per spatial dim or one for all."""
        raise NotImplementedError

    @classmethod
    def from_spec(cls, reader: SpecReader) -> BothSides:
        k, c = cls.keyword, cls.letter
        params = reader.params(range(1, 4), f"{k}<{c}> or {k}<{c}>x<{c}>")
        amounts = tuple(reader.dim(v, what=cls.what, zero_ok=True) for v in params)
        return cls(amounts)  # type: ignore[call-arg]  # a subclass's one field: the amounts

    def per_dim(self, inp: Shape) -> tuple[Dim, ...]:
        """The amount on each spatial dim of ``inp``."""
        return broadcast(self.amounts, inp.spatial_rank, self.keyword)

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        combine = plus if self.sign > 0 else minus
        return tuple(
            Step(name, combine(Var("n", n), mul(Num(2), Var(self.letter, a))), o)
            for name, n, a, o in zip(
                dim_names(inp.spatial_rank), inp.spatial, self.per_dim(inp), out.spatial
            )
        )

    def to_spec(self) -> str:
        return f"{self.keyword}{sizes_text(self.amounts)}"

    def drawing_label(self, inp: Shape) -> str:
        return f"{self.label} {drawing_sizes(self.amounts)}"


@register
@dataclass(frozen=True)
class ZeroPad(BothSides):
    """Zero padding on both sides of every spatial dim: ``zeropad1``, ``zeropad1x2`` (per dim)."""

    keyword = "zeropad"
    torch_classes = ("ZeroPad1d", "ZeroPad2d", "ZeroPad3d")
    formula = "out = in + 2*pad"
    examples = (
        Example("28x28x1", "zeropad2", "32x32x1", 0),
        Example("28x28x1", "zeropad1x2", "30x32x1", 0),
    )
    what = "padding"
    letter = "p"
    label = "Zero-Pad"

    pad: tuple[Dim, ...]

    @property
    def amounts(self) -> tuple[Dim, ...]:
        return self.pad

    def output_shape(self, inp: Shape, checks: Checks) -> Shape:
        require_spatial(self.keyword, inp)
        return inp.with_spatial([n + 2 * p for n, p in zip(inp.spatial, self.per_dim(inp))])

    def windows(self, inp: Shape) -> tuple[Window, ...]:
        return tuple(Window(1, 1, p) for p in self.per_dim(inp))

    def torch_module(self, inp: Shape) -> TorchModule:
        rank = spatial_rank(inp, self.keyword)
        pads = concrete_per_dim(self.pad, rank, "padding")
        return TorchModule(f"ZeroPad{rank}d", (tuple(p for p in reversed(pads) for _ in range(2)),))

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> ZeroPad:
        # torch lists (before, after) pairs from the last dim back.
        flat = as_tuple(module.padding)
        pairs = [flat[i : i + 2] for i in range(0, len(flat), 2)][::-1]
        if any(p < 0 for p in flat):  # torch crops where the padding is negative
            raise TorchError(
                f"zero padding {flat} is negative, a crop: write crop with the amounts"
            )
        if any(before != after for before, after in pairs):
            raise TorchError(f"zero padding {flat} is not the same on both sides of each dim")
        return cls(collapse(tuple(before for before, _ in pairs)))


@register
@dataclass(frozen=True)
class Crop(BothSides):
    """Cuts positions off both sides of every spatial dim: ``crop4``, ``crop4x2`` (per dim).

    U-Net's copy-and-crop: ``concat( crop4 ; maxpool2 | ... | deconv2x2x512 s2 )`` cuts the
    skip connection's 64x64 map to the 56x56 of the upsampled path. At least one position
    must remain in each dim.
    """

    keyword = "crop"
    torch_classes = ("Crop",)
    formula = "out = in - 2*crop (at least 1)"
    examples = (
        Example("64x64x512", "crop4", "56x56x512", 0),
        Example("30x20x8", "crop4x2", "22x16x8", 0),
    )
    sign = -1
    what = "crop"
    letter = "c"
    label = "Crop"

    crop: tuple[Dim, ...]

    @property
    def amounts(self) -> tuple[Dim, ...]:
        return self.crop

    def output_shape(self, inp: Shape, checks: Checks) -> Shape:
        require_spatial(self.keyword, inp)
        crop = self.per_dim(inp)
        names = dim_names(inp.spatial_rank)
        for name, n, c in zip(names, inp.spatial, crop):

            def message(name: str = name, n: Dim = n, c: Dim = c) -> str:
                return (
                    f"{self.to_spec()} cuts {fmt(c)} from each side of {name} = {fmt(n)}, "
                    f"which leaves nothing; the crop must be smaller than half the map"
                )

            checks.at_least(n - 2 * c, 1, message)
        return inp.with_spatial([n - 2 * c for n, c in zip(inp.spatial, crop)])

    def windows(self, inp: Shape) -> tuple[Window, ...]:
        # Output o is input o + c: a 1-wide window that starts c positions in.
        return tuple(Window(1, 1, -c) for c in self.per_dim(inp))

    def torch_module(self, inp: Shape) -> TorchModule:
        rank = spatial_rank(inp, self.keyword)
        return TorchModule("Crop", (concrete_per_dim(self.crop, rank, "crop"),), defined=True)

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> Crop:
        return cls(collapse(tuple(int(c) for c in module.crop)))


#: Upsampling modes as torch names them, and the spatial rank each interpolates (None: any).
UPSAMPLE_MODES: dict[str, int | None] = {
    "nearest": None,
    "linear": 1,
    "bilinear": 2,
    "bicubic": 2,
    "trilinear": 3,
}
#: Per output element, what thop charges each mode (its calculate_upsample; trilinear: 0,
#: which it does not implement) and fvcore (its upsample_nearest2d and upsample_bilinear2d
#: handles; no other mode or rank).
_THOP_UPSAMPLE = {"nearest": 1, "linear": 5, "bilinear": 11, "bicubic": 259, "trilinear": 0}
_FVCORE_UPSAMPLE = {("nearest", 2): 1, ("bilinear", 2): 4}


@register
@dataclass(frozen=True)
class Upsample(Layer):
    """Upsampling by an integer factor: ``upsample2``, ``upsample2x1`` (per dim).

    Nearest-neighbour by default; ``linear`` (1D), ``bilinear`` or ``bicubic`` (2D) and
    ``trilinear`` (3D) interpolate, as torch's ``nn.Upsample(mode=...)``, and
    ``aligncorners`` is torch's ``align_corners=True`` for them (the shape is the same).
    """

    keyword = "upsample"
    kind = "reshape"
    torch_classes = ("Upsample",)
    options = {
        "nearest": Option("copy the nearest input (the default)"),
        "linear": Option("interpolate linearly along a 1D signal"),
        "bilinear": Option("interpolate bilinearly on a 2D map"),
        "bicubic": Option("interpolate bicubically on a 2D map"),
        "trilinear": Option("interpolate trilinearly in a 3D volume"),
        "aligncorners": Option("torch's align_corners=True: the corner pixels' centres align"),
    }
    formula = "out = in * factor"
    examples = (
        Example("14x14x8", "upsample2", "28x28x8", 0),
        Example("14x14x8", "upsample2 bilinear", "28x28x8", 0),
        Example("50x4", "upsample4 linear aligncorners", "200x4", 0),
    )

    factor: tuple[Dim, ...]
    mode: str = "nearest"
    align_corners: bool = False

    @classmethod
    def from_spec(cls, reader: SpecReader) -> Upsample:
        params = reader.params(range(1, 4), "upsample<f> or upsample<f>x<f>")
        modes = [mode for mode in UPSAMPLE_MODES if reader.flag(mode)]
        if len(modes) > 1:
            span = reader.option_span(modes[1])
            assert span is not None
            raise reader.error(f"give one mode, found {modes[0]} and {modes[1]}", span)
        mode = modes[0] if modes else "nearest"
        align = reader.flag("aligncorners")
        if align and mode == "nearest":
            span = reader.option_span("aligncorners")
            assert span is not None
            raise reader.error(
                "aligncorners needs an interpolating mode (linear, bilinear, bicubic or "
                "trilinear), not nearest",
                span,
            )
        return cls(tuple(reader.dim(v, what="factor") for v in params), mode, align)

    def output_shape(self, inp: Shape, checks: Checks) -> Shape:
        require_spatial(self.keyword, inp)
        rank = UPSAMPLE_MODES[self.mode]
        if rank is not None and rank != inp.spatial_rank:
            fits = [m for m, r in UPSAMPLE_MODES.items() if r == inp.spatial_rank]
            raise LayerError(
                f"{self.mode} upsampling needs a {rank}D input, got {reads_as(inp)}; "
                f"use {' or '.join(fits) if fits else 'nearest'}",
                option=self.mode,
            )
        factor = broadcast(self.factor, inp.spatial_rank, self.keyword)
        return inp.with_spatial([n * f for n, f in zip(inp.spatial, factor)])

    def ops(self, inp: Shape, out: Shape) -> Ops:
        outputs = product(out.dims)
        fvcore = _FVCORE_UPSAMPLE.get((self.mode, inp.spatial_rank))
        return Ops(
            fvcore=times(fvcore, outputs) if fvcore is not None else None,
            thop=times(_THOP_UPSAMPLE[self.mode], outputs),
        )

    def windows(self, inp: Shape) -> Windows:
        factor = broadcast(self.factor, inp.spatial_rank, self.keyword)
        if self.mode == "nearest":
            # Output o copies input floor(o/f), the one integer in [(o - f + 1)/f, o/f]: a
            # window of size 2 - 1/f with stride 1/f and padding 1 - 1/f (exact fractions).
            return tuple(Window(ratio(2 * f - 1, f), ratio(1, f), ratio(f - 1, f)) for f in factor)
        # Interpolation reads floor(x) and floor(x) + 1 around the source coordinate x
        # (bicubic one more on each side): x = (o + 1/2)/f - 1/2, a multiple of 1/(2f), so
        # floor(x) >= x - (2f - 1)/(2f). With align_corners x = o*(n - 1)/(n*f - 1).
        reach = 2 if self.mode == "bicubic" else 1
        windows = []
        for n, f in zip(inp.spatial, factor):
            if self.align_corners:
                stride = 1 if f == 1 else ratio(n - 1, n * f - 1)
                windows.append(Window(2 * reach + 1, stride, reach))
            else:
                below = ratio(3 * f - 2, 2 * f) + (reach - 1)
                windows.append(
                    Window(ratio(6 * f - 1, 2 * f) + 2 * (reach - 1), ratio(1, f), below)
                )
        return tuple(windows)

    def torch_module(self, inp: Shape) -> TorchModule:
        rank = spatial_rank(inp, self.keyword)
        factor = tuple(float(f) for f in concrete_per_dim(self.factor, rank, "factor"))
        align = True if self.align_corners else None
        return TorchModule(
            "Upsample", (), keywords(scale_factor=factor, mode=self.mode, align_corners=align)
        )

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> Upsample:
        if module.mode not in UPSAMPLE_MODES or module.scale_factor is None:
            raise TorchError(
                f"upsampling by size or in mode {module.mode!r} has no spec form; only "
                f"{', '.join(UPSAMPLE_MODES)} by a whole factor"
            )
        factors = module.scale_factor
        values = tuple(factors) if isinstance(factors, tuple | list) else (factors,)
        if any(float(f) != int(f) or f < 1 for f in values):
            raise TorchError(f"upsampling by {factors} has no spec form; only whole factors")
        align = bool(module.align_corners) and module.mode != "nearest"
        return cls(collapse(tuple(int(f) for f in values)), module.mode, align)

    def drawing_label(self, inp: Shape) -> str:
        mode = "" if self.mode == "nearest" else f" {self.mode}"
        return f"Upsample {drawing_sizes(self.factor)}{mode}"

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        factor = broadcast(self.factor, inp.spatial_rank, self.keyword)
        return tuple(
            Step(name, mul(Var("n", n), Var("f", f)), o)
            for name, n, f, o in zip(dim_names(inp.spatial_rank), inp.spatial, factor, out.spatial)
        )

    def to_spec(self) -> str:
        mode = "" if self.mode == "nearest" else f" {self.mode}"
        align = " aligncorners" if self.align_corners else ""
        return f"upsample{sizes_text(self.factor)}{mode}{align}"


@register
@dataclass(frozen=True)
class ChannelShuffle(Layer):
    """Channel shuffle in g groups: ``shuffle2`` (ShuffleNet's; torch's ``nn.ChannelShuffle``).

    The channels, seen as g groups of C/g, are interleaved (a transpose of g x C/g), so the
    next grouped convolution or split sees channels from every group. The groups must
    divide the channels; the shape is kept.
    """

    keyword = "shuffle"
    kind = "reshape"
    torch_classes = ("ChannelShuffle",)
    formula = "out = in; groups must divide C"
    examples = (Example("28x28x116", "shuffle2", "28x28x116", 0),)

    groups: Dim

    @classmethod
    def from_spec(cls, reader: SpecReader) -> ChannelShuffle:
        (groups,) = reader.params(range(1, 2), "shuffle<groups>, as in shuffle2")
        return cls(reader.dim(groups, what="groups"))

    def output_shape(self, inp: Shape, checks: Checks) -> Shape:
        require_spatial(self.keyword, inp)
        channels, groups = inp.channels, self.groups

        def message() -> str:
            return (
                f"input channels ({fmt(channels)}) are not divisible by the shuffle's groups "
                f"({fmt(groups)})"
            )

        checks.require(divides(groups, channels), message)
        return inp

    def to_spec(self) -> str:
        return f"shuffle{sizes_text((self.groups,))}"

    def torch_module(self, inp: Shape) -> TorchModule:
        spatial_rank(inp, self.keyword)
        return TorchModule("ChannelShuffle", (concrete_int(self.groups, "groups"),))

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> ChannelShuffle:
        return cls(int(module.groups))

    def drawing_label(self, inp: Shape) -> str:
        return f"Shuffle {fmt(self.groups)}"


@register
@dataclass(frozen=True)
class Identity(Layer):
    """Passes its input on unchanged: ``identity``, the plain path of a branch.

    As in DenseNet's ``concat(identity ; bn | relu | conv3x3x32 same)``.
    """

    keyword = "identity"
    kind = "reshape"
    title = "Identity"
    torch_classes = ("Identity",)
    formula = "out = in"
    examples = (Example("28x28x64", "identity", "28x28x64", 0),)

    @classmethod
    def from_spec(cls, reader: SpecReader) -> Identity:
        reader.params(range(0, 1), "identity")
        return cls()

    def to_spec(self) -> str:
        return "identity"

    def torch_module(self, inp: Shape) -> TorchModule:
        return TorchModule("Identity")

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> Identity:
        return cls()
