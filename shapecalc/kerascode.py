"""The ``shapecalc keras`` code: a spec as a runnable Keras 3 model.

Each layer kind's Keras counterpart is described as data, a :class:`KerasForm` (one or a
few :class:`KerasLayer`), by the function :data:`KERAS_FORMS` holds for its class. Both uses
read that one description, so they cannot drift apart:

- :mod:`shapecalc.kerascheck` instantiates it and runs a forward pass (``shapecalc check
  --framework keras``);
- :func:`keras_code` prints it as a runnable Python module (``shapecalc keras``).

The mapping lives here rather than on the layer classes: it is the Keras bridge's business,
and the kinds do not need it to compute anything. ``tests/test_keras_code.py`` fails, without
Keras, for a registered kind that has no entry, so a new kind cannot be forgotten.

This module never imports Keras: emitting code works without it.

Where the calculator's meaning and Keras' differ, the form gives the calculator's result
(shape and parameters) and says how in its ``note``, printed as a comment:

- the spec's shapes are channels last, as Keras' are: no reordering;
- ``same`` is TensorFlow's, which Keras' ``padding="same"`` is on every backend (stride > 1
  included);
- torch-style padding (``pad1``), which Keras' convolutions and pooling lack, is a
  ``ZeroPadding`` layer before them; ceil-mode pooling is extra zero padding at the end;
- Keras refuses a stride with a dilation: the dilated convolution runs with stride 1 and a
  ``MaxPooling`` of window 1 with the stride keeps every stride-th output (the same values);
- a transposed convolution's torch ``padding`` is a ``Cropping`` after it.

What Keras cannot express (a grouped transposed convolution, say) raises
:class:`~shapecalc.errors.KerasLayerError`, pointed at the layer in the spec.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import KerasError, KerasLayerError
from .layers import Checks, Layer, activation, conv, deconv, dense, norm, pool, reshape
from .layers.conv import same_pad
from .layers.deconv import keras_same_torch
from .layers.merge import Add, Chunk, Concat, Merge, Mul, Split
from .shape import Shape
from .symbolic import Dim, fmt, is_concrete
from .torchcode import class_sources, comment_lines, spec_comments
from .torchmodule import call_code, python_literal

if TYPE_CHECKING:
    from .analysis import Analysis, Row


@dataclass(frozen=True)
class KerasLayer:
    """A Keras layer described as data: ``layers.<name>(*args, **kwargs)``.

    Attributes:
        name: the class name, in ``keras.layers`` or (``defined``) in
            :mod:`shapecalc.kerasmodules`.
        args, kwargs: the arguments (ints, floats, bools, strings, None, tuples and lists).
        role: empty for the layer that computes the row; otherwise what this helper layer
            does (``pad``, ``crop``, ``subsample``), which ends its Keras name.
        defined: the class is one shapecalc defines, written without ``layers.`` and
            emitted with the code.
    """

    name: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()
    role: str = ""
    defined: bool = False

    @property
    def qualified(self) -> str:
        """How the emitted code names the class: ``layers.Conv2D``, or ``LayerScale``."""
        return self.name if self.defined else f"layers.{self.name}"

    def layer_name(self, base: str) -> str:
        """The Keras ``name=`` of this layer in the row named ``base``: ``conv_1``,
        ``conv_1_pad``."""
        return f"{base}_{self.role}" if self.role else base

    def code(self, base: str, indent: int, lead: str = "", after: str = "") -> str:
        """Python source that builds the layer, named for the row ``base``, starting at
        column ``indent``; ``lead`` stands before it (an assignment), ``after`` follows it
        (the call on its input)."""
        items = [_literal(a) for a in self.args]
        items += [f"{key}={_literal(value)}" for key, value in self.kwargs]
        items.append(f"name={_literal(self.layer_name(base))}")
        return call_code(lead + self.qualified, items, indent, after)


@dataclass(frozen=True)
class KerasForm:
    """The Keras layers that compute one row of the spec, applied one after another.

    Attributes:
        layers: the layers; the last one's output is the row's.
        note: where the form differs from the one Keras layer a reader would expect, why
            (printed as a comment above it); empty otherwise.
    """

    layers: tuple[KerasLayer, ...]
    note: str = ""


def _literal(value: Any) -> str:
    """A Python literal for an argument; strings in double quotes, as Keras' docs write them."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, tuple):
        inner = ", ".join(_literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return python_literal(value)


def _int(value: Dim, what: str) -> int:
    if not is_concrete(value):
        raise KerasError(f"{what} is {fmt(value)}; Keras needs numbers: give every symbol a value")
    return int(value)


def _ints(values: Sequence[Dim], rank: int, what: str) -> tuple[int, ...]:
    """One int per spatial dim, from one value or one per dim."""
    ints = tuple(_int(v, what) for v in values)
    return ints * rank if len(ints) == 1 else ints


def _size(values: Sequence[int]) -> int | tuple[int, ...]:
    """Keras' short form: one int when every dim has the same value."""
    return values[0] if len(set(values)) == 1 else tuple(values)


def _rank(inp: Shape, keyword: str) -> int:
    rank = inp.spatial_rank
    if rank not in (1, 2, 3):
        raise KerasError(f"{keyword} on {inp}: Keras has such layers in 1D, 2D and 3D only")
    return rank


def _keywords(**values: Any) -> tuple[tuple[str, Any], ...]:
    """Keyword arguments, leaving out those given as None (Keras' default)."""
    return tuple((key, value) for key, value in values.items() if value is not None)


def _unless(value: int | tuple[int, ...], default: int) -> int | tuple[int, ...] | None:
    return None if value == default else value


def _zero_padding(rank: int, pads: Sequence[tuple[int, int]]) -> KerasLayer:
    """``ZeroPadding{rank}D`` of (before, after) per spatial dim, in Keras' shortest form."""
    if all(before == after for before, after in pads):
        padding: Any = _size([before for before, _ in pads])
    elif rank == 1:
        padding = tuple(pads[0])
    else:
        padding = tuple(tuple(pair) for pair in pads)
    return KerasLayer(f"ZeroPadding{rank}D", (padding,), role="pad")


def _padding_text(rank: int, pads: Sequence[tuple[int, int]]) -> str:
    """``ZeroPadding2D (1+1, 0+1)``: the padding before and after each spatial dim."""
    return f"ZeroPadding{rank}D (" + ", ".join(f"{b}+{a}" for b, a in pads) + ")"


def _conv(layer: conv.Conv, inp: Shape) -> KerasForm:
    rank = _rank(inp, layer.keyword)
    kernel = _ints(layer.kernel, rank, "kernel")
    stride = _ints(layer.stride, rank, "stride")
    dilation = _ints(layer.dilation, rank, "dilation")
    channels = _int(inp.channels, "input channels")
    filters = _int(layer.filters, "filters")
    groups = channels if layer.depthwise else _int(layer.groups, "groups")
    # Keras refuses strides > 1 with dilation_rate > 1.
    subsample = any(s > 1 for s in stride) and any(d > 1 for d in dilation)
    notes, before, after = [], [], []
    spatial = _ints(inp.spatial, rank, "size")
    same = [same_pad(*sizes) for sizes in zip(spatial, kernel, stride, dilation)]
    pads = same if layer.same else [(p, p) for p in _ints(layer.pad or (0,), rank, "pad")]
    if layer.causal:  # all before: the dilated kernel less one
        pads = [(d * (k - 1), 0) for k, d in zip(kernel, dilation)]
    padding = None
    if layer.causal and not subsample:
        padding = "causal"  # Keras' Conv1D has the same definition
    elif pads == same and any(pair != (0, 0) for pair in pads) and not subsample:
        padding = "same"  # also torch's pad1 of a 3x3 kernel: the same zeros on each side
    elif any(pair != (0, 0) for pair in pads):
        before.append(_zero_padding(rank, pads))
        notes.append(f"{_padding_text(rank, pads)} first, then padding valid")
    if subsample:
        after.append(
            KerasLayer(f"MaxPooling{rank}D", (1,), (("strides", _size(stride)),), role="subsample")
        )
        notes.append(
            "strides with dilation are refused: stride 1, then MaxPooling of window 1 "
            "keeps every stride-th output"
        )
    strides = None if subsample else _unless(_size(stride), 1)
    dilation_rate = _unless(_size(dilation), 1)
    use_bias = None if layer.bias else False
    if layer.depthwise and rank <= 2:  # Keras has no DepthwiseConv3D: Conv3D(groups=C)
        options = _keywords(
            strides=strides,
            padding=padding,
            depth_multiplier=_unless(filters // channels, 1),
            dilation_rate=dilation_rate,
            use_bias=use_bias,
        )
        main = KerasLayer(f"DepthwiseConv{rank}D", (_size(kernel),), options)
    else:
        options = _keywords(
            strides=strides,
            padding=padding,
            dilation_rate=dilation_rate,
            groups=_unless(groups, 1),
            use_bias=use_bias,
        )
        main = KerasLayer(f"Conv{rank}D", (filters, _size(kernel)), options)
    return KerasForm((*before, main, *after), "; ".join(notes))


def _deconv(layer: deconv.Deconv, inp: Shape) -> KerasForm:
    rank = _rank(inp, layer.keyword)
    name = f"Conv{rank}DTranspose"
    kernel = _ints(layer.kernel, rank, "kernel")
    stride = _ints(layer.stride, rank, "stride")
    dilation = _ints(layer.dilation, rank, "dilation")
    if _int(layer.groups, "groups") != 1:
        raise KerasError(f"Keras' {name} has no groups (groups={fmt(layer.groups)})")
    if any(s > 1 for s in stride) and any(d > 1 for d in dilation):
        raise KerasError(f"Keras' {name} refuses a stride > 1 with a dilation > 1")
    padding, output_padding, crops, note = None, None, (0,) * rank, ""
    if layer.mode != "torch":
        padding = layer.mode
    else:
        pads = _ints(layer.pad or (0,), rank, "pad")
        outpads = _ints(layer.outpad or (0,), rank, "outpad")
        effective = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
        # Keras' same crops max(K - s, 0) split as torch's padding does when K - s is even
        # (DCGAN's deconv4 s2 pad1): then it is padding="same", the same values.
        same = [keras_same_torch(e, s) for e, s in zip(effective, stride)]
        if all((p, op, 0) == split for p, op, split in zip(pads, outpads, same)) and any(pads):
            padding = "same"
        elif any(pads) or outpads != tuple(max(s - e, 0) for e, s in zip(effective, stride)):
            for op, s in zip(outpads, stride):
                if op >= s:
                    raise KerasError(
                        f"outpad {op} is not smaller than the stride {s}, which Keras' "
                        f"{name} requires of output_padding"
                    )
            if outpads != tuple(max(s - e, 0) for e, s in zip(effective, stride)):
                output_padding = _size(outpads)
            crops = pads
            note = f"torch's padding is a Cropping{rank}D after it" if any(pads) else ""
    main = KerasLayer(
        name,
        (_int(layer.filters, "filters"), _size(kernel)),
        _keywords(
            strides=_unless(_size(stride), 1),
            padding=padding,
            output_padding=output_padding,
            dilation_rate=_unless(_size(dilation), 1),
            use_bias=None if layer.bias else False,
        ),
    )
    if not any(crops):
        return KerasForm((main,), note)
    return KerasForm((main, KerasLayer(f"Cropping{rank}D", (_size(crops),), role="crop")), note)


def _dense(layer: dense.Dense, inp: Shape) -> KerasForm:
    use_bias = _keywords(use_bias=None if layer.bias else False)
    return KerasForm((KerasLayer("Dense", (_int(layer.units, "units"),), use_bias),))


def _window_pool(layer: pool.WindowPool, inp: Shape) -> KerasForm:
    rank = _rank(inp, layer.keyword)
    name = f"{'Max' if isinstance(layer, pool.MaxPool) else 'Average'}Pooling{rank}D"
    window = _ints(layer.window, rank, "window")
    stride = _ints(layer.stride, rank, "stride") if layer.stride else window
    strides = None if stride == window else _size(stride)
    same = KerasLayer(name, (_size(window),), _keywords(strides=strides, padding="same"))
    if layer.same:
        return KerasForm((same,))
    main = KerasLayer(name, (_size(window),), _keywords(strides=strides))
    out = layer.output_shape(inp, Checks()).spatial
    spatial = _ints(inp.spatial, rank, "size")
    pads, extra = [], False
    for n, k, p, s, o in zip(spatial, window, _ints(layer.pad or (0,), rank, "pad"), stride, out):
        # Ceil mode: as much more at the end as the last window needs (valid pooling of the
        # padded input then gives the calculator's size).
        more = max(0, (int(o) - 1) * s + k - (n + 2 * p))
        pads.append((p, p + more))
        extra = extra or more > 0
    if all(pad == (0, 0) for pad in pads):
        return KerasForm((main,))
    if isinstance(layer, pool.MaxPool) and pads == [
        same_pad(n, k, s) for n, k, s in zip(spatial, window, stride)
    ]:
        # Keras' same pads a max pooling so that padding never wins, as torch's -inf does.
        return KerasForm((same,))
    notes = [f"{_padding_text(rank, pads)} first"]
    if extra:
        notes.append("the extra padding at the end is ceil mode's last window")
    if isinstance(layer, pool.MaxPool):
        notes.append("torch pads max pooling with -inf: same shape, a border of negatives differs")
    return KerasForm((_zero_padding(rank, pads), main), "; ".join(notes))


def _global_pool(layer: pool.GlobalPool, inp: Shape) -> KerasForm:
    what = "Average" if isinstance(layer, pool.GlobalAvgPool) else "Max"
    return KerasForm((KerasLayer(f"Global{what}Pooling{_rank(inp, layer.keyword)}D"),))


def _adaptive_pool(layer: pool.AdaptivePool, inp: Shape) -> KerasForm:
    rank = _rank(inp, layer.keyword)
    what = "Average" if isinstance(layer, pool.AdaptiveAvgPool) else "Max"
    sizes = _ints(layer.size, rank, "output size")
    spatial = _ints(inp.spatial, rank, "size")
    if all(o == 1 for o in sizes):
        name = f"Global{what}Pooling{rank}D"
        return KerasForm((KerasLayer(name, (), (("keepdims", True),)),))
    if all(n % o == 0 for n, o in zip(spatial, sizes)):  # windows of n/o, torch's too
        window = _size([n // o for n, o in zip(spatial, sizes)])
        return KerasForm((KerasLayer(f"{what}Pooling{rank}D", (window,)),))
    return KerasForm((KerasLayer(f"Adaptive{what}Pooling{rank}D", (_size(sizes),)),))


def _flatten(layer: reshape.Flatten, inp: Shape) -> KerasForm:
    return KerasForm((KerasLayer("Flatten"),))


def _zeropad(layer: reshape.ZeroPad, inp: Shape) -> KerasForm:
    rank = _rank(inp, layer.keyword)
    pads = _ints(layer.pad, rank, "padding")
    return KerasForm((KerasLayer(f"ZeroPadding{rank}D", (_size(pads),)),))


def _orders_differ(shape: Shape) -> bool:
    """Whether channels first and channels last order the values of ``shape`` differently."""
    positions = 1
    for d in shape.spatial:
        positions *= int(d)
    return positions > 1 and int(shape.channels) > 1


def _reshape(layer: reshape.Reshape, inp: Shape) -> KerasForm:
    target = Shape(tuple(_int(d, "size") for d in layer.shape))
    main = KerasLayer("Reshape", (tuple(int(d) for d in target.torch_order()[1:]),))
    # The spec reads the values in torch's order, channels first: Permute around Reshape,
    # on a side whose two orders differ (more than one position and channel).
    before, after = [], []
    if _orders_differ(inp):
        rank = len(inp.dims)
        order = (rank, *range(1, rank))
        before.append(KerasLayer("Permute", (order,), role="channels_first"))
    if _orders_differ(target):
        rank = len(target.dims)
        order = (*range(2, rank + 1), 1)
        after.append(KerasLayer("Permute", (order,), role="channels_last"))
    else:
        main = KerasLayer("Reshape", (tuple(int(d) for d in target.dims),))
    if not before and not after:
        return KerasForm((main,))
    note = "the values in torch's order (channels first), as the spec reads them"
    return KerasForm((*before, main, *after), note)


def _crop(layer: reshape.Crop, inp: Shape) -> KerasForm:
    rank = _rank(inp, layer.keyword)
    crop = _size(_ints(layer.crop, rank, "crop"))
    return KerasForm((KerasLayer(f"Cropping{rank}D", (crop,)),))


def _shuffle(layer: reshape.ChannelShuffle, inp: Shape) -> KerasForm:
    _rank(inp, layer.keyword)
    note = "no channel shuffle in Keras: ChannelShuffle is defined above"
    groups = (_int(layer.groups, "groups"),)
    return KerasForm((KerasLayer("ChannelShuffle", groups, defined=True),), note)


def _chunk(layer: Chunk, inp: Shape) -> KerasForm:
    part = (layer.index, layer.chunks)
    return KerasForm((KerasLayer("Chunk", part, defined=True),))


def _upsample(layer: reshape.Upsample, inp: Shape) -> KerasForm:
    rank = _rank(inp, layer.keyword)
    factor = _size(_ints(layer.factor, rank, "factor"))
    name = f"UpSampling{rank}D"
    if layer.mode == "nearest":
        return KerasForm((KerasLayer(name, (factor,)),))
    if rank != 2:  # only UpSampling2D interpolates
        note = f"{name} only repeats values (nearest): the shape is {layer.mode}'s, the values not"
        return KerasForm((KerasLayer(name, (factor,)),), note)
    note = "no align_corners in Keras: the same shape, other values" if layer.align_corners else ""
    interpolation = (("interpolation", layer.mode),)
    return KerasForm((KerasLayer(name, (factor,), interpolation),), note)


def _identity(layer: reshape.Identity, inp: Shape) -> KerasForm:
    return KerasForm((KerasLayer("Identity"),))


def _batchnorm(layer: norm.BatchNorm, inp: Shape) -> KerasForm:
    return KerasForm((KerasLayer("BatchNormalization"),))


def _lrn(layer: norm.LocalResponseNorm, inp: Shape) -> KerasForm:
    size = _int(layer.size, "size")
    note = "no local response norm in Keras: LocalResponseNorm is defined above"
    return KerasForm((KerasLayer("LocalResponseNorm", (size,), defined=True),), note)


def _no_shift(bias: bool) -> tuple[tuple[str, Any], ...]:
    return _keywords(center=None if bias else False)


def _layernorm(layer: norm.LayerNorm, inp: Shape) -> KerasForm:
    return KerasForm((KerasLayer("LayerNormalization", (), _no_shift(layer.bias)),))


def _groupnorm(layer: norm.GroupNorm, inp: Shape) -> KerasForm:
    groups = (("groups", _int(layer.groups, "groups")),)
    return KerasForm((KerasLayer("GroupNormalization", (), groups + _no_shift(layer.bias)),))


def _instancenorm(layer: norm.InstanceNorm, inp: Shape) -> KerasForm:
    options = _keywords(
        groups=-1,
        center=None if layer.affine and layer.bias else False,
        scale=None if layer.affine else False,
    )
    note = "no instance norm in Keras: GroupNormalization(groups=-1) normalises each channel"
    return KerasForm((KerasLayer("GroupNormalization", (), options),), note)


def _layerscale(layer: norm.LayerScale, inp: Shape) -> KerasForm:
    note = "no public layer scale in Keras: LayerScale is defined above"
    return KerasForm((KerasLayer("LayerScale", defined=True),), note)


def _relu(layer: activation.ReLU, inp: Shape) -> KerasForm:
    cap = None if layer.cap is None else float(_int(layer.cap, "relu cap"))
    return KerasForm((KerasLayer("ReLU", (), _keywords(max_value=cap)),))


def _leakyrelu(layer: activation.LeakyReLU, inp: Shape) -> KerasForm:
    # Always given: Keras' default slope is 0.3, torch's (and the spec's) 0.01.
    return KerasForm((KerasLayer("LeakyReLU", (), (("negative_slope", layer.slope),)),))


def _prelu(layer: activation.PReLU, inp: Shape) -> KerasForm:
    # Keras learns one slope per element unless shared_axes lists the axes that share one.
    axes = list(range(1, len(inp.dims) + (0 if layer.channelwise else 1)))
    return KerasForm((KerasLayer("PReLU", (), _keywords(shared_axes=axes or None)),))


def _keras_class(name: str) -> Callable[[Layer, Shape], KerasForm]:
    """A kind whose counterpart is a Keras layer class without arguments."""
    return lambda layer, inp: KerasForm((KerasLayer(name),))


def _activation(name: str) -> Callable[[Layer, Shape], KerasForm]:
    """A kind whose counterpart is ``layers.Activation(name)``."""
    return lambda layer, inp: KerasForm((KerasLayer("Activation", (name,)),))


def _dropout(layer: activation.Dropout, inp: Shape) -> KerasForm:
    return KerasForm((KerasLayer("Dropout", (layer.p,)),))


def _droppath(layer: activation.DropPath, inp: Shape) -> KerasForm:
    noise = (None, *(1 for _ in inp.dims))
    note = "stochastic depth: Dropout with one draw per sample (noise_shape)"
    return KerasForm((KerasLayer("Dropout", (layer.p,), (("noise_shape", noise),)),), note)


#: Every layer kind's Keras form, by its class: a function of the layer and its input shape
#: (channels last). A kind missing here fails tests/test_keras_code.py.
KERAS_FORMS: dict[type[Layer], Callable[[Any, Shape], KerasForm]] = {
    conv.Conv: _conv,
    deconv.Deconv: _deconv,
    dense.Dense: _dense,
    pool.MaxPool: _window_pool,
    pool.AvgPool: _window_pool,
    pool.GlobalAvgPool: _global_pool,
    pool.GlobalMaxPool: _global_pool,
    pool.AdaptiveAvgPool: _adaptive_pool,
    pool.AdaptiveMaxPool: _adaptive_pool,
    reshape.Flatten: _flatten,
    reshape.Reshape: _reshape,
    reshape.Crop: _crop,
    reshape.ChannelShuffle: _shuffle,
    reshape.ZeroPad: _zeropad,
    reshape.Upsample: _upsample,
    reshape.Identity: _identity,
    norm.BatchNorm: _batchnorm,
    norm.LocalResponseNorm: _lrn,
    norm.LayerNorm: _layernorm,
    norm.GroupNorm: _groupnorm,
    norm.InstanceNorm: _instancenorm,
    norm.LayerScale: _layerscale,
    activation.ReLU: _relu,
    activation.Sigmoid: _activation("sigmoid"),
    activation.Tanh: _activation("tanh"),
    activation.Softmax: _keras_class("Softmax"),  # over the last axis: the channels
    activation.LeakyReLU: _leakyrelu,
    activation.GELU: _activation("gelu"),  # exact, as torch's default
    activation.ELU: _keras_class("ELU"),
    activation.SiLU: _activation("silu"),
    activation.Hardswish: _activation("hard_swish"),
    activation.Hardsigmoid: _activation("hard_sigmoid"),  # relu6(x + 3)/6 in Keras 3
    activation.PReLU: _prelu,
    activation.Mish: _activation("mish"),
    activation.Softplus: _activation("softplus"),
    activation.Dropout: _dropout,
    activation.DropPath: _droppath,
    # Not a keyword: the first row of each path of a split block, its part of the channels.
    Chunk: _chunk,
}

#: The Keras merge layer of each merge kind (the end of a res, concat or mul block).
KERAS_MERGES: dict[type[Merge], str] = {
    Add: "Add",
    Concat: "Concatenate",
    Mul: "Multiply",
    Split: "Concatenate",
}


def keras_form(layer: Layer, inp: Shape, inputs: int = 1) -> KerasForm:
    """The Keras layers that compute ``layer`` on an input of shape ``inp`` (channels last);
    a merge takes ``inputs`` tensors.

    Raises:
        KerasError: Keras cannot express the layer, or a value is still symbolic.
    """
    if isinstance(layer, Merge):
        # A merge of one path is that path's output (Keras' merges need two inputs).
        name = KERAS_MERGES[type(layer)] if inputs > 1 else "Identity"
        return KerasForm((KerasLayer(name),))
    make = KERAS_FORMS.get(type(layer))
    if make is None:
        raise KerasError(
            f"no Keras form for layer class {type(layer).__name__} (keyword {layer.keyword!r})"
        )
    return make(layer, inp)


def layer_base(row: Row) -> str:
    """The Keras name of a row's layer (``conv_1``); its helper layers add their role."""
    return f"{row.keyword}_{row.index}"


def keras_forms(analysis: Analysis) -> list[tuple[Row, KerasForm]]:
    """Every row of a concrete analysis with its Keras form.

    Raises:
        KerasError: the analysis still has symbols.
        KerasLayerError: Keras cannot express a row (pointed at in the spec).
    """
    if analysis.symbols:
        names = ", ".join(analysis.symbols)
        example = ",".join(f"{name}=32" for name in analysis.symbols)
        raise KerasError(
            f"the spec has symbols ({names}); Keras layers need sizes: "
            f"give every symbol a value with --at, as in --at {example}"
        )
    forms = []
    for row in analysis.rows:
        try:
            form = keras_form(row.layer, row.input_shape, len(row.inputs))
        except KerasError as err:
            prefix = f"layer {row.index} {row.spec!r}"
            raise KerasLayerError(str(err), analysis.source, row.span, prefix) from None
        forms.append((row, form))
    return forms


def _keras_shape(shape: Shape) -> str:
    return "(" + ", ".join(["None", *(str(int(d)) for d in shape.dims)]) + ")"


def _note(row: Row) -> str:
    return f"{row.index}: {row.spec} -> {row.output_shape} {_keras_shape(row.output_shape)}"


@functools.cache
def defined_sources() -> dict[str, str]:
    """The source of every class in :mod:`shapecalc.kerasmodules`, by name, in file order
    (read from the file: importing it imports Keras)."""
    return class_sources("kerasmodules.py")


def _block_comments(analysis: Analysis, row: Row, prefix: str) -> list[str]:
    """Comments naming the blocks that start at ``row``, outermost first."""
    lines = []
    for block in analysis.blocks:
        if block.first == row.index:
            text = f"{'  ' * block.depth}{block.label} -> {block.output_shape}"
            lines += comment_lines(text, prefix)
    return lines


def _row_comments(analysis: Analysis, row: Row, form: KerasForm, prefix: str) -> list[str]:
    lines = _block_comments(analysis, row, prefix)
    lines += comment_lines(_note(row), prefix)
    if form.note:
        lines += comment_lines(f"Keras: {form.note}", prefix + "  ")
    return lines


def keras_code(analysis: Analysis, *, model_name: str = "net") -> str:
    """A runnable Python module whose ``build_model()`` returns the network as a Keras 3
    model, for a concrete analysis.

    A spec without blocks is a ``keras.Sequential``; one with ``res``, ``concat`` or ``mul``
    blocks uses the functional API, each row's output a variable ``x<row>``. Every layer is
    named after its row (``conv_1``; helper layers ``conv_1_pad``), preceded by a comment
    with its output shape, and where Keras needs another form than the obvious one, a
    comment saying why.

    Raises:
        KerasError: the analysis still has symbols (give them values with ``--at``).
        KerasLayerError: Keras cannot express a layer of the spec.
    """
    forms = keras_forms(analysis)
    inp = analysis.input_shape
    totals = analysis.totals
    lines = ['"""Keras 3 model generated by shapecalc from a spec (see the comments)."""', ""]
    lines += spec_comments(analysis)
    lines += [
        "",
        "import os",
        "",
        "# Keras 3 runs this on any backend; the shapecalc[keras] extra installs torch.",
        'os.environ.setdefault("KERAS_BACKEND", "torch")',
        "",
        "import keras",
        "from keras import layers" + (", ops" if _uses_ops(forms) else ""),
        "",
        "#: The input without the batch dim, channels last as Keras orders it.",
        f"INPUT_SHAPE = {_literal(tuple(int(d) for d in inp.dims))}",
        "",
        "",
    ]
    for name in _defined_names(forms):
        lines += [*defined_sources()[name].splitlines(), "", ""]
    trainable = int(totals.trainable)
    lines += [
        "def build_model() -> keras.Model:",
        f'    """{inp} -> {analysis.output_shape}: {int(totals.params):,} parameters, '
        f'{trainable:,} trainable."""',
    ]
    if any(isinstance(row.layer, Merge) for row, _ in forms):
        lines += _functional_lines(analysis, forms, model_name)
    else:
        lines += _sequential_lines(analysis, forms, model_name)
    lines += [
        "",
        "",
        'if __name__ == "__main__":',
        "    model = build_model()",
        "    model.summary()",
        "    print(tuple(model(keras.random.normal((1, *INPUT_SHAPE))).shape))",
        "",
    ]
    return "\n".join(lines)


def _defined_names(forms: list[tuple[Row, KerasForm]]) -> list[str]:
    """The shapecalc-defined classes the forms use, in :mod:`shapecalc.kerasmodules` order."""
    used = {layer.name for _, form in forms for layer in form.layers if layer.defined}
    return [name for name in defined_sources() if name in used]


def _uses_ops(forms: list[tuple[Row, KerasForm]]) -> bool:
    """Whether a defined class the forms use calls ``keras.ops`` (the file then imports it)."""
    return any("ops." in defined_sources()[name] for name in _defined_names(forms))


def _sequential_lines(
    analysis: Analysis, forms: list[tuple[Row, KerasForm]], model_name: str
) -> list[str]:
    pad = " " * 12
    lines = ["    return keras.Sequential(", "        [", f"{pad}keras.Input(shape=INPUT_SHAPE),"]
    for row, form in forms:
        lines += _row_comments(analysis, row, form, pad + "# ")
        lines += [f"{pad}{layer.code(layer_base(row), 12)}," for layer in form.layers]
    return [*lines, "        ],", f"        name={_literal(model_name)},", "    )"]


def _functional_lines(
    analysis: Analysis, forms: list[tuple[Row, KerasForm]], model_name: str
) -> list[str]:
    pad = " " * 4
    lines = [f"{pad}x0 = keras.Input(shape=INPUT_SHAPE)"]
    for row, form in forms:
        lines += _row_comments(analysis, row, form, pad + "# ")
        sources = [f"x{i}" for i in row.inputs]
        given = f"[{', '.join(sources)}]" if len(sources) > 1 else sources[0]
        for layer in form.layers:
            lead = f"x{row.index} = "
            lines.append(pad + layer.code(layer_base(row), 4, lead, f"({given})"))
            given = f"x{row.index}"
    last = analysis.rows[-1].index if analysis.rows else 0
    return [*lines, f"{pad}return keras.Model(x0, x{last}, name={_literal(model_name)})"]


__all__ = [
    "KERAS_FORMS",
    "KERAS_MERGES",
    "KerasForm",
    "KerasLayer",
    "defined_sources",
    "keras_code",
    "keras_form",
    "keras_forms",
    "layer_base",
]
