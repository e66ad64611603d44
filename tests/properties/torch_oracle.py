"""PyTorch as the oracle: one torch module per analysed row, run on a random tensor.

:func:`torch_rows` is the one helper every cross-check calls. It takes each row's layer
object (its resolved hyperparameters, as shapecalc parsed them) and builds the matching
``torch.nn`` module for the shape of the tensor that actually reaches it, so torch's shapes
never depend on shapecalc's shape arithmetic: only the hyperparameters come from shapecalc.

``same`` padding is reproduced as TensorFlow defines it, as an explicit, possibly
asymmetric pad before the convolution or pooling: ``total = max((ceil(n/s) - 1)*s +
d*(k - 1) + 1 - n, 0)``, ``before = total // 2``, ``after = total - before``. Max pooling pads
with -inf; average pooling pads with zeros, so its values differ from TensorFlow's there, but
its shape, which is all we compare, does not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from shapecalc import Analysis, Shape, analyze
from shapecalc.layers import Layer, activation, conv, dense, norm, pool, reshape
from shapecalc.symbolic import Dim, is_concrete


@dataclass(frozen=True)
class TorchRow:
    """What torch says about one row.

    Attributes:
        output_shape: the output shape without the batch dim, channels last (spec order).
        trainable: elements of parameters with ``requires_grad``.
        non_trainable: elements of running statistics (``running_mean``, ``running_var``);
            ``num_batches_tracked`` is a step counter and not counted.
    """

    output_shape: tuple[int, ...]
    trainable: int
    non_trainable: int


class OracleError(Exception):
    """The oracle cannot build a module for a row, or torch rejects the row."""


class UnsupportedLayerError(OracleError, TypeError):
    """A layer class with no torch counterpart in :data:`TORCH_BUILDERS`."""


Builder = Callable[[Any, Shape], nn.Module]


def _int(value: Dim, what: str) -> int:
    if not is_concrete(value):
        raise OracleError(f"{what} {value!r} is symbolic; the oracle needs concrete specs")
    return int(value)


def _per_dim(values: Sequence[Dim], rank: int, what: str) -> tuple[int, ...]:
    """One value for every spatial dim, or one per dim."""
    ints = tuple(_int(v, what) for v in values)
    if len(ints) == 1:
        return ints * rank
    if len(ints) != rank:
        raise OracleError(f"{what} {ints} does not fit a {rank}D input")
    return ints


def _rank(inp: Shape, layer: Layer) -> int:
    rank = inp.spatial_rank
    if rank not in (1, 2, 3):
        raise OracleError(f"{layer.keyword} needs a 1D, 2D or 3D spatial input, got {inp}")
    return rank


def tf_same_pad(n: int, k: int, s: int, d: int = 1) -> tuple[int, int]:
    """TensorFlow's ``same`` padding (before, after) for size n, kernel k, stride s, dilation d."""
    total = max((-(-n // s) - 1) * s + d * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def _constant_pad(pads: Sequence[tuple[int, int]], value: float) -> nn.Module:
    """Pad (before, after) per spatial dim in spec order; torch lists the last dim first."""
    flat = tuple(x for before, after in reversed(pads) for x in (before, after))
    cls: Any = (nn.ConstantPad1d, nn.ConstantPad2d, nn.ConstantPad3d)[len(pads) - 1]
    return cls(flat, value)


def _conv(layer: conv.Conv, inp: Shape) -> nn.Module:
    rank = _rank(inp, layer)
    cin = _int(inp.channels, "input channels")
    if len(layer.kernel) != rank:  # a kernel size per spatial dim, never broadcast
        raise OracleError(f"a {len(layer.kernel)}D kernel on the {rank}D input {inp}")
    kernel = _per_dim(layer.kernel, rank, "kernel")
    stride = _per_dim(layer.stride, rank, "stride")
    dilation = _per_dim(layer.dilation, rank, "dilation")
    groups = cin if layer.depthwise else _int(layer.groups, "groups")
    cls: Any = (nn.Conv1d, nn.Conv2d, nn.Conv3d)[rank - 1]
    filters = _int(layer.filters, "filters")
    if layer.same:
        spatial = [_int(n, "size") for n in inp.spatial]
        pads = [tf_same_pad(*args) for args in zip(spatial, kernel, stride, dilation)]
        module = cls(cin, filters, kernel, stride, 0, dilation, groups, layer.bias)
        return nn.Sequential(_constant_pad(pads, 0.0), module)
    padding = _per_dim(layer.pad or (0,), rank, "pad")
    return cls(cin, filters, kernel, stride, padding, dilation, groups, layer.bias)


def _window_pool(layer: pool.WindowPool, inp: Shape, is_max: bool) -> nn.Module:
    rank = _rank(inp, layer)
    window = _per_dim(layer.window, rank, "window")
    stride = _per_dim(layer.stride, rank, "stride") if layer.stride else window
    cls: Any = (
        (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d)
        if is_max
        else (nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d)
    )[rank - 1]
    if layer.same:
        spatial = [_int(n, "size") for n in inp.spatial]
        pads = [tf_same_pad(n, k, s) for n, k, s in zip(spatial, window, stride)]
        fill = float("-inf") if is_max else 0.0
        module = cls(window, stride=stride, padding=0, ceil_mode=layer.ceil)
        return nn.Sequential(_constant_pad(pads, fill), module)
    padding = _per_dim(layer.pad or (0,), rank, "pad")
    return cls(window, stride=stride, padding=padding, ceil_mode=layer.ceil)


def _adaptive_class(is_max: bool, rank: int) -> Any:
    """torch's adaptive pooling module for the rank."""
    if is_max:
        return (nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d, nn.AdaptiveMaxPool3d)[rank - 1]
    return (nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d)[rank - 1]


def _global_pool(is_max: bool) -> Builder:
    def build(layer: pool.GlobalPool, inp: Shape) -> nn.Module:
        return nn.Sequential(_adaptive_class(is_max, _rank(inp, layer))(1), nn.Flatten())

    return build


def _adaptive_pool(is_max: bool) -> Builder:
    def build(layer: pool.AdaptivePool, inp: Shape) -> nn.Module:
        rank = _rank(inp, layer)
        return _adaptive_class(is_max, rank)(_per_dim(layer.size, rank, "output size"))

    return build


def _dense(layer: dense.Dense, inp: Shape) -> nn.Module:
    if not inp.is_flat:
        raise OracleError(f"dense needs a flat input, got {inp}")
    units = _int(layer.units, "units")
    return nn.Linear(_int(inp.channels, "features"), units, bias=layer.bias)


def _batchnorm(layer: norm.BatchNorm, inp: Shape) -> nn.Module:
    cls = (nn.BatchNorm1d, nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)[inp.spatial_rank]
    return cls(_int(inp.channels, "channels"))


def _zeropad(layer: reshape.ZeroPad, inp: Shape) -> nn.Module:
    rank = _rank(inp, layer)
    pads = _per_dim(layer.pad, rank, "padding")
    flat = tuple(p for p in reversed(pads) for _ in range(2))
    cls: Any = (nn.ZeroPad1d, nn.ZeroPad2d, nn.ZeroPad3d)[rank - 1]
    return cls(flat)


def _upsample(layer: reshape.Upsample, inp: Shape) -> nn.Module:
    rank = _rank(inp, layer)
    factor = tuple(float(f) for f in _per_dim(layer.factor, rank, "factor"))
    return nn.Upsample(scale_factor=factor, mode="nearest")


def _simple(factory: Callable[[], nn.Module]) -> Builder:
    return lambda layer, inp: factory()


#: The torch counterpart of every layer class, looked up by exact class.
TORCH_BUILDERS: dict[type[Layer], Builder] = {
    conv.Conv: _conv,
    pool.MaxPool: lambda layer, inp: _window_pool(layer, inp, is_max=True),
    pool.AvgPool: lambda layer, inp: _window_pool(layer, inp, is_max=False),
    pool.GlobalAvgPool: _global_pool(is_max=False),
    pool.GlobalMaxPool: _global_pool(is_max=True),
    pool.AdaptiveAvgPool: _adaptive_pool(is_max=False),
    pool.AdaptiveMaxPool: _adaptive_pool(is_max=True),
    reshape.Flatten: _simple(nn.Flatten),
    reshape.ZeroPad: _zeropad,
    reshape.Upsample: _upsample,
    dense.Dense: _dense,
    norm.BatchNorm: _batchnorm,
    norm.LocalResponseNorm: lambda layer, inp: nn.LocalResponseNorm(_int(layer.size, "size")),
    activation.Dropout: lambda layer, inp: nn.Dropout(layer.p),
    activation.ReLU: _simple(nn.ReLU),
    activation.Sigmoid: _simple(nn.Sigmoid),
    activation.Tanh: _simple(nn.Tanh),
    activation.Softmax: _simple(lambda: nn.Softmax(dim=1)),
    activation.LeakyReLU: _simple(nn.LeakyReLU),
    activation.GELU: _simple(nn.GELU),
    activation.ELU: _simple(nn.ELU),
    activation.SiLU: _simple(nn.SiLU),
}


def build_module(layer: Layer, inp: Shape) -> nn.Module:
    """The torch module for ``layer`` applied to an input of shape ``inp`` (channels last).

    Raises:
        UnsupportedLayerError: the layer's class has no entry in :data:`TORCH_BUILDERS`.
    """
    builder = TORCH_BUILDERS.get(type(layer))
    if builder is None:
        raise UnsupportedLayerError(
            f"no torch module for layer class {type(layer).__name__} (keyword "
            f"{layer.keyword!r}); add a builder to TORCH_BUILDERS in {__name__}"
        )
    return builder(layer, inp)


def channels_last(size: Sequence[int]) -> tuple[int, ...]:
    """A torch size (N, C, *spatial) or (N, F) as a spec-order shape without the batch."""
    if len(size) < 2:
        raise OracleError(f"torch produced a tensor of shape {tuple(size)} without features")
    return (*(int(n) for n in size[2:]), int(size[1]))


def trainable_count(module: nn.Module) -> int:
    """Elements of the module's parameters that require gradients."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def non_trainable_count(module: nn.Module) -> int:
    """Elements of the running statistics (``num_batches_tracked`` is not a statistic)."""
    return sum(
        b.numel()
        for name, b in module.named_buffers()
        if name.rsplit(".", 1)[-1] in ("running_mean", "running_var")
    ) + sum(p.numel() for p in module.parameters() if not p.requires_grad)


def _run(layer: Layer, x: torch.Tensor) -> tuple[torch.Tensor, TorchRow]:
    """Build the module for the tensor ``x`` that reaches ``layer`` and run it."""
    inp = Shape(channels_last(x.shape))
    try:
        module = build_module(layer, inp).eval()
        with torch.no_grad():
            y = module(x)
    except UnsupportedLayerError:
        raise
    except (OracleError, RuntimeError, ValueError) as err:
        raise OracleError(f"torch rejects {layer.to_spec()!r} on input {inp}: {err}") from err
    return y, TorchRow(channels_last(y.shape), trainable_count(module), non_trainable_count(module))


def _random_input(shape: Shape, batch: int, seed: int) -> torch.Tensor:
    size = [_int(d, "input size") for d in shape.torch_order(batch)]
    return torch.randn(*size, generator=torch.Generator().manual_seed(seed))


def torch_row(layer: Layer, inp: Shape, *, batch: int = 2, seed: int = 0) -> TorchRow:
    """What torch makes of ``layer`` on a random input of shape ``inp`` (channels last).

    Raises:
        OracleError: torch (or the mapping to torch) rejects the layer on this input.
    """
    return _run(layer, _random_input(inp, batch, seed))[1]


def torch_rows(spec: str | Analysis, *, batch: int = 2, seed: int = 0) -> list[TorchRow]:
    """Run a concrete spec through torch: output shape and parameter counts per row.

    The input is a random tensor of ``analysis.input_shape.torch_order(batch)``; each row's
    module is built for the shape of the tensor that actually reaches it and run in eval mode.

    Raises:
        OracleError: a row has no torch counterpart, or torch rejects it (the message names
            the row, its input shape and torch's error).
    """
    analysis = analyze(spec) if isinstance(spec, str) else spec
    x = _random_input(analysis.input_shape, batch, seed)
    rows: list[TorchRow] = []
    for row in analysis.rows:
        try:
            x, result = _run(row.layer, x)
        except UnsupportedLayerError:
            raise
        except OracleError as err:
            raise OracleError(f"row {row.index} {row.spec!r}: {err}") from err
        rows.append(result)
    return rows
