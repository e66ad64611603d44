"""Convolution layers (1D, 2D and 3D, by the rank of the input)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import LayerError, TorchError
from ..shape import Shape
from ..symbolic import (
    Dim,
    at_least,
    ceil_div,
    divides,
    exact_div,
    floor_div,
    fmt,
    product,
    sp,
    times,
)
from ..torchmodule import (
    TorchModule,
    as_tuple,
    collapse,
    concrete_int,
    constant_pad,
    kernel_sizes,
    keywords,
    unless_default,
)
from ..torchmodule import per_dim as concrete_per_dim
from ..working import Call, Num, Quot, Step, Sum, Term, Var, ceil_quot, floor_quot, minus, plus
from ..working import times as mul
from .base import (
    Checks,
    Example,
    Layer,
    Ops,
    Option,
    SpecReader,
    Window,
    broadcast,
    dim_names,
    drawing_sizes,
    per_dim,
    reads_as,
    register,
    require_spatial,
    sizes_text,
)

WINDOW_OPTIONS = {
    "valid": Option("no padding (the default)"),
    "same": Option("pad so that out = ceil(in / stride); odd padding goes at the end"),
    "pad": Option("zero padding on both sides, one value or one per dim: pad1, pad1x2", True, True),
    "stride": Option("step, one value or one per dim: stride2, s2, stride2x1", True),
}


def padding_mode(reader: SpecReader) -> None:
    """Reject contradictory padding options such as ``same pad1``."""
    given = [name for name in ("valid", "same", "pad", "causal") if reader.flag(name)]
    if reader.flag("same") and reader.flag("ceil"):
        # "same" fixes the size, so ceil mode (an option of pooling) has nothing to round.
        given = ["same", "ceil"]
    if len(given) > 1:
        span = reader.option_span(given[1])
        assert span is not None
        raise reader.error(f"{given[0]!r} and {given[1]!r} contradict each other", span)


def same_size(n: Dim, stride: Dim) -> Dim:
    """Output size with ``same`` padding: ceil(n / stride), as TensorFlow defines it."""
    return ceil_div(n, stride)


def same_padding(n: Dim, kernel: Dim, stride: Dim) -> tuple[Dim, Dim]:
    """(before, after) padding that ``same`` implies; the odd pixel goes after (TensorFlow).

    total = max((ceil(n/s) - 1)*s + k - n, 0), where k is the dilated kernel.
    """
    total: Dim = (same_size(n, stride) - 1) * stride + kernel - n
    verdict = at_least(total, 0)
    if verdict is False:
        total = 0
    elif verdict is not True:  # depends on the symbols: never negative
        total = sp().Max(total, 0)
    before = floor_div(total, 2)
    return before, total - before


def same_pad(n: int, k: int, s: int, d: int = 1) -> tuple[int, int]:
    """:func:`same_padding` of concrete sizes, as ints: (before, after) for size n, kernel k,
    stride s, dilation d.

    >>> same_pad(28, 3, 2)
    (0, 1)
    """
    before, after = same_padding(n, d * (k - 1) + 1, s)
    return int(before), int(after)


def effective_kernel(k: Dim, d: Dim) -> Term:
    """The dilated kernel ``d·(k − 1) + 1``, or just ``k`` without dilation."""
    if d == 1:
        return Var("k", k)
    return plus(mul(Var("d", d), minus(Var("k", k), Num(1))), Num(1))


def window_steps(name: str, n: Dim, k: Dim, p: Dim, s: Dim, d: Dim, out: Dim) -> tuple[Step, ...]:
    """``⌊(n + 2p − d·(k − 1) − 1)/s⌋ + 1``, written as courses do (``− k`` without dilation)."""
    taps: tuple[tuple[int, Term], ...]
    if d == 1:
        taps = ((-1, Var("k", k)),)
    else:
        taps = ((-1, mul(Var("d", d), minus(Var("k", k), Num(1)))), (-1, Num(1)))
    span = Sum(((1, Var("n", n)), (1, mul(Num(2), Var("p", p))), *taps))
    return (Step(name, plus(floor_quot(span, Var("s", s)), Num(1)), out),)


def same_steps(name: str, n: Dim, k: Dim, s: Dim, d: Dim, out: Dim) -> tuple[Step, ...]:
    """``same``: the size ``⌈n/s⌉``, then the padding it takes and how it splits."""
    size = ceil_quot(Var("n", n), Var("s", s))
    before, after = same_padding(n, d * (k - 1) + 1, s)
    total: Term
    if s == 1:  # the familiar k − 1
        total = minus(effective_kernel(k, d), Num(1))
    else:
        needed = plus(mul(minus(size, Num(1)), Var("s", s)), effective_kernel(k, d))
        total = Call("max", (minus(needed, Var("n", n)), Num(0)))
    return (
        Step(name, size, out),
        Step(f"pad {name}", total, before + after, split=(before, after)),
    )


def causal_steps(name: str, n: Dim, k: Dim, s: Dim, d: Dim, out: Dim) -> tuple[Step, ...]:
    """``causal``: the padding ``d·(k − 1)``, all before, then ``⌊(n + p − d·(k − 1) − 1)/s⌋
    + 1`` (which comes to ``⌈n/s⌉``)."""
    taps = minus(Var("k", k), Num(1))
    pad: Term = taps if d == 1 else mul(Var("d", d), taps)
    span = Sum(((1, Var("n", n)), (1, Var("p", d * (k - 1))), (-1, effective_kernel(k, d))))
    return (
        Step(f"pad {name}", pad, d * (k - 1), split=(d * (k - 1), 0)),
        Step(name, plus(floor_quot(span, Var("s", s)), Num(1)), out),
    )


def kernel_volume(kernel: tuple[Dim, ...]) -> list[Term]:
    """The kernel's sizes as factors: ``k`` (1D), ``k_h·k_w`` (2D), ``k_d·k_h·k_w`` (3D)."""
    if len(kernel) == 1:
        return [Var("k", kernel[0])]
    return [Var(f"k_{name.lower()}", k) for name, k in zip(dim_names(len(kernel)), kernel)]


@register
@dataclass(frozen=True)
class Conv(Layer):
    """Convolution: ``conv<k>x<k>x<filters>`` with one kernel size per spatial dim.

    ``conv5x16`` on a 1D signal, ``conv3x3x16`` on an image, ``conv3x3x3x8`` on a volume.
    """

    keyword = "conv"
    kind = "conv"
    title = "Conv"
    torch_classes = ("Conv1d", "Conv2d", "Conv3d")
    options = {
        **WINDOW_OPTIONS,
        "dilation": Option("spacing of kernel taps: dilation2, d2", True),
        "groups": Option("grouped convolution: groups4, g4", True),
        "dw": Option("depthwise: groups = input channels"),
        "nobias": Option("no bias terms"),
        "causal": Option("1D: pad dilation*(k - 1) before only, so no output sees a later input"),
    }
    formula = (
        "out = floor((in + pad_before + pad_after - dilation*(k - 1) - 1) / stride) + 1; "
        "same: out = ceil(in / stride); causal (1D): pad_before = dilation*(k - 1), "
        "pad_after = 0. "
        "params = (prod(k) * C_in / groups + 1) * filters (no +1 with nobias)"
    )
    examples = (
        Example("28x28x1", "conv3x3x16 same", "28x28x16", 160),
        Example("32x32x3", "conv5x5x6", "28x28x6", 456),
        Example("63x63x16", "conv7x7x32 stride2", "29x29x32", 25120),
        Example("100x8", "conv5x16 pad2", "100x16", 656),
        Example("16x16x16x3", "conv3x3x3x8 stride2 pad1", "8x8x8x8", 656),
        Example("56x56x32", "conv3x3x32 dw same nobias", "56x56x32", 288),
        Example("28x28x8", "conv3x3x16 groups4 dilation2", "24x24x16", 304),
        Example("100x16", "conv3x32 causal dilation4", "100x32", 1568),
    )

    kernel: tuple[Dim, ...]
    filters: Dim
    pad: tuple[Dim, ...] | None = None
    same: bool = False
    stride: tuple[Dim, ...] = (1,)
    dilation: tuple[Dim, ...] = (1,)
    groups: Dim = 1
    depthwise: bool = False
    bias: bool = True
    causal: bool = False

    @classmethod
    def from_spec(cls, reader: SpecReader) -> Conv:
        params = reader.params(range(2, 5), "conv<k>x<filters> (1D), conv<k>x<k>x<filters> (2D)")
        padding_mode(reader)
        if reader.flag("dw") and reader.flag("groups"):
            span = reader.option_span("groups")
            assert span is not None
            raise reader.error("'dw' already sets groups to the input channels", span)
        sizes = [reader.dim(v, what="kernel size") for v in params[:-1]]
        return cls(
            kernel=tuple(sizes),
            filters=reader.dim(params[-1], what="filters"),
            pad=reader.values("pad"),
            same=reader.flag("same"),
            stride=reader.values("stride") or (1,),
            dilation=reader.values("dilation") or (1,),
            groups=(reader.values("groups") or (1,))[0],
            depthwise=reader.flag("dw"),
            bias=not reader.flag("nobias"),
            causal=reader.flag("causal"),
        )

    def _causal_pads(self, rank: int) -> list[tuple[Dim, Dim]] | None:
        """(before, after) padding per dim of a causal convolution: the dilated kernel less
        one, all before (WaveNet's, Keras' padding="causal"); None when not causal."""
        if not self.causal:
            return None
        dilation = broadcast(self.dilation, rank, "dilation")
        return [(d * (k - 1), 0) for k, d in zip(self.kernel, dilation)]

    def _check_rank(self, inp: Shape) -> None:
        rank = len(self.kernel)
        require_spatial(self.keyword, inp)
        if rank == inp.spatial_rank:
            return
        form = "conv" + "<k>x" * inp.spatial_rank + "<filters>"
        if inp.spatial_rank == 1 and rank == 2:
            hint = f"for one channel write the input as {inp}x1"
        elif rank == inp.spatial_rank + 1:
            spatial = sizes_text((*self.kernel[:-1], self.filters))
            hint = (
                f"the kernel lists only spatial sizes, channels come from the input: conv{spatial}"
            )
        else:
            hint = f"write {form} for a {inp.spatial_rank}D input"
        raise LayerError(
            f"a {rank}D kernel needs a {rank}D input, but {inp} is {reads_as(inp)} — {hint}"
        )

    def group_count(self, inp: Shape) -> Dim:
        """Groups in effect (input channels when depthwise)."""
        return inp.channels if self.depthwise else self.groups

    def output_shape(self, inp: Shape, checks: Checks) -> Shape:
        self._check_rank(inp)
        rank = inp.spatial_rank
        stride = broadcast(self.stride, rank, "stride")
        dilation = broadcast(self.dilation, rank, "dilation")
        self._check_groups(inp, checks)
        if self.same:
            return Shape((*(same_size(n, s) for n, s in zip(inp.spatial, stride)), self.filters))
        if self.causal and rank != 1:
            raise LayerError(
                f"causal padding is for 1D convolutions, and {inp} is {reads_as(inp)}; "
                "use pad or same",
                option="causal",
            )
        pad = broadcast(self.pad or (0,), rank, "pad")
        pads = self._causal_pads(rank) or [(p, p) for p in pad]
        out = []
        for n, k, (before, after), s, d in zip(inp.spatial, self.kernel, pads, stride, dilation):
            effective = d * (k - 1) + 1
            padded = n + before + after

            def message(n: Dim = n, k: Dim = k, padded: Dim = padded, eff: Dim = effective) -> str:
                dilated = f" (dilated to {fmt(eff)})" if eff != k else ""
                return (
                    f"kernel {fmt(k)}{dilated} is larger than the padded input {fmt(padded)}; "
                    "add padding or use a smaller kernel"
                )

            checks.at_least(padded, effective, message)
            out.append(floor_div(padded - effective, s) + 1)
        return Shape((*out, self.filters))

    def _check_groups(self, inp: Shape, checks: Checks) -> None:
        groups = self.group_count(inp)
        option = "dw" if self.depthwise else "groups"
        for what, count in (("input channels", inp.channels), ("filters", self.filters)):
            message = f"{what} ({fmt(count)}) are not divisible by groups ({fmt(groups)})"
            checks.require(divides(groups, count), message, option=option)

    def param_count(self, inp: Shape) -> Dim:
        groups = self.group_count(inp)
        cin = inp.channels
        per_filter = product(self.kernel) * exact_div(cin, groups)
        return times(per_filter + 1, self.filters) if self.bias else times(per_filter, self.filters)

    def ops(self, inp: Shape, out: Shape) -> Ops:
        # Every output element is one filter's dot product with prod(k)*C_in/groups inputs.
        outputs = product(out.dims)
        per_output = product(self.kernel) * exact_div(inp.channels, self.group_count(inp))
        return Ops(macs=times(per_output, outputs), bias=outputs if self.bias else 0)

    def windows(self, inp: Shape) -> tuple[Window, ...]:
        rank = inp.spatial_rank
        stride = broadcast(self.stride, rank, "stride")
        dilation = broadcast(self.dilation, rank, "dilation")
        pad = broadcast(self.pad or (0,), rank, "pad")
        result = []
        for n, k, p, s, d in zip(inp.spatial, self.kernel, pad, stride, dilation):
            effective = d * (k - 1) + 1
            before = same_padding(n, effective, s)[0] if self.same else p
            result.append(Window(effective, s, d * (k - 1) if self.causal else before))
        return tuple(result)

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        rank = inp.spatial_rank
        stride = broadcast(self.stride, rank, "stride")
        dilation = broadcast(self.dilation, rank, "dilation")
        pad = broadcast(self.pad or (0,), rank, "pad")
        steps: list[Step] = []
        for name, n, k, p, s, d, o in zip(
            dim_names(rank), inp.spatial, self.kernel, pad, stride, dilation, out.spatial
        ):
            if self.same:
                steps.extend(same_steps(name, n, k, s, d, o))
            elif self.causal:
                steps.extend(causal_steps(name, n, k, s, d, o))
            else:
                steps.extend(window_steps(name, n, k, p, s, d, o))
        groups = self.group_count(inp)
        per_filter: Term = mul(*kernel_volume(self.kernel), Var("C_in", inp.channels))
        if self.depthwise or groups != 1:
            per_filter = Quot(per_filter, Var("g", groups))
        if self.bias:
            per_filter = plus(per_filter, Num(1))
        steps.append(
            Step("params", mul(per_filter, Var("C_out", self.filters)), self.param_count(inp))
        )
        return tuple(steps)

    def torch_module(self, inp: Shape) -> TorchModule:
        # torch takes symmetric padding only: asymmetric ``same`` padding becomes an
        # explicit ConstantPad before the convolution (see shapecalc.torchcode).
        rank, kernel, stride, dilation = kernel_sizes(
            self.keyword, inp, self.kernel, self.stride, self.dilation
        )
        cin = concrete_int(inp.channels, "input channels")
        groups = cin if self.depthwise else concrete_int(self.groups, "groups")
        pads = [(p, p) for p in concrete_per_dim(self.pad or (0,), rank, "pad")]
        if self.same:
            spatial = [concrete_int(n, "size") for n in inp.spatial]
            pads = [same_pad(*args) for args in zip(spatial, kernel, stride, dilation)]
        if self.causal:  # all before: an explicit ConstantPad1d, as torch has no causal mode
            pads = [(d * (k - 1), 0) for k, d in zip(kernel, dilation)]
        symmetric = all(before == after for before, after in pads)
        module = TorchModule(
            f"Conv{rank}d",
            (cin, concrete_int(self.filters, "filters")),
            keywords(
                kernel_size=kernel,
                stride=unless_default(stride, 1),
                padding=unless_default(tuple(b for b, _ in pads), 0) if symmetric else None,
                dilation=unless_default(dilation, 1),
                groups=groups if groups != 1 else None,
                bias=None if self.bias else False,
            ),
        )
        if symmetric:
            return module
        return TorchModule("Sequential", (constant_pad(pads, 0.0), module))

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> Conv:
        if module.padding_mode != "zeros":
            raise TorchError(f"padding_mode={module.padding_mode!r} has no spec form; only zeros")
        padding = module.padding
        # torch's padding="same" (stride 1 only) splits as ``same`` does: the odd pixel after.
        same = padding == "same"
        pad = None if isinstance(padding, str) else collapse(as_tuple(padding))
        groups = int(module.groups)
        depthwise = groups > 1 and groups == int(module.in_channels)
        return cls(
            kernel=as_tuple(module.kernel_size),
            filters=int(module.out_channels),
            pad=None if pad == (0,) else pad,
            same=same,
            stride=collapse(as_tuple(module.stride)),
            dilation=collapse(as_tuple(module.dilation)),
            groups=1 if depthwise else groups,
            depthwise=depthwise,
            bias=module.bias is not None,
        )

    def drawing_label(self, inp: Shape) -> str:
        words = [f"Conv {drawing_sizes(per_dim(self.kernel, inp.spatial_rank))}"]
        words.append("s" + drawing_sizes(self.stride))
        if self.same:
            words.append("same")
        elif self.causal:
            words.append("causal")
        elif self.pad is not None:
            words.append("pad" + drawing_sizes(self.pad))
        if self.depthwise:
            words.append("dw")
        elif self.groups != 1:
            words.append(f"g{fmt(self.groups)}")
        return " ".join(words)

    def drawing_window(self, inp: Shape) -> tuple[Dim, ...]:
        return per_dim(self.kernel, inp.spatial_rank)

    def to_spec(self) -> str:
        words = [f"conv{sizes_text((*self.kernel, self.filters))}"]
        if self.same:
            words.append("same")
        if self.pad is not None:
            words.append(f"pad{sizes_text(self.pad)}")
        if self.stride != (1,):
            words.append(f"stride{sizes_text(self.stride)}")
        if self.dilation != (1,):
            words.append(f"dilation{sizes_text(self.dilation)}")
        if self.groups != 1:
            words.append(f"groups{sizes_text((self.groups,))}")
        if self.depthwise:
            words.append("dw")
        if not self.bias:
            words.append("nobias")
        if self.causal:
            words.append("causal")
        return " ".join(words)
