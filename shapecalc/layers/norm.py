"""Normalisation layers, and layer scale (the learned per-channel scale they end with)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import TorchError
from ..shape import Shape
from ..symbolic import Dim, divides, exact_div, fmt, product, times
from ..torchmodule import TorchModule, concrete_int, keywords, spatial_rank
from ..working import Num, Quot, Step, Term, Var
from ..working import times as mul
from .base import (
    Checks,
    Example,
    Layer,
    Ops,
    Option,
    SpecReader,
    register,
    require_spatial,
    sizes_text,
)


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


#: The option of the normalisations with a learned shift (beta): leave it out.
NOBIAS = Option("no shift (beta): C parameters instead of 2*C (torch's bias=False)")


def _affine_params(inp: Shape, bias: bool) -> Dim:
    """gamma, and beta unless ``nobias``: one of each per channel."""
    return 2 * inp.channels if bias else inp.channels


def _affine_term(inp: Shape, bias: bool) -> Term:
    channels = Var("C", inp.channels)
    return mul(Num(2), channels) if bias else channels


def _no_bias(bias: bool) -> bool | None:
    """torch's ``bias=`` keyword: False with ``nobias``, else left out (torch's default)."""
    return None if bias else False


def _read_bias(module: Any, keyword: str) -> bool:
    """Whether a torch normalisation has its shift (it must have its scale)."""
    if getattr(module, "weight", None) is None:
        raise TorchError(f"{keyword} without a learned scale (affine=False) has no spec form")
    return module.bias is not None


@register
@dataclass(frozen=True)
class LayerNorm(Layer):
    """Layer normalisation over the channels at each position: ``layernorm`` (alias ``ln``).

    On a flat vector it normalises the features (torch's ``nn.LayerNorm(C)``, Keras'
    ``LayerNormalization``); on a map, the C channels of each pixel (ConvNeXt's LayerNorm2d,
    which torch has no class for: ``shapecalc torch`` defines ``ChannelLayerNorm``). 2*C
    parameters (gamma, beta), as torch and Keras count them; C with ``nobias``.
    """

    keyword = "layernorm"
    aliases = ("ln",)
    kind = "norm"
    title = "LayerNorm"
    options = {"nobias": NOBIAS}
    # LayerNorm2d: torchvision's ConvNeXt's layer norm over the channels of a map.
    torch_classes = ("LayerNorm", "ChannelLayerNorm", "LayerNorm2d")
    formula = "out = in; params = 2*C (C with nobias)"
    examples = (
        Example("56x56x96", "layernorm", "56x56x96", 192),
        Example("768", "ln nobias", "768", 768),
    )

    bias: bool = True

    @classmethod
    def from_spec(cls, reader: SpecReader) -> LayerNorm:
        reader.params(range(0, 1), "layernorm")
        return cls(not reader.flag("nobias"))

    def param_count(self, inp: Shape) -> Dim:
        return _affine_params(inp, self.bias)

    def ops(self, inp: Shape, out: Shape) -> Ops:
        # fvcore's layer_norm handle: 5 per element with a scale; thop's count_normalization:
        # 2 per element, doubled for the affine. Both see the torch.nn.LayerNorm inside
        # ChannelLayerNorm. torch's FlopCounterMode counts nothing.
        elements = product(inp.dims)
        return Ops(fvcore=times(5, elements), thop=times(4, elements))

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        return (Step("params", _affine_term(inp, self.bias), self.param_count(inp)),)

    def to_spec(self) -> str:
        return "layernorm" if self.bias else "layernorm nobias"

    def torch_module(self, inp: Shape) -> TorchModule:
        channels = concrete_int(inp.channels, "channels")
        bias = keywords(bias=_no_bias(self.bias))
        if inp.is_flat:
            return TorchModule("LayerNorm", (channels,), bias)
        # nn.LayerNorm(C) on N x C x H x W would normalise W; GroupNorm(1, C) all of C*H*W.
        return TorchModule("ChannelLayerNorm", (channels,), bias, defined=True)

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> LayerNorm:
        norm = module.norm if type(module).__name__ == "ChannelLayerNorm" else module
        if type(module).__name__ == "LayerNorm" and not inp.is_flat:
            raise TorchError(
                f"nn.LayerNorm on the map {inp} normalises its last torch dim, not the "
                "channels; layernorm on a map is ChannelLayerNorm"
            )
        if tuple(norm.normalized_shape) != (int(inp.channels),):
            raise TorchError(
                f"a layer norm over {tuple(norm.normalized_shape)} has no spec form; "
                "layernorm normalises the channels alone"
            )
        return cls(_read_bias(norm, "layernorm"))


@register
@dataclass(frozen=True)
class GroupNorm(Layer):
    """Group normalisation over groups of channels: ``groupnorm32`` (32 groups; alias ``gn``).

    Each group of C/g channels is normalised over its channels and all positions; the
    groups must divide the channels, and a group must hold 2 or more values (torch refuses
    one). 2*C parameters (gamma, beta), as torch's
    ``nn.GroupNorm`` and Keras' ``GroupNormalization`` count them; C with ``nobias``.
    """

    keyword = "groupnorm"
    aliases = ("gn",)
    kind = "norm"
    options = {"nobias": NOBIAS}
    torch_classes = ("GroupNorm",)
    formula = (
        "out = in; groups must divide C, each group 2 or more values; params = 2*C "
        "(C with nobias)"
    )
    examples = (
        Example("56x56x64", "groupnorm32", "56x56x64", 128),
        Example("100x12", "gn3 nobias", "100x12", 12),
    )

    groups: Dim = 32
    bias: bool = True

    @classmethod
    def from_spec(cls, reader: SpecReader) -> GroupNorm:
        (groups,) = reader.params(range(1, 2), "groupnorm<groups>, as in groupnorm32")
        return cls(reader.dim(groups, what="groups"), not reader.flag("nobias"))

    def output_shape(self, inp: Shape, checks: Checks) -> Shape:
        channels, groups = inp.channels, self.groups

        def message() -> str:
            text = f"input channels ({fmt(channels)}) are not divisible by groups ({fmt(groups)})"
            if isinstance(channels, int) and isinstance(groups, int):
                fits = max(d for d in range(1, min(groups, channels) + 1) if channels % d == 0)
                text += f"; use groups that divide {channels}, such as groupnorm{fits}"
            return text

        checks.require(divides(groups, channels), message)
        # torch refuses a group of one value (one channel at one position, per sample).
        values = times(exact_div(channels, groups), product(inp.spatial))
        checks.at_least(values, 2, lambda: self._single_value(inp))
        return inp

    def _single_value(self, inp: Shape) -> str:
        where = "of the vector" if inp.is_flat else "at one position"
        text = (
            f"groupnorm{fmt(self.groups)} on {inp} leaves one value in each group (one channel "
            f"{where}), which torch refuses"
        )
        channels, groups = inp.channels, self.groups
        if isinstance(channels, int) and isinstance(groups, int) and groups > 1:
            fewer = max(d for d in range(1, groups) if channels % d == 0)
            text += f"; use fewer groups, such as groupnorm{fewer}"
        return text

    def param_count(self, inp: Shape) -> Dim:
        return _affine_params(inp, self.bias)

    def ops(self, inp: Shape, out: Shape) -> Ops:
        # fvcore's group_norm handle: 5 per element with a scale; thop has no rule for
        # nn.GroupNorm (0); torch's FlopCounterMode counts nothing.
        return Ops(fvcore=times(5, product(inp.dims)), thop=0)

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        per_group = Quot(Var("C", inp.channels), Var("g", self.groups))
        return (
            Step("channels per group", per_group, exact_div(inp.channels, self.groups)),
            Step("params", _affine_term(inp, self.bias), self.param_count(inp)),
        )

    def to_spec(self) -> str:
        return f"groupnorm{sizes_text((self.groups,))}" + ("" if self.bias else " nobias")

    def drawing_label(self, inp: Shape) -> str:
        return f"GroupNorm {fmt(self.groups)}"

    def torch_module(self, inp: Shape) -> TorchModule:
        groups, channels = concrete_int(self.groups, "groups"), concrete_int(inp.channels, "channels")
        positions = concrete_int(product(inp.spatial), "positions")
        if channels % groups == 0 and channels // groups * positions < 2:
            # torch's group_norm refuses it for one sample (its batch-norm check of "more than
            # 1 value per channel"), and computes a constant for more: refused at any batch.
            raise TorchError(
                f"groupnorm{groups} on {inp}: each group holds a single value per sample, "
                "which torch refuses at batch 1"
            )
        return TorchModule("GroupNorm", (groups, channels), keywords(bias=_no_bias(self.bias)))

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> GroupNorm:
        return cls(int(module.num_groups), _read_bias(module, "groupnorm"))


@register
@dataclass(frozen=True)
class InstanceNorm(Layer):
    """Instance normalisation of each channel over its positions: ``instancenorm``.

    ``instancenorm affine`` adds a learned scale and shift per channel. No parameters, as torch's ``InstanceNorm1d/2d/3d`` default (affine=False, no running
    statistics); 2*C with ``affine`` (C with ``affine nobias``). Keras has no such layer:
    ``GroupNormalization(groups=-1)`` computes it, always with 2*C parameters.
    """

    keyword = "instancenorm"
    kind = "norm"
    title = "InstanceNorm"
    options = {
        "affine": Option("a learned scale and shift per channel: 2*C parameters"),
        "nobias": Option("with affine: the scale alone, C parameters (torch's bias=False)"),
    }
    torch_classes = ("InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d")
    formula = "out = in; needs 2 or more positions; params = 0, or 2*C with affine"
    examples = (
        Example("64x64x32", "instancenorm", "64x64x32", 0),
        Example("128x128x64", "instancenorm affine", "128x128x64", 128),
    )

    affine: bool = False
    bias: bool = True

    @classmethod
    def from_spec(cls, reader: SpecReader) -> InstanceNorm:
        reader.params(range(0, 1), "instancenorm")
        affine, nobias = reader.flag("affine"), reader.flag("nobias")
        span = reader.option_span("nobias")
        if nobias and not affine and span is not None:
            raise reader.error(
                "'nobias' needs 'affine': without it instancenorm has no parameters", span
            )
        return cls(affine, not nobias)

    def output_shape(self, inp: Shape, checks: Checks) -> Shape:
        require_spatial(self.keyword, inp)
        positions = product(inp.spatial)
        checks.at_least(
            positions,
            2,
            lambda: f"instancenorm normalises each channel over its positions, and {inp} has "
            f"{fmt(positions)} per channel (torch needs 2 or more); use layernorm or groupnorm",
        )
        return inp

    def param_count(self, inp: Shape) -> Dim:
        return _affine_params(inp, self.bias) if self.affine else 0

    def ops(self, inp: Shape, out: Shape) -> Ops:
        # fvcore's instance_norm handle: 5 per element with a scale, else 4; thop's
        # count_normalization: 2 per element, doubled with the affine.
        elements = product(inp.dims)
        if self.affine:
            return Ops(fvcore=times(5, elements), thop=times(4, elements))
        return Ops(fvcore=times(4, elements), thop=times(2, elements))

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        if not self.affine:
            return ()
        return (Step("params", _affine_term(inp, self.bias), self.param_count(inp)),)

    def to_spec(self) -> str:
        return "instancenorm" + (" affine" if self.affine else "") + (
            "" if self.bias else " nobias"
        )

    def torch_module(self, inp: Shape) -> TorchModule:
        rank = spatial_rank(inp, self.keyword)
        options = keywords(affine=self.affine or None, bias=_no_bias(self.bias))
        return TorchModule(
            f"InstanceNorm{rank}d", (concrete_int(inp.channels, "channels"),), options
        )

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> InstanceNorm:
        if module.track_running_stats:
            raise TorchError(
                "instancenorm with running statistics (track_running_stats=True) has no "
                "spec form"
            )
        if not module.affine:
            return cls()
        return cls(True, _read_bias(module, "instancenorm"))


@register
@dataclass(frozen=True)
class LayerScale(Layer):
    """A learned scale per channel, ConvNeXt's layer scale (gamma): ``layerscale``.

    C parameters. torch and Keras have no public class for it: ``shapecalc torch`` defines
    ``LayerScale`` (initialised to 1e-6, as ConvNeXt), like Keras' ConvNeXt its own.
    """

    keyword = "layerscale"
    # An affine scale, as a normalisation ends with: drawn with the normalisations.
    kind = "norm"
    title = "LayerScale"
    torch_classes = ("LayerScale",)
    formula = "out = in; params = C"
    examples = (Example("7x7x768", "layerscale", "7x7x768", 768),)

    @classmethod
    def from_spec(cls, reader: SpecReader) -> LayerScale:
        reader.params(range(0, 1), "layerscale")
        return cls()

    def param_count(self, inp: Shape) -> Dim:
        return inp.channels

    # ops: a multiplication per element, which none of the four tools counts (torchinfo:
    # its parameters once per sample, as for any layer with parameters).

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        return (Step("params", Var("C", inp.channels), self.param_count(inp)),)

    def to_spec(self) -> str:
        return "layerscale"

    def torch_module(self, inp: Shape) -> TorchModule:
        return TorchModule("LayerScale", (concrete_int(inp.channels, "channels"),), defined=True)

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> LayerScale:
        return cls()
