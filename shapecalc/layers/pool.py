"""Pooling layers: windowed max/average, global and adaptive pooling."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import TorchError
from ..shape import Shape
from ..symbolic import Dim, ceil_div, floor_div, fmt, product, sp, times
from ..torchmodule import (
    TorchModule,
    as_tuple,
    collapse,
    concrete_int,
    constant_pad,
    keywords,
    spatial_rank,
    unless_default,
)
from ..torchmodule import per_dim as concrete_per_dim
from ..working import Call, Num, Step, Sum, Var, ceil_quot, floor_quot, minus, plus
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
    per_dim,
    register,
    require_spatial,
    sizes_text,
)
from .conv import (
    WINDOW_OPTIONS,
    padding_mode,
    same_pad,
    same_padding,
    same_size,
    same_steps,
    window_steps,
)


def ceil_mode_size(n: Dim, k: Dim, p: Dim, s: Dim) -> Dim:
    """PyTorch's ceil-mode size, in closed form.

    Windows start at 0, s, 2s, ...; ceil mode keeps every start j*s with j <= ceil((n + 2p -
    k)/s) that lies inside the input or the left padding (j*s <= n + p - 1), so
    out = min(ceil((n + 2p - k)/s), floor((n + p - 1)/s)) + 1. When s <= k - p the first term
    is never the larger one (ceil(m/s)*s < m + s <= n + p), which covers the common cases.

    Both terms are floor((n + c)/s): c = 2p - k + s - 1 (as ceil(m/s) = floor((m + s - 1)/s)
    for an integer m) and c = p - 1. floor((n + c)/s) grows with c, so the minimum is the
    floor with the smaller c: one floor, which the nested-floor rules of
    :func:`~shapecalc.symbolic.floor_div` keep small when such layers are stacked (a min of
    two floors would double the formula at every layer). Only when the sign of
    c - c' = p - k + s is unknown (symbolic k, p or s) does the min remain.
    """
    if all(isinstance(v, int) for v in (k, p, s)) and s <= k - p:
        return ceil_div(n + 2 * p - k, s) + 1
    reach, start = 2 * p - k + s - 1, p - 1
    if isinstance(reach, int) and isinstance(start, int):
        return floor_div(n + start, s) + 1  # s > k - p: start < reach
    gap = _from_least_values(reach - start)  # p - k + s
    if gap.is_nonpositive:
        return ceil_div(n + 2 * p - k, s) + 1
    if gap.is_nonnegative:  # at 0 both terms are the same floor
        return floor_div(n + start, s) + 1
    # Undecided (a symbolic stride, say): the min stays. Stacked, it doubles the formula,
    # which MAX_FORMULA soon refuses; one floor with a Min inside would grow only linearly
    # but make every later condition a polynomial that sympy compares slowly.
    windows = ceil_div(n + 2 * p - k, s)
    starts = floor_div(n + start, s)
    if isinstance(windows, int) and isinstance(starts, int):
        return min(windows, starts) + 1
    return sp().Min(windows, starts) + 1


def _from_least_values(value: Dim) -> Any:
    """``value`` with each positive symbol ``s`` written as ``1 + t``, ``t >= 0``: sympy decides
    the sign of a sum from the signs of its terms, so it cannot tell ``p + s - 1 >= 0`` for
    integers ``p >= 0``, ``s >= 1``, but it can tell ``p + t >= 0``."""
    s = sp()
    value = s.sympify(value)
    positive = [x for x in value.free_symbols if x.is_positive]
    return value.subs({x: s.Dummy(integer=True, nonnegative=True) + 1 for x in positive})


def ceil_mode_step(name: str, n: Dim, k: Dim, p: Dim, s: Dim, out: Dim) -> Step:
    """``⌈(n + 2p − k)/s⌉ + 1``; with ``min(..., ⌊(n + p − 1)/s⌋)`` only where that rule acts
    (a last window starting in the right padding is dropped)."""
    span = Sum(((1, Var("n", n)), (1, mul(Num(2), Var("p", p))), (-1, Var("k", k))))
    windows = ceil_quot(span, Var("s", s))
    starts = floor_quot(minus(plus(Var("n", n), Var("p", p)), Num(1)), Var("s", s))
    plain = ceil_div(n + 2 * p - k, s) + 1
    term = plus(windows, Num(1)) if plain == out else plus(Call("min", (windows, starts)), Num(1))
    return Step(name, term, out)


def _pad_message(k: Dim, p: Dim) -> Callable[[], str]:
    return lambda: (
        f"pad {fmt(p)} is more than half the window {fmt(k)} (PyTorch requires pad <= k/2)"
    )


def _window_message(padded: Dim, k: Dim, ceil: bool) -> Callable[[], str]:
    overhang = " plus stride - 1 (ceil mode)" if ceil else ""
    return lambda: (
        f"window {fmt(k)} is larger than the padded input {fmt(padded)}{overhang}; "
        "use a smaller window or add padding"
    )


def _unpadded_message(rank: int, n: Dim, k: Dim) -> Callable[[], str]:
    return lambda: (
        f"window {fmt(k)} is larger than the unpadded input {fmt(n)}; PyTorch's {rank}D average "
        "pooling refuses this even with padding"
    )


@dataclass(frozen=True)
class WindowPool(Layer):
    """Max or average pooling over a window; the stride defaults to the window."""

    kind = "pool"
    options = {
        **WINDOW_OPTIONS,
        "ceil": Option("ceil mode: round the output size up (PyTorch rule)"),
    }
    formula = (
        "out = floor((in + 2*pad - k) / stride) + 1 (ceil with 'ceil', the last window starting "
        "inside the input or left padding); same: out = ceil(in / stride); stride defaults to k"
    )

    #: Ranks at which PyTorch also requires the unpadded input to hold a whole window.
    unpadded_input_ranks: ClassVar[frozenset[int]] = frozenset()

    window: tuple[Dim, ...]
    stride: tuple[Dim, ...] | None = None
    pad: tuple[Dim, ...] | None = None
    same: bool = False
    ceil: bool = False

    @classmethod
    def from_spec(cls, reader: SpecReader) -> Any:
        params = reader.params(range(1, 4), f"{cls.keyword}<k> or {cls.keyword}<k>x<k>")
        padding_mode(reader)
        return cls(
            window=tuple(reader.dim(v, what="window size") for v in params),
            stride=reader.values("stride"),
            pad=reader.values("pad"),
            same=reader.flag("same"),
            ceil=reader.flag("ceil"),
        )

    def output_shape(self, inp: Shape, checks: Checks) -> Shape:
        require_spatial(self.keyword, inp)
        rank = inp.spatial_rank
        window = broadcast(self.window, rank, self.keyword)
        stride = broadcast(self.stride, rank, "stride") if self.stride else window
        if self.same:
            return inp.with_spatial([same_size(n, s) for n, s in zip(inp.spatial, stride)])
        pad = broadcast(self.pad or (0,), rank, "pad")
        out = []
        for n, k, p, s in zip(inp.spatial, window, pad, stride):
            # PyTorch refuses padding of more than half the window.
            checks.at_least(k, 2 * p, _pad_message(k, p), option="pad")
            # In ceil mode a window may overhang the end: PyTorch needs out >= 1 only.
            reach = n + 2 * p + (s - 1 if self.ceil else 0)
            checks.at_least(reach, k, _window_message(n + 2 * p, k, self.ceil))
            if rank in self.unpadded_input_ranks:
                checks.at_least(n, k, _unpadded_message(rank, n, k))
            out.append(ceil_mode_size(n, k, p, s) if self.ceil else floor_div(n + 2 * p - k, s) + 1)
        return inp.with_spatial(out)

    def windows(self, inp: Shape) -> tuple[Window, ...]:
        rank = inp.spatial_rank
        window = broadcast(self.window, rank, self.keyword)
        stride = broadcast(self.stride, rank, "stride") if self.stride else window
        pad = broadcast(self.pad or (0,), rank, "pad")
        return tuple(
            Window(k, s, same_padding(n, k, s)[0] if self.same else p)
            for n, k, p, s in zip(inp.spatial, window, pad, stride)
        )

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        rank = inp.spatial_rank
        window = broadcast(self.window, rank, self.keyword)
        stride = broadcast(self.stride, rank, "stride") if self.stride else window
        pad = broadcast(self.pad or (0,), rank, "pad")
        steps: list[Step] = []
        for name, n, k, p, s, o in zip(
            dim_names(rank), inp.spatial, window, pad, stride, out.spatial
        ):
            if self.same:
                steps.extend(same_steps(name, n, k, s, 1, o))
            elif self.ceil:
                steps.append(ceil_mode_step(name, n, k, p, s, o))
            else:
                steps.extend(window_steps(name, n, k, p, s, 1, o))
        return tuple(steps)

    #: torch's name for the operation: ``Max`` or ``Avg`` (``MaxPool2d``, ``AvgPool2d``).
    torch_name: ClassVar[str] = ""

    def torch_module(self, inp: Shape) -> TorchModule:
        rank = spatial_rank(inp, self.keyword)
        window = concrete_per_dim(self.window, rank, "window")
        stride = concrete_per_dim(self.stride, rank, "stride") if self.stride else window
        name = f"{self.torch_name}Pool{rank}d"
        if self.same:
            spatial = [concrete_int(n, "size") for n in inp.spatial]
            pads = [same_pad(n, k, s) for n, k, s in zip(spatial, window, stride)]
            module = TorchModule(name, (window,), keywords(stride=stride))
            if all(p == (0, 0) for p in pads):
                return module
            # Explicit padding: -inf never wins a max; and PyTorch's 3D average pooling checks
            # the unpadded input, which an explicit pad module sidesteps.
            fill = float("-inf") if self.torch_name == "Max" else 0.0
            return TorchModule("Sequential", (constant_pad(pads, fill), module))
        padding = concrete_per_dim(self.pad or (0,), rank, "pad")
        return TorchModule(
            name,
            (window,),
            keywords(
                stride=stride,
                padding=unless_default(padding, 0),
                ceil_mode=True if self.ceil else None,
            ),
        )

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> Any:
        if any(d != 1 for d in as_tuple(getattr(module, "dilation", 1))):
            raise TorchError("pooling with dilation has no spec form")
        window = collapse(as_tuple(module.kernel_size))
        stride = collapse(as_tuple(module.stride)) if module.stride is not None else window
        pad = collapse(as_tuple(module.padding))
        return cls(
            window=window,
            stride=None if stride == window else stride,
            pad=None if pad == (0,) else pad,
            ceil=bool(module.ceil_mode),
        )

    def drawing_label(self, inp: Shape) -> str:
        words = [f"{self.title} {drawing_sizes(per_dim(self.window, inp.spatial_rank))}"]
        if self.stride is not None and self.stride != self.window:
            words.append("s" + drawing_sizes(self.stride))
        if self.same:
            words.append("same")
        return " ".join(words)

    def drawing_window(self, inp: Shape) -> tuple[Dim, ...]:
        return per_dim(self.window, inp.spatial_rank)

    def to_spec(self) -> str:
        words = [f"{self.keyword}{sizes_text(self.window)}"]
        if self.stride is not None:
            words.append(f"stride{sizes_text(self.stride)}")
        if self.pad is not None:
            words.append(f"pad{sizes_text(self.pad)}")
        if self.same:
            words.append("same")
        if self.ceil:
            words.append("ceil")
        return " ".join(words)


@register
@dataclass(frozen=True)
class MaxPool(WindowPool):
    """Max pooling: ``maxpool2`` (2x2 window, stride 2), ``maxpool3x3 stride2``."""

    keyword = "maxpool"
    title = "Max-Pool"
    torch_name = "Max"
    torch_classes = ("MaxPool1d", "MaxPool2d", "MaxPool3d")
    examples = (
        Example("28x28x16", "maxpool2", "14x14x16", 0),
        Example("55x55x64", "maxpool3 stride2", "27x27x64", 0),
        Example("9x9x4", "maxpool2x3 stride2x3 pad0x1", "4x3x4", 0),
        Example("7x7x8", "maxpool2 ceil", "4x4x8", 0),
        Example("7x7x8", "maxpool2 same", "4x4x8", 0),
    )


@register
@dataclass(frozen=True)
class AvgPool(WindowPool):
    """Average pooling: ``avgpool2``, ``avgpool2 stride2``, ``avgpool3 stride1 pad1``."""

    keyword = "avgpool"
    title = "Avg-Pool"
    torch_name = "Avg"
    torch_classes = ("AvgPool1d", "AvgPool2d", "AvgPool3d")
    unpadded_input_ranks = frozenset({3})  # avg_pool3d checks the input before padding
    examples = (
        Example("28x28x6", "avgpool2 stride2", "14x14x6", 0),
        Example("100x8", "avgpool4", "25x8", 0),
        Example("8x8x8x2", "avgpool2", "4x4x4x2", 0),
    )

    def ops(self, inp: Shape, out: Shape) -> Ops:
        # fvcore does not count average pooling; thop charges one per output element.
        return Ops(thop=product(out.dims))


def adaptive_average_ops(inp: Shape, cells: Dim) -> Ops:
    """What fvcore and thop charge adaptive average pooling to ``cells`` output positions
    per channel (global pooling: 1): fvcore one per input element, in 2D only (the one
    rank it has a handle for); thop (window + 1) per output, which is C*(P_in + P_out) for
    P the spatial sizes."""
    inputs = product(inp.dims)
    return Ops(
        fvcore=inputs if inp.spatial_rank == 2 else None,
        thop=times(inp.channels, product(inp.spatial) + cells),
    )


@dataclass(frozen=True)
class GlobalPool(Layer):
    """Pools every spatial dim away, giving a flat vector of C values (as Keras does)."""

    kind = "pool"
    formula = "out = C (a flat vector)"
    # torch has no global pooling class: it is adaptive pooling to 1 and a flatten, and a
    # model written so imports as adaptiveavgpool1 | flatten (the same shapes and costs).
    torch_classes = ()
    torch_name: ClassVar[str] = ""

    @classmethod
    def from_spec(cls, reader: SpecReader) -> Any:
        reader.params(range(0, 1), cls.keyword)
        return cls()

    def output_shape(self, inp: Shape, checks: Checks) -> Shape:
        require_spatial(self.keyword, inp)
        return Shape((inp.channels,))

    def windows(self, inp: Shape) -> Windows:
        return NoWindow.SEES_ALL  # each output value pools the whole map

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        return (Step("N", Var("C", inp.channels), out.channels),)

    def torch_module(self, inp: Shape) -> TorchModule:
        # Pooled to 1 in every spatial dim, then flattened: a vector of C values, as Keras gives.
        name = f"Adaptive{self.torch_name}Pool{spatial_rank(inp, self.keyword)}d"
        return TorchModule("Sequential", (TorchModule(name, (1,)), TorchModule("Flatten")))

    def to_spec(self) -> str:
        return self.keyword


@register
@dataclass(frozen=True)
class GlobalAvgPool(GlobalPool):
    """Global average pooling: ``globalavgpool`` (alias ``gap``)."""

    keyword = "globalavgpool"
    aliases = ("gap",)
    title = "Global Avg-Pool"
    torch_name = "Avg"
    examples = (Example("7x7x512", "globalavgpool", "512", 0),)

    def ops(self, inp: Shape, out: Shape) -> Ops:
        return adaptive_average_ops(inp, 1)


@register
@dataclass(frozen=True)
class GlobalMaxPool(GlobalPool):
    """Global max pooling: ``globalmaxpool``."""

    keyword = "globalmaxpool"
    title = "Global Max-Pool"
    torch_name = "Max"
    examples = (Example("100x64", "globalmaxpool", "64", 0),)


@dataclass(frozen=True)
class AdaptivePool(Layer):
    """Pools to a fixed spatial size, keeping the channels (as PyTorch does)."""

    kind = "pool"
    formula = "out = the given size in every spatial dim (one value, or one per dim)"

    size: tuple[Dim, ...]

    @classmethod
    def from_spec(cls, reader: SpecReader) -> Any:
        params = reader.params(range(1, 4), f"{cls.keyword}<size> or {cls.keyword}<h>x<w>")
        return cls(tuple(reader.dim(v, what="output size") for v in params))

    def output_shape(self, inp: Shape, checks: Checks) -> Shape:
        require_spatial(self.keyword, inp)
        return inp.with_spatial(broadcast(self.size, inp.spatial_rank, self.keyword))

    #: torch's name for the operation: ``Max`` or ``Avg`` (``AdaptiveAvgPool2d``).
    torch_name: ClassVar[str] = ""

    def windows(self, inp: Shape) -> Windows:
        # torch's cell i pools [floor(i*n/o), ceil((i+1)*n/o)): when o divides n that is a
        # window of n/o with stride n/o; otherwise windows differ in size and step from one
        # cell to the next, and no single (kernel, stride, padding) describes them.
        sizes = broadcast(self.size, inp.spatial_rank, self.keyword)
        if all(o == 1 for o in sizes):
            return NoWindow.SEES_ALL
        result = []
        for n, o in zip(inp.spatial, sizes):
            if not isinstance(n, int) or not isinstance(o, int) or n % o:
                return NoWindow.NOT_COMPUTABLE
            result.append(Window(n // o, n // o, 0))
        return tuple(result)

    def torch_module(self, inp: Shape) -> TorchModule:
        rank = spatial_rank(inp, self.keyword)
        size = concrete_per_dim(self.size, rank, "output size")
        return TorchModule(f"Adaptive{self.torch_name}Pool{rank}d", (size,))

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> Any:
        size = module.output_size
        if size is None or (isinstance(size, tuple | list) and None in size):
            raise TorchError("adaptive pooling that keeps a dim (output_size None) has no spec form")
        return cls(collapse(as_tuple(size)))

    def drawing_label(self, inp: Shape) -> str:
        return f"Adaptive Pool {drawing_sizes(per_dim(self.size, inp.spatial_rank))}"

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        names = dim_names(inp.spatial_rank)
        return tuple(Step(name, Var("size", o), o) for name, o in zip(names, out.spatial))

    def to_spec(self) -> str:
        return f"{self.keyword}{sizes_text(self.size)}"


@register
@dataclass(frozen=True)
class AdaptiveAvgPool(AdaptivePool):
    """Adaptive average pooling: ``adaptiveavgpool7x7``, ``adaptiveavgpool1``."""

    keyword = "adaptiveavgpool"
    torch_name = "Avg"
    torch_classes = ("AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d")
    examples = (Example("13x13x256", "adaptiveavgpool6x6", "6x6x256", 0),)

    def ops(self, inp: Shape, out: Shape) -> Ops:
        return adaptive_average_ops(inp, product(out.spatial))


@register
@dataclass(frozen=True)
class AdaptiveMaxPool(AdaptivePool):
    """Adaptive max pooling: ``adaptivemaxpool1x1``."""

    keyword = "adaptivemaxpool"
    torch_name = "Max"
    torch_classes = ("AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d")
    examples = (Example("7x7x512", "adaptivemaxpool1x1", "1x1x512", 0),)
