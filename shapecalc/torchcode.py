"""The PyTorch counterpart of every layer kind, as data, and the ``shapecalc torch`` code.

One mapping, :data:`TORCH_MODULES`, gives for each layer class the ``torch.nn`` module that
computes it, described as data (:class:`TorchModule`: a class name in ``torch.nn`` and its
arguments). Both uses read that one description, so they cannot drift apart:

- :mod:`shapecalc.torchcheck` instantiates it and runs a forward pass (``shapecalc check``);
- :func:`torch_code` prints it as a runnable Python module (``shapecalc torch``).

This module never imports torch: emitting code works without it.

Conventions (the same as the calculator's):

- a spec is channels last, torch is N x C x spatial; :meth:`Shape.torch_order` converts;
- ``same`` is TensorFlow's: ``total = max((ceil(n/s) - 1)*s + d*(k - 1) + 1 - n, 0)``,
  ``before = total // 2``, ``after = total - before``. A convolution whose padding comes out
  symmetric gets it as ``padding=``; otherwise (and for pooling, always) an explicit
  ``ConstantPad`` stands before the module. Max pooling pads with ``-inf`` so padded cells
  never win; average pooling pads with zeros (its values then differ from TensorFlow's at the
  border, its shape does not).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import TorchError
from .layers import Layer, activation, conv, dense, norm, pool, reshape
from .layers.conv import same_pad
from .shape import Shape
from .symbolic import Dim, fmt, is_concrete

if TYPE_CHECKING:
    from .analysis import Analysis

#: Generated lines are wrapped to stay within this width (ruff's default).
CODE_WIDTH = 88


@dataclass(frozen=True)
class TorchModule:
    """A ``torch.nn`` module described as data: ``nn.<name>(*args, **kwargs)``.

    Arguments are ints, floats, bools, strings, tuples of those, or nested TorchModules
    (the children of ``nn.Sequential``).
    """

    name: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()

    def code(self, indent: int = 0) -> str:
        """Python source that builds the module; ``indent`` is the column it starts at."""
        items = [_py(a, indent + 4) for a in self.args]
        items += [f"{key}={_py(value, indent + 4)}" for key, value in self.kwargs]
        one_line = f"nn.{self.name}({', '.join(items)})"
        # + 1: every module stands in an argument list, followed by a comma.
        if indent + len(one_line) + 1 <= CODE_WIDTH and "\n" not in one_line:
            return one_line
        pad = " " * (indent + 4)
        body = "".join(f"{pad}{item},\n" for item in items)
        return f"nn.{self.name}(\n{body}{' ' * indent})"


def _py(value: Any, indent: int) -> str:
    """A Python literal for an argument (``float('-inf')`` has no literal)."""
    if isinstance(value, TorchModule):
        return value.code(indent)
    if isinstance(value, float) and math.isinf(value):
        return 'float("-inf")' if value < 0 else 'float("inf")'
    if isinstance(value, tuple):
        inner = ", ".join(_py(v, indent) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


Builder = Callable[[Any, Shape], TorchModule]


def _int(value: Dim, what: str) -> int:
    if not is_concrete(value):
        raise TorchError(
            f"{what} is {fmt(value)}; torch needs numbers: give every symbol a value with --at"
        )
    return int(value)


def _per_dim(values: Sequence[Dim], rank: int, what: str) -> tuple[int, ...]:
    """One value for every spatial dim, or one per dim."""
    ints = tuple(_int(v, what) for v in values)
    if len(ints) == 1:
        return ints * rank
    if len(ints) != rank:
        raise TorchError(f"{what} {ints} does not fit a {rank}D input")
    return ints


def _rank(inp: Shape, layer: Layer) -> int:
    rank = inp.spatial_rank
    if rank not in (1, 2, 3):
        raise TorchError(f"{layer.keyword} needs a 1D, 2D or 3D spatial input, got {inp}")
    return rank


def _constant_pad(pads: Sequence[tuple[int, int]], value: float) -> TorchModule:
    """Pad (before, after) per spatial dim in spec order; torch lists the last dim first."""
    flat = tuple(x for before, after in reversed(pads) for x in (before, after))
    return TorchModule(f"ConstantPad{len(pads)}d", (flat, value))


def _kwargs(**values: Any) -> tuple[tuple[str, Any], ...]:
    """Keyword arguments, leaving out the ones that equal torch's default (None here)."""
    return tuple((key, value) for key, value in values.items() if value is not None)


def _differs(value: tuple[int, ...], default: int) -> tuple[int, ...] | None:
    return None if all(v == default for v in value) else value


def _conv(layer: conv.Conv, inp: Shape) -> TorchModule:
    rank = _rank(inp, layer)
    cin = _int(inp.channels, "input channels")
    if len(layer.kernel) != rank:  # a kernel lists one size per spatial dim, never broadcast
        raise TorchError(f"a {len(layer.kernel)}D kernel on the {rank}D input {inp}")
    kernel = _per_dim(layer.kernel, rank, "kernel")
    stride = _per_dim(layer.stride, rank, "stride")
    dilation = _per_dim(layer.dilation, rank, "dilation")
    groups = cin if layer.depthwise else _int(layer.groups, "groups")
    pads = [(p, p) for p in _per_dim(layer.pad or (0,), rank, "pad")]
    if layer.same:
        spatial = [_int(n, "size") for n in inp.spatial]
        pads = [same_pad(*args) for args in zip(spatial, kernel, stride, dilation)]
    symmetric = all(before == after for before, after in pads)
    module = TorchModule(
        f"Conv{rank}d",
        (cin, _int(layer.filters, "filters")),
        _kwargs(
            kernel_size=kernel,
            stride=_differs(stride, 1),
            padding=_differs(tuple(b for b, _ in pads), 0) if symmetric else None,
            dilation=_differs(dilation, 1),
            groups=groups if groups != 1 else None,
            bias=None if layer.bias else False,
        ),
    )
    if symmetric:
        return module
    return TorchModule("Sequential", (_constant_pad(pads, 0.0), module))


def _window_pool(layer: pool.WindowPool, inp: Shape) -> TorchModule:
    rank = _rank(inp, layer)
    is_max = isinstance(layer, pool.MaxPool)
    window = _per_dim(layer.window, rank, "window")
    stride = _per_dim(layer.stride, rank, "stride") if layer.stride else window
    name = f"{'Max' if is_max else 'Avg'}Pool{rank}d"
    ceil = True if layer.ceil else None
    if layer.same:
        spatial = [_int(n, "size") for n in inp.spatial]
        pads = [same_pad(n, k, s) for n, k, s in zip(spatial, window, stride)]
        module = TorchModule(name, (window,), _kwargs(stride=stride))
        if all(p == (0, 0) for p in pads):
            return module
        # Explicit padding: -inf never wins a max; and PyTorch's 3D average pooling checks
        # the unpadded input, which an explicit pad module sidesteps.
        fill = float("-inf") if is_max else 0.0
        return TorchModule("Sequential", (_constant_pad(pads, fill), module))
    padding = _per_dim(layer.pad or (0,), rank, "pad")
    return TorchModule(
        name, (window,), _kwargs(stride=stride, padding=_differs(padding, 0), ceil_mode=ceil)
    )


def _adaptive_name(layer: Layer, rank: int) -> str:
    is_max = isinstance(layer, (pool.GlobalMaxPool, pool.AdaptiveMaxPool))
    return f"Adaptive{'Max' if is_max else 'Avg'}Pool{rank}d"


def _global_pool(layer: pool.GlobalPool, inp: Shape) -> TorchModule:
    # Pooled to 1 in every spatial dim, then flattened: a vector of C values, as Keras gives.
    pooled = TorchModule(_adaptive_name(layer, _rank(inp, layer)), (1,))
    return TorchModule("Sequential", (pooled, TorchModule("Flatten")))


def _adaptive_pool(layer: pool.AdaptivePool, inp: Shape) -> TorchModule:
    rank = _rank(inp, layer)
    size = _per_dim(layer.size, rank, "output size")
    return TorchModule(_adaptive_name(layer, rank), (size,))


def _dense(layer: dense.Dense, inp: Shape) -> TorchModule:
    if not inp.is_flat:
        raise TorchError(f"dense needs a flat input, got {inp}")
    args = (_int(inp.channels, "features"), _int(layer.units, "units"))
    return TorchModule("Linear", args, _kwargs(bias=None if layer.bias else False))


def _batchnorm(layer: norm.BatchNorm, inp: Shape) -> TorchModule:
    # BatchNorm1d takes (N, C) and (N, C, L) alike.
    rank = max(inp.spatial_rank, 1)
    if rank > 3:
        raise TorchError(f"batchnorm needs at most 3 spatial dims, got {inp}")
    return TorchModule(f"BatchNorm{rank}d", (_int(inp.channels, "channels"),))


def _zeropad(layer: reshape.ZeroPad, inp: Shape) -> TorchModule:
    rank = _rank(inp, layer)
    pads = _per_dim(layer.pad, rank, "padding")
    return TorchModule(f"ZeroPad{rank}d", (tuple(p for p in reversed(pads) for _ in range(2)),))


def _upsample(layer: reshape.Upsample, inp: Shape) -> TorchModule:
    rank = _rank(inp, layer)
    factor = tuple(float(f) for f in _per_dim(layer.factor, rank, "factor"))
    return TorchModule("Upsample", (), _kwargs(scale_factor=factor, mode="nearest"))


def _lrn(layer: norm.LocalResponseNorm, inp: Shape) -> TorchModule:
    _rank(inp, layer)  # torch's LocalResponseNorm needs N x C x L or more
    return TorchModule("LocalResponseNorm", (_int(layer.size, "size"),))


def _relu(layer: activation.ReLU, inp: Shape) -> TorchModule:
    if layer.cap is None:
        return TorchModule("ReLU")
    cap = _int(layer.cap, "relu cap")
    # ReLU6 is Hardtanh(0, 6); other caps have no class of their own.
    return TorchModule("ReLU6") if cap == 6 else TorchModule("Hardtanh", (0.0, float(cap)))


def _plain(name: str, *args: Any, **kwargs: Any) -> Builder:
    return lambda layer, inp: TorchModule(name, args, tuple(kwargs.items()))


#: The torch counterpart of every layer class, looked up by exact class. A completeness
#: test fails when a registered class is missing.
TORCH_MODULES: dict[type[Layer], Builder] = {
    conv.Conv: _conv,
    pool.MaxPool: _window_pool,
    pool.AvgPool: _window_pool,
    pool.GlobalAvgPool: _global_pool,
    pool.GlobalMaxPool: _global_pool,
    pool.AdaptiveAvgPool: _adaptive_pool,
    pool.AdaptiveMaxPool: _adaptive_pool,
    reshape.Flatten: _plain("Flatten"),
    reshape.Identity: _plain("Identity"),
    reshape.ZeroPad: _zeropad,
    reshape.Upsample: _upsample,
    dense.Dense: _dense,
    norm.BatchNorm: _batchnorm,
    norm.LocalResponseNorm: _lrn,
    activation.Dropout: lambda layer, inp: TorchModule("Dropout", (layer.p,)),
    activation.ReLU: _relu,
    activation.Sigmoid: _plain("Sigmoid"),
    activation.Tanh: _plain("Tanh"),
    # Over the channels (dim 1): the classes of a flat vector, as the calculator reads it.
    activation.Softmax: _plain("Softmax", dim=1),
    activation.LeakyReLU: _plain("LeakyReLU"),
    activation.GELU: _plain("GELU"),
    activation.ELU: _plain("ELU"),
    activation.SiLU: _plain("SiLU"),
}


def torch_module(layer: Layer, inp: Shape) -> TorchModule:
    """The torch module for ``layer`` applied to an input of shape ``inp`` (channels last).

    Raises:
        TorchError: the layer has no torch counterpart, or a value is still symbolic.
    """
    builder = TORCH_MODULES.get(type(layer))
    if builder is None:
        raise TorchError(
            f"no torch module for layer class {type(layer).__name__} (keyword "
            f"{layer.keyword!r}); add one to TORCH_MODULES in {__name__}"
        )
    return builder(layer, inp)


def _comment(text: str, prefix: str, width: int = CODE_WIDTH) -> list[str]:
    """Text as comment lines: control characters blanked, long lines wrapped."""
    import textwrap

    lines = []
    for line in text.splitlines() or [""]:
        clean = "".join(c if c.isprintable() else " " for c in line).rstrip()
        wrapped = textwrap.wrap(clean, width - len(prefix), break_on_hyphens=False) or [""]
        lines += [(prefix + part).rstrip() for part in wrapped]
    return lines


def _torch_shape(shape: Shape) -> str:
    return "(N, " + ", ".join(str(int(d)) for d in shape.torch_order()[1:]) + ")"


def torch_code(analysis: Analysis, *, class_name: str = "Net") -> str:
    """A runnable Python module defining ``class Net(nn.Sequential)`` for a concrete analysis.

    Each layer of the spec (repeats expanded) is one child module, preceded by a comment with
    its output shape, in spec order and in torch order. A ``res`` block becomes a
    ``Residual(main, shortcut)`` and a ``concat`` block a ``Concat(*branches)`` (both defined
    in the emitted file, each path an ``nn.Sequential``), a named block an ``nn.Sequential``.

    Raises:
        TorchError: the analysis still has symbols (give them values with ``--at``).
    """
    if analysis.symbols:
        names = ", ".join(analysis.symbols)
        example = ",".join(f"{name}=32" for name in analysis.symbols)
        raise TorchError(
            f"the spec has symbols ({names}); torch modules need sizes: "
            f"give every symbol a value with --at, as in --at {example}"
        )
    inp = analysis.input_shape
    order = {0: "C", 1: "C x L", 2: "C x H x W", 3: "C x D x H x W"}[inp.spatial_rank]
    lines = ['"""PyTorch module generated by shapecalc from a spec (see the comments)."""', ""]
    lines += _comment("The spec:", "# ")
    lines += _comment(analysis.source.strip(), "#   ")
    if analysis.substitutions:
        at = ",".join(f"{k}={v}" for k, v in analysis.substitutions.items())
        lines += _comment(f"with --at {at}", "# ")
    totals = analysis.totals
    lines += [
        "",
        "import torch",
        "from torch import nn",
        "",
        f"#: The input without the batch dim N, as torch orders it ({order}).",
        f"INPUT_SHAPE = {_py(tuple(int(d) for d in inp.torch_order()[1:]), 0)}",
        "",
        "",
        *_helper_classes(analysis),
        f"class {class_name}(nn.Sequential):",
        f'    """{inp} -> {analysis.output_shape}: {int(totals.trainable):,} trainable '
        f'parameter{"" if totals.trainable == 1 else "s"}."""',
        "",
        "    def __init__(self) -> None:",
        "        super().__init__(",
    ]
    if analysis.blocks:
        lines += _block_lines(analysis, None, 12)
    for row in () if analysis.blocks else analysis.rows:
        module = torch_module(row.layer, row.input_shape)
        note = f"{row.index}: {row.spec} -> {row.output_shape} {_torch_shape(row.output_shape)}"
        lines += _comment(note, "            # ")
        lines.append(f"            {module.code(12)},")
    lines += [
        "        )",
        "",
        "",
        'if __name__ == "__main__":',
        f"    model = {class_name}().eval()",
        "    with torch.no_grad():",
        "        print(tuple(model(torch.randn(1, *INPUT_SHAPE)).shape))",
        "",
    ]
    return "\n".join(lines)


#: The modules that merge a res or concat block's paths, emitted when a spec has one.
_RESIDUAL = '''class Residual(nn.Module):
    """A res( main ; shortcut ) block: main(x) + shortcut(x); x without a shortcut."""

    def __init__(self, main: nn.Module, shortcut: nn.Module | None = None) -> None:
        super().__init__()
        self.main = main
        self.shortcut = nn.Identity() if shortcut is None else shortcut

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.main(x) + self.shortcut(x)
'''
_CONCAT = '''class Concat(nn.Module):
    """A concat( ... ; ... ) block: the branches on one input, joined along channels."""

    def __init__(self, *branches: nn.Module) -> None:
        super().__init__()
        self.branches = nn.ModuleList(branches)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([branch(x) for branch in self.branches], dim=1)
'''


def _helper_classes(analysis: Analysis) -> list[str]:
    kinds = {block.kind for block in analysis.blocks}
    lines: list[str] = []
    for kind, code in (("res", _RESIDUAL), ("concat", _CONCAT)):
        if kind in kinds:
            lines += [*code.splitlines(), "", ""]
    return lines


def _note(row: Any) -> str:
    return f"{row.index}: {row.spec} -> {row.output_shape} {_torch_shape(row.output_shape)}"


def _block_lines(
    analysis: Analysis, parent: int | None, indent: int, merges: bool = True
) -> list[str]:
    """The children of a block (or of the network, ``parent`` None) as argument lines:
    rows become their modules, blocks nn.Sequential / Residual / Concat of their paths.
    A merge row is a comment only (its Residual or Concat adds or joins); ``merges``
    False leaves it out, for the caller to place after the paths."""
    pad = " " * indent
    items: list[tuple[int, Any]] = [(r.index, r) for r in analysis.rows if r.block == parent]
    items += [(b.first, b) for b in analysis.blocks if b.parent == parent]
    lines: list[str] = []
    for _, item in sorted(items, key=lambda pair: pair[0]):
        if not hasattr(item, "label"):  # a row
            if item.kind == "merge":
                lines += _comment(_note(item), pad + "# ") if merges else []
                continue
            lines += _comment(_note(item), pad + "# ")
            lines.append(f"{pad}{torch_module(item.layer, item.input_shape).code(indent)},")
            continue
        out = item.output_shape
        lines += _comment(f"{item.label} -> {out} {_torch_shape(out)}", pad + "# ")
        if item.kind not in ("res", "concat"):  # a named block
            lines.append(f"{pad}nn.Sequential(")
            lines += _block_lines(analysis, item.index, indent + 4)
            lines.append(f"{pad}),")
            continue
        lines.append(f"{pad}{'Residual' if item.kind == 'res' else 'Concat'}(")
        paths = [b for b in analysis.blocks if b.parent == item.index and b.kind == "path"]
        if paths:
            for path in paths:
                lines += _comment(path.label, pad + "    # ")
                lines.append(f"{pad}    nn.Sequential(")
                lines += _block_lines(analysis, path.index, indent + 8)
                lines.append(f"{pad}    ),")
        else:  # one path: the block's own rows
            lines.append(f"{pad}    nn.Sequential(")
            lines += _block_lines(analysis, item.index, indent + 8, merges=False)
            lines.append(f"{pad}    ),")
        for row in analysis.rows:
            if row.block == item.index and row.kind == "merge":
                lines += _comment(_note(row), pad + "    # ")
        lines.append(f"{pad}),")
    return lines


__all__ = ["TORCH_MODULES", "TorchModule", "same_pad", "torch_code", "torch_module"]
