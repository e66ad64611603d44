"""Hypothesis strategies that draw valid, concrete specs over every layer kind and option.

Public, so that you can property-test your own shape code against shapecalc (or torch)::

    from hypothesis import given
    from shapecalc import analyze
    from shapecalc.strategies import specs

    @given(specs())
    def test_my_shape_code(spec):
        analysis = analyze(spec.text)
        assert my_output_shape(spec.text) == analysis.output_shape.dims

Needs hypothesis (``pip install hypothesis``; it is in shapecalc's ``test`` extra).

The main strategies: :func:`specs` (whole networks with repeat groups), :func:`single_layers`
(one layer of a given class on an input it applies to), :func:`input_shapes` (valid input
shapes, flat or 1D/2D/3D), :func:`spec_texts` (just the text). A drawn
:class:`GeneratedSpec` carries its text and the output shape the strategies expect.

A spec is built left to right: the input shape first, then each layer chosen among the kinds
that apply to the current shape, with hyperparameters drawn so that the layer is valid for
that shape: kernels, strides, paddings (numbers, ``same``, ``valid``), dilation, groups and
depthwise, ceil mode, 1D/2D/3D, the spellings of options, repeats ``(a | b)x3``, and
branch blocks ``res( ... ; ... )`` / ``concat( ... ; ... )`` / ``mul`` / ``split`` whose
paths agree by construction. The strategies track the shape themselves with the plain textbook formulas (an independent model,
not shapecalc's code), so every drawn spec is valid by construction and no ``assume`` is
needed.

A drawn spec is a sequence of parts: text, and :class:`Num` for every number that a symbolic
test may replace by a symbol. :data:`LAYER_STRATEGIES` holds one strategy per layer class;
a completeness test compares it with the registry, so a new layer kind without a strategy
fails the tests.

Sizes stay small (spatial dims up to 24, 10 for volumes; channels up to 8) so that hundreds
of torch forward passes run in seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from math import prod
from typing import Any

from hypothesis import strategies as st

from .layers import Layer, activation, conv, deconv, dense, norm, pool, reshape

Dims = tuple[int, ...]
Draw = Callable[[st.SearchStrategy[Any]], Any]

#: Most channels (and conv filters) a drawn layer creates.
MAX_CHANNELS = 8
#: Largest spatial size a drawn layer creates on purpose, by spatial rank.
MAX_SIDE = {1: 24, 2: 24, 3: 10}
#: Repeating a group stops before any spatial size grows past this.
HARD_SIDE = {1: 48, 2: 48, 3: 16}


class Invalid(Exception):
    """A drawn layer does not apply to a shape (checked when a group is repeated)."""


@dataclass(frozen=True)
class Num:
    """A number written in the spec, which the symbolic test may replace by a symbol.

    Attributes:
        value: the number.
        zero_ok: 0 is a meaningful value here (padding).
    """

    value: int
    zero_ok: bool = False


Part = str | Num


@dataclass(frozen=True)
class Drawn:
    """A drawn spec item: its text parts, and the model of what it does to a shape."""

    parts: tuple[Part, ...]
    apply: Callable[[Dims], Dims]


@dataclass(frozen=True)
class LayerStrategy:
    """How to draw one layer kind.

    Attributes:
        keywords: every word the strategy writes for the kind (keyword and aliases).
        needs: ``"spatial"`` or ``"flat"`` when the kind applies to one kind of input only,
            as PyTorch (or, for dense, shapecalc's documented rule) requires.
        draw: ``draw(draw, shape, keyword)`` for a shape the kind applies to.
        fits: a further condition on the shape, for a kind that needs more than a rank
            (instance norm: two or more positions; group norm: two or more values); None
            when the rank is enough.
    """

    keywords: tuple[str, ...]
    needs: str | None
    draw: Callable[[Draw, Dims, str], Drawn]
    fits: Callable[[Dims], bool] | None = None

    def applies(self, shape: Dims) -> bool:
        """Whether the kind can follow an input of this shape."""
        if self.fits is not None and not self.fits(shape):
            return False
        if self.needs == "spatial":
            return len(shape) > 1
        if self.needs == "flat":
            return len(shape) == 1
        return True


@dataclass(frozen=True)
class GeneratedSpec:
    """A drawn spec: text parts, and the output shape the strategies' model expects.

    Attributes:
        parts: the spec as text and numbers; the first ``inputs`` parts are the input shape.
        shape: the final shape by the strategies' own model.
    """

    parts: tuple[Part, ...]
    shape: Dims
    inputs: int

    @property
    def text(self) -> str:
        """The concrete spec text."""
        return render(self.parts)

    @property
    def nums(self) -> list[tuple[int, Num]]:
        """Every number in the spec, with its index among the parts."""
        return [(i, p) for i, p in enumerate(self.parts) if isinstance(p, Num)]


def render(
    parts: Sequence[Part], names: Mapping[int, str] | None = None, bare: Collection[int] = ()
) -> str:
    """Spec text; ``names`` maps part indices to symbols, written in braces unless in ``bare``."""
    names = names or {}
    out = []
    for i, part in enumerate(parts):
        if isinstance(part, str):
            out.append(part)
        elif i not in names:
            out.append(str(part.value))
        else:
            out.append(names[i] if i in bare else "{" + names[i] + "}")
    return "".join(out)


# -- small drawing helpers -----------------------------------------------------------------


def sizes(draw: Draw, values: Sequence[int], *, zero_ok: bool = False) -> tuple[Part, ...]:
    """Numbers joined by ``x`` (now and then by ``×``, which the grammar also accepts)."""
    sep = draw(st.sampled_from(["x", "×"]))
    parts: list[Part] = []
    for i, value in enumerate(values):
        if i:
            parts.append(sep)
        parts.append(Num(value, zero_ok))
    return tuple(parts)


def option(draw: Draw, names: Sequence[str], values: tuple[Part, ...]) -> tuple[Part, ...]:
    """An option with values in one of its spellings: ``stride2``, ``s2`` or ``stride=2``."""
    name = draw(st.sampled_from(list(names)))
    eq = "=" if draw(st.booleans()) else ""
    return (" ", name, eq, *values)


def flag(draw: Draw, spellings: Sequence[str]) -> tuple[Part, ...]:
    """A flag in one of its spellings (``same``, ``pad=same``, ...)."""
    return (" ", draw(st.sampled_from(list(spellings))))


def per_dim(draw: Draw, bounds: Sequence[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Values within per-dim bounds: (one per dim, as written: one value or one per dim)."""
    rank = len(bounds)
    lo = max(b[0] for b in bounds)
    hi = min(b[1] for b in bounds)
    if rank > 1 and lo <= hi and draw(st.booleans()):
        value = draw(st.integers(lo, hi))
        return [value] * rank, [value]
    values = [draw(st.integers(a, b)) for a, b in bounds]
    return values, values


def spread(values: Sequence[int], rank: int) -> list[int]:
    """One written value for every dim, or one per dim; anything else does not apply."""
    if len(values) == 1:
        return list(values) * rank
    if len(values) != rank:
        raise Invalid(f"{len(values)} values for rank {rank}")
    return list(values)


def spatial_of(shape: Dims) -> list[int]:
    """The spatial dims; a flat input does not apply."""
    if len(shape) < 2:
        raise Invalid("needs a spatial input")
    return list(shape[:-1])


def ceil_div(a: int, b: int) -> int:
    """``ceil(a / b)`` for integers."""
    return -(-a // b)


def room(n: int, rank: int) -> int:
    """How much a size may grow on each side before it passes the soft cap."""
    return max(0, (MAX_SIDE[rank] - n) // 2)


# -- one drawing function per layer family -------------------------------------------------


def draw_conv(draw: Draw, shape: Dims, keyword: str) -> Drawn:
    """conv on a 1D/2D/3D input: kernel per dim, stride, pad/same/valid (causal in 1D),
    dilation, groups, dw."""
    spatial, cin, rank = list(shape[:-1]), shape[-1], len(shape) - 1
    options: list[tuple[Part, ...]] = []
    mode = draw(st.sampled_from(["default", "valid", "pad", "same"] + ["causal"] * (rank == 1)))
    dilation = [1] * rank
    if draw(st.booleans()):
        dilation, written = per_dim(draw, [(1, 2)] * rank)
        options.append(option(draw, ["dilation", "d"], sizes(draw, written)))
    pad = [0] * rank
    if mode == "pad":
        pad, written = per_dim(draw, [(0, min(2, room(n, rank))) for n in spatial])
        options.append(option(draw, ["pad", "padding"], sizes(draw, written, zero_ok=True)))
    elif mode == "same":
        options.append(flag(draw, ["same", "pad=same", "padding=same"]))
    elif mode == "valid":
        options.append(flag(draw, ["valid", "pad=valid"]))
    elif mode == "causal":
        options.append((" causal",))
    if mode in ("same", "causal"):
        kernel = [draw(st.integers(1, 5)) for _ in spatial]
    else:
        kernel = [
            draw(st.integers(1, min(5, (n + 2 * p - 1) // d + 1)))
            for n, p, d in zip(spatial, pad, dilation)
        ]
    stride = [1] * rank
    if draw(st.booleans()):
        stride, written = per_dim(draw, [(1, 3)] * rank)
        options.append(option(draw, ["stride", "s"], sizes(draw, written)))
    grouping = draw(st.sampled_from(["plain", "groups", "dw"]))
    groups = 1
    if grouping == "groups":
        groups = draw(st.sampled_from([g for g in range(1, cin + 1) if cin % g == 0]))
        filters = groups * draw(st.integers(1, max(1, MAX_CHANNELS // groups)))
        options.append(option(draw, ["groups", "g"], (Num(groups),)))
    elif grouping == "dw":
        filters = cin * draw(st.integers(1, max(1, MAX_CHANNELS // cin)))
        options.append((" dw",))
    else:
        filters = draw(st.integers(1, MAX_CHANNELS))
    bias = draw(st.booleans())
    if not bias:
        options.append((" nobias",))
    same, depthwise, causal = mode == "same", grouping == "dw", mode == "causal"

    def apply(inp: Dims) -> Dims:
        if len(inp) - 1 != rank:
            raise Invalid("kernel rank differs from the input rank")
        if causal:  # all padding before: (n + d*(k - 1) - d*(k - 1) - 1)//s + 1
            (n,), (s,) = inp[:-1], stride
            return (ceil_div(n, s), filters)
        c = inp[-1]
        g = c if depthwise else groups
        if c % g or filters % g:
            raise Invalid("channels not divisible by groups")
        out = []
        for n, k, p, s, d in zip(inp[:-1], kernel, pad, stride, dilation):
            if same:
                out.append(ceil_div(n, s))
                continue
            span = d * (k - 1) + 1
            if n + 2 * p < span:
                raise Invalid("kernel larger than the padded input")
            out.append((n + 2 * p - span) // s + 1)
        return (*out, filters)

    parts = (keyword, *sizes(draw, [*kernel, filters]))
    return Drawn(parts + tuple(p for opt in draw(st.permutations(options)) for p in opt), apply)


def draw_window_pool(draw: Draw, shape: Dims, keyword: str) -> Drawn:
    """maxpool/avgpool: window per dim or one, stride, pad <= k/2 or same or valid, ceil."""
    spatial, rank = list(shape[:-1]), len(shape) - 1
    options: list[tuple[Part, ...]] = []
    mode = draw(st.sampled_from(["default", "valid", "pad", "same"]))
    # PyTorch's 3D average pooling wants the unpadded input to hold a window.
    unpadded = keyword == "avgpool" and rank == 3
    wide = mode == "same" or (mode == "pad" and not unpadded)
    window, window_written = per_dim(draw, [(1, 4 if wide else min(4, n)) for n in spatial])
    pad = [0] * rank
    if mode == "pad":
        # PyTorch wants pad <= k/2, and the padded input must hold one window.
        bounds = [(max(0, ceil_div(k - n, 2)), k // 2) for n, k in zip(spatial, window)]
        pad, written = per_dim(draw, bounds)
        options.append(option(draw, ["pad", "padding"], sizes(draw, written, zero_ok=True)))
    elif mode == "same":
        options.append(flag(draw, ["same", "pad=same", "padding=same"]))
    elif mode == "valid":
        options.append(flag(draw, ["valid", "padding=valid"]))
    stride_written: list[int] | None = None
    if draw(st.booleans()):
        _, stride_written = per_dim(draw, [(1, 3)] * rank)
        options.append(option(draw, ["stride", "s"], sizes(draw, stride_written)))
    ceil = mode != "same" and draw(st.booleans())  # 'same' and 'ceil' contradict
    if ceil:
        options.append((" ceil",))
    pad_written = pad if mode == "pad" else [0]
    same = mode == "same"

    def apply(inp: Dims) -> Dims:
        sp = spatial_of(inp)
        ks = spread(window_written, len(sp))
        ss = spread(stride_written, len(sp)) if stride_written else ks
        ps = spread(pad_written, len(sp))
        out = []
        for n, k, s, p in zip(sp, ks, ss, ps):
            if same:
                out.append(ceil_div(n, s))
                continue
            if 2 * p > k or n + 2 * p < k or (unpadded and n < k):
                raise Invalid("pad more than half the window, or window larger than the input")
            if ceil:
                size = ceil_div(n + 2 * p - k, s) + 1
                # PyTorch drops a last window that would start in the right padding.
                out.append(size - 1 if (size - 1) * s >= n + p else size)
            else:
                out.append((n + 2 * p - k) // s + 1)
        return (*out, inp[-1])

    parts = (keyword, *sizes(draw, window_written))
    return Drawn(parts + tuple(p for opt in draw(st.permutations(options)) for p in opt), apply)


def draw_global_pool(draw: Draw, shape: Dims, keyword: str) -> Drawn:
    """globalavgpool / gap / globalmaxpool: a flat vector of the channels."""

    def apply(inp: Dims) -> Dims:
        spatial_of(inp)
        return (inp[-1],)

    return Drawn((keyword,), apply)


def draw_adaptive_pool(draw: Draw, shape: Dims, keyword: str) -> Drawn:
    """adaptiveavgpool/adaptivemaxpool to a size per dim or one (may exceed the input)."""
    spatial, rank = list(shape[:-1]), len(shape) - 1
    _, written = per_dim(draw, [(1, min(n + 2, MAX_SIDE[rank])) for n in spatial])

    def apply(inp: Dims) -> Dims:
        return (*spread(written, len(spatial_of(inp))), inp[-1])

    return Drawn((keyword, *sizes(draw, written)), apply)


def draw_flatten(draw: Draw, shape: Dims, keyword: str) -> Drawn:
    """flatten: any input to a flat vector."""
    return Drawn((keyword,), lambda inp: (prod(inp),))


def draw_dense(draw: Draw, shape: Dims, keyword: str) -> Drawn:
    """dense/fc/linear on a flat input, with or without bias."""
    units = draw(st.integers(1, 16))
    nobias: tuple[Part, ...] = (" nobias",) if draw(st.booleans()) else ()

    def apply(inp: Dims) -> Dims:
        if len(inp) != 1:
            raise Invalid("dense needs a flat input")
        return (units,)

    return Drawn((keyword, Num(units), *nobias), apply)


def draw_same_shape(draw: Draw, shape: Dims, keyword: str) -> Drawn:
    """A layer that keeps any shape: activations, batchnorm."""
    return Drawn((keyword,), lambda inp: inp)


def draw_relu(draw: Draw, shape: Dims, keyword: str) -> Drawn:
    """relu, or relu clipped at a cap (relu6)."""
    cap = draw(st.sampled_from(["", "6", "6", "1", "20"]))
    return Drawn((keyword + cap,), lambda inp: inp)


def draw_dropout(draw: Draw, shape: Dims, keyword: str) -> Drawn:
    """dropout, with or without a probability (never a symbol)."""
    p = draw(st.sampled_from(["", "0.5", "0", "0.1", "0.25", "1"]))
    return Drawn((keyword + p,), lambda inp: inp)


def draw_lrn(draw: Draw, shape: Dims, keyword: str) -> Drawn:
    """lrn or lrn<size> on a spatial input."""
    size: tuple[Part, ...] = (Num(draw(st.integers(1, 7))),) if draw(st.booleans()) else ()

    def apply(inp: Dims) -> Dims:
        spatial_of(inp)
        return inp

    return Drawn((keyword, *size), apply)


def draw_zeropad(draw: Draw, shape: Dims, keyword: str) -> Drawn:
    """zeropad<p> or one value per dim, 0 allowed."""
    spatial, rank = list(shape[:-1]), len(shape) - 1
    _, written = per_dim(draw, [(0, min(2, room(n, rank))) for n in spatial])

    def apply(inp: Dims) -> Dims:
        sp = spatial_of(inp)
        return (*(n + 2 * p for n, p in zip(sp, spread(written, len(sp)))), inp[-1])

    return Drawn((keyword, *sizes(draw, written, zero_ok=True)), apply)


#: The interpolating upsampling modes of each spatial rank (nearest fits every rank).
UPSAMPLE_MODES = {1: ["linear"], 2: ["bilinear", "bicubic"], 3: ["trilinear"]}


def draw_upsample(draw: Draw, shape: Dims, keyword: str) -> Drawn:
    """upsample<f> or one factor per dim, keeping sizes under the soft cap; nearest (plain
    or written), or a mode of the input's rank, with or without aligncorners."""
    spatial, rank = list(shape[:-1]), len(shape) - 1
    _, written = per_dim(draw, [(1, max(1, min(3, MAX_SIDE[rank] // n))) for n in spatial])
    mode = draw(st.sampled_from(["", "nearest", *UPSAMPLE_MODES[rank]]))
    options: tuple[Part, ...] = (f" {mode}",) if mode else ()
    if mode not in ("", "nearest") and draw(st.booleans()):
        options += (" aligncorners",)

    def apply(inp: Dims) -> Dims:
        sp = spatial_of(inp)
        if mode not in ("", "nearest") and mode not in UPSAMPLE_MODES[len(sp)]:
            raise Invalid(f"{mode} upsampling on a {len(sp)}D input")
        return (*(n * f for n, f in zip(sp, spread(written, len(sp)))), inp[-1])

    return Drawn((keyword, *sizes(draw, written), *options), apply)


def _divisors(n: int, most: int) -> list[int]:
    """The divisors of ``n`` up to ``most``."""
    return [d for d in range(1, min(n, most) + 1) if n % d == 0]


def draw_reshape(draw: Draw, shape: Dims, keyword: str) -> Drawn:
    """reshape to a shape of the same element count: flat, or 1 to 3 spatial dims (each a
    divisor of what is left, within the soft cap) and the rest as channels."""
    count = prod(shape)
    rank = draw(st.sampled_from([1, 2, 0, 3]))
    target: list[int] = []
    left = count
    for _ in range(rank):
        side = draw(st.sampled_from(_divisors(left, MAX_SIDE[rank])))
        target.append(side)
        left //= side
    target.append(left)

    def apply(inp: Dims) -> Dims:
        if prod(inp) != count:
            raise Invalid("reshape to another element count")
        return tuple(target)

    sep = draw(st.sampled_from(["x", "×"]))
    return Drawn((keyword, sep.join(map(str, target))), apply)


def draw_crop(draw: Draw, shape: Dims, keyword: str) -> Drawn:
    """crop<c> or one value per dim, 0 allowed, leaving at least one position."""
    _, written = per_dim(draw, [(0, min(3, (n - 1) // 2)) for n in shape[:-1]])

    def apply(inp: Dims) -> Dims:
        sp = spatial_of(inp)
        out = [n - 2 * c for n, c in zip(sp, spread(written, len(sp)))]
        if min(out) < 1:
            raise Invalid("a crop larger than the map")
        return (*out, inp[-1])

    return Drawn((keyword, *sizes(draw, written, zero_ok=True)), apply)


def draw_shuffle(draw: Draw, shape: Dims, keyword: str) -> Drawn:
    """shuffle<g>, g a divisor of the channels."""
    groups = draw(st.sampled_from(_divisors(shape[-1], shape[-1])))

    def apply(inp: Dims) -> Dims:
        spatial_of(inp)
        if inp[-1] % groups:
            raise Invalid("shuffle groups that do not divide the channels")
        return inp

    return Drawn((keyword, Num(groups)), apply)


def draw_leakyrelu(draw: Draw, shape: Dims, keyword: str) -> Drawn:
    """leakyrelu, or leakyrelu with a slope from 0 to 1 (never a symbol)."""
    slope = draw(st.sampled_from(["", "0.2", "0.1", "0", "1", "0.01", "0.3"]))
    return Drawn((keyword + slope,), lambda inp: inp)


def draw_layernorm(draw: Draw, shape: Dims, keyword: str) -> Drawn:
    """layernorm / ln on any input, with or without its shift."""
    nobias: tuple[Part, ...] = (" nobias",) if draw(st.booleans()) else ()
    return Drawn((keyword, *nobias), lambda inp: inp)


def _group_values(shape: Dims, groups: int) -> int:
    """Values in one group of channels of one sample: C/g channels at every position."""
    return shape[-1] // groups * prod(shape[:-1])


def draw_groupnorm(draw: Draw, shape: Dims, keyword: str) -> Drawn:
    """groupnorm<g>, g a divisor of the channels leaving 2 or more values in a group, with or
    without its shift."""
    c = shape[-1]
    fitting = [g for g in range(1, c + 1) if c % g == 0 and _group_values(shape, g) >= 2]
    groups = draw(st.sampled_from(fitting))
    nobias: tuple[Part, ...] = (" nobias",) if draw(st.booleans()) else ()

    def apply(inp: Dims) -> Dims:
        if inp[-1] % groups or _group_values(inp, groups) < 2:
            raise Invalid("channels not divisible by groups, or one value in a group")
        return inp

    return Drawn((keyword, Num(groups), *nobias), apply)


def _positions(shape: Dims) -> int:
    """Positions per channel of a map (0 for a flat vector, which has none)."""
    return prod(shape[:-1]) if len(shape) > 1 else 0


def draw_instancenorm(draw: Draw, shape: Dims, keyword: str) -> Drawn:
    """instancenorm on a map of two or more positions: plain, affine, affine nobias."""
    options = draw(st.sampled_from(["", " affine", " affine nobias", " nobias affine"]))

    def apply(inp: Dims) -> Dims:
        if _positions(inp) < 2:
            raise Invalid("instance norm needs two or more positions")
        return inp

    return Drawn((keyword + options,), apply)


def draw_prelu(draw: Draw, shape: Dims, keyword: str) -> Drawn:
    """prelu with one slope, or one per channel."""
    return Drawn((keyword + draw(st.sampled_from(["", " channelwise"])),), lambda inp: inp)


def draw_droppath(draw: Draw, shape: Dims, keyword: str) -> Drawn:
    """droppath<p> (never a symbol)."""
    p = draw(st.sampled_from(["0.1", "0", "0.2", "0.5", "1", "0.05"]))
    return Drawn((keyword + p,), lambda inp: inp)


def _kind(
    cls: type[Layer],
    needs: str | None,
    fn: Callable[[Draw, Dims, str], Drawn],
    fits: Callable[[Dims], bool] | None = None,
) -> Any:
    return cls, LayerStrategy((cls.keyword, *cls.aliases), needs, fn, fits)


def draw_deconv(draw: Draw, shape: Dims, keyword: str) -> Drawn:
    """deconv on a 1D/2D/3D input: kernel per dim, stride, dilation, pad and outpad (torch's)
    or Keras' same/valid, groups, nobias. The model is the textbook formula:
    out = (n - 1)*s - 2*pad + d*(k - 1) + outpad + 1; same: n*s; valid: n*s + max(K - s, 0)."""
    spatial, cin, rank = list(shape[:-1]), shape[-1], len(shape) - 1
    options: list[tuple[Part, ...]] = []
    mode = draw(st.sampled_from(["default", "pad", "outpad", "same", "valid"]))
    stride, stride_written = [1] * rank, [1]
    if draw(st.booleans()):
        bounds = [(1, max(1, min(3, MAX_SIDE[rank] // n))) for n in spatial]
        stride, stride_written = per_dim(draw, bounds)
        options.append(option(draw, ["stride", "s"], sizes(draw, stride_written)))
    dilation, dilation_written = [1] * rank, [1]
    if draw(st.booleans()):
        dilation, dilation_written = per_dim(draw, [(1, 2)] * rank)
        options.append(option(draw, ["dilation", "d"], sizes(draw, dilation_written)))
    kernel = [draw(st.integers(1, 4)) for _ in spatial]
    outpad_written: list[int] = [0]
    if mode == "outpad":
        limits = [(0, max(s, d) - 1) for s, d in zip(stride, dilation)]
        outpad, outpad_written = per_dim(draw, limits)
        options.append(option(draw, ["outpad"], sizes(draw, outpad_written, zero_ok=True)))
    pad_written: list[int] = [0]
    if mode in ("pad", "outpad") and draw(st.booleans()):
        # The output must keep at least one element: 2*pad <= (n - 1)*s + K + outpad - 1.
        ops = spread(outpad_written, rank)
        bounds = [
            (0, min(2, ((n - 1) * s + d * (k - 1) + op) // 2))
            for n, k, s, d, op in zip(spatial, kernel, stride, dilation, ops)
        ]
        _, pad_written = per_dim(draw, bounds)
        options.append(option(draw, ["pad", "padding"], sizes(draw, pad_written, zero_ok=True)))
    if mode == "same":
        options.append(flag(draw, ["same", "pad=same", "padding=same"]))
    elif mode == "valid":
        options.append(flag(draw, ["valid", "pad=valid", "padding=valid"]))
    groups = 1
    if draw(st.booleans()):
        groups = draw(st.sampled_from([g for g in range(1, cin + 1) if cin % g == 0]))
        filters = groups * draw(st.integers(1, max(1, MAX_CHANNELS // groups)))
        options.append(option(draw, ["groups", "g"], (Num(groups),)))
    else:
        filters = draw(st.integers(1, MAX_CHANNELS))
    if not draw(st.booleans()):
        options.append((" nobias",))

    def apply(inp: Dims) -> Dims:
        if len(inp) - 1 != rank:
            raise Invalid("kernel rank differs from the input rank")
        if inp[-1] % groups or filters % groups:
            raise Invalid("channels not divisible by groups")
        out = []
        values = zip(
            inp[:-1],
            kernel,
            spread(stride_written, rank),
            spread(dilation_written, rank),
            spread(pad_written, rank),
            spread(outpad_written, rank),
        )
        for n, k, s, d, p, op in values:
            span = d * (k - 1) + 1
            if mode == "same":
                size = n * s
            elif mode == "valid":
                size = n * s + max(span - s, 0)
            else:
                size = (n - 1) * s - 2 * p + span + op
            if size < 1:
                raise Invalid("padding leaves no output")
            out.append(size)
        return (*out, filters)

    parts = (keyword, *sizes(draw, [*kernel, filters]))
    return Drawn(parts + tuple(p for opt in draw(st.permutations(options)) for p in opt), apply)


#: One strategy per layer class. A class missing here fails the completeness test.
LAYER_STRATEGIES: dict[type[Layer], LayerStrategy] = dict(
    [
        _kind(conv.Conv, "spatial", draw_conv),
        _kind(pool.MaxPool, "spatial", draw_window_pool),
        _kind(pool.AvgPool, "spatial", draw_window_pool),
        _kind(pool.GlobalAvgPool, "spatial", draw_global_pool),
        _kind(pool.GlobalMaxPool, "spatial", draw_global_pool),
        _kind(pool.AdaptiveAvgPool, "spatial", draw_adaptive_pool),
        _kind(pool.AdaptiveMaxPool, "spatial", draw_adaptive_pool),
        _kind(reshape.Flatten, None, draw_flatten),
        _kind(reshape.Identity, None, draw_same_shape),
        _kind(reshape.ZeroPad, "spatial", draw_zeropad),
        _kind(reshape.Upsample, "spatial", draw_upsample),
        _kind(reshape.Reshape, None, draw_reshape),
        _kind(reshape.Crop, "spatial", draw_crop),
        _kind(reshape.ChannelShuffle, "spatial", draw_shuffle),
        _kind(dense.Dense, "flat", draw_dense),
        _kind(norm.BatchNorm, None, draw_same_shape),
        _kind(norm.LocalResponseNorm, "spatial", draw_lrn),
        _kind(activation.Dropout, None, draw_dropout),
        _kind(activation.ReLU, None, draw_relu),
        _kind(activation.Sigmoid, None, draw_same_shape),
        _kind(activation.Tanh, None, draw_same_shape),
        _kind(activation.Softmax, None, draw_same_shape),
        _kind(activation.LeakyReLU, None, draw_leakyrelu),
        _kind(activation.GELU, None, draw_same_shape),
        _kind(activation.ELU, None, draw_same_shape),
        _kind(activation.SiLU, None, draw_same_shape),
        _kind(activation.Hardswish, None, draw_same_shape),
        _kind(activation.Hardsigmoid, None, draw_same_shape),
        _kind(norm.LayerNorm, None, draw_layernorm),
        _kind(norm.GroupNorm, None, draw_groupnorm, lambda s: prod(s) >= 2),
        _kind(norm.InstanceNorm, "spatial", draw_instancenorm, lambda s: _positions(s) >= 2),
        _kind(norm.LayerScale, None, draw_same_shape),
        _kind(activation.PReLU, None, draw_prelu),
        _kind(activation.Mish, None, draw_same_shape),
        _kind(activation.Softplus, None, draw_same_shape),
        _kind(activation.DropPath, None, draw_droppath),
        _kind(deconv.Deconv, "spatial", draw_deconv),
    ]
)


#: Kinds drawn more often in whole specs, for their many options.
WEIGHTY = (conv.Conv, pool.MaxPool, pool.AvgPool, dense.Dense)


# -- shapes, layers, groups, whole specs ---------------------------------------------------


@st.composite
def input_shapes(draw: Draw, rank: int | None = None) -> Dims:
    """An input shape, channels last: flat, 1D (L x C), 2D (H x W x C) or 3D (D x H x W x C)."""
    if rank is None:
        rank = draw(st.sampled_from([2, 1, 0, 3]))
    if rank == 0:
        return (draw(st.integers(1, 64)),)
    side = st.integers(1, MAX_SIDE[rank])
    channels = st.integers(1, 4 if rank == 3 else MAX_CHANNELS)
    return (*(draw(side) for _ in range(rank)), draw(channels))


def draw_layer(draw: Draw, shape: Dims, cls: type[Layer] | None = None) -> Drawn:
    """One layer that applies to ``shape`` (of class ``cls`` when given)."""
    if cls is None:
        kinds = [c for c, s in LAYER_STRATEGIES.items() if s.applies(shape)]
        # Layers with many options come up more often than the eight activations.
        kinds += [c for c in WEIGHTY for _ in range(3) if c in kinds]
        cls = draw(st.sampled_from(kinds))
    strategy = LAYER_STRATEGIES[cls]
    return strategy.draw(draw, shape, draw(st.sampled_from(strategy.keywords)))


def _fits(shape: Dims) -> bool:
    return len(shape) == 1 or all(n <= HARD_SIDE[len(shape) - 1] for n in shape[:-1])


def draw_group(draw: Draw, shape: Dims, sep: str, depth: int) -> Drawn:
    """``(a | b)xN``: the count is cut down to the repeats that stay valid and small.

    ``depth`` counts the groups that may still nest inside this one.
    """
    body = [draw_item(draw, shape, sep, depth - 1)]
    for _ in range(draw(st.integers(0, 2))):
        shape_now = _apply_all(body, shape)
        body.append(draw_item(draw, shape_now, sep, depth - 1))
    count = draw(st.integers(1, 3))
    current = _apply_all(body, shape)
    for i in range(1, count):
        try:
            current = _apply_all(body, current)
        except Invalid:
            count = i
            break
        if not _fits(current):
            count = i
            break
    body_parts: list[Part] = []
    for i, item in enumerate(body):
        if i:
            body_parts.append(sep)
        body_parts.extend(item.parts)
    times = draw(st.sampled_from(["x", "×"]))
    final = count

    def apply(inp: Dims) -> Dims:
        for _ in range(final):
            inp = _apply_all(body, inp)
        return inp

    return Drawn(("(", *body_parts, ")", f"{times}{count}"), apply)


def _apply_all(items: Sequence[Drawn], shape: Dims) -> Dims:
    for item in items:
        shape = item.apply(shape)
    return shape


def draw_item(draw: Draw, shape: Dims, sep: str, depth: int) -> Drawn:
    """A layer, or now and then a repeated group or a res/concat block (nesting ``depth``
    groups and blocks at most)."""
    choice = draw(st.integers(0, 6)) if depth > 0 else 6
    if choice == 0:
        return draw_group(draw, shape, sep, depth)
    if choice == 1:
        return draw_branch(draw, shape, sep, depth)
    return draw_layer(draw, shape)


def _joined(items: Sequence[Drawn], sep: str) -> tuple[Part, ...]:
    parts: list[Part] = []
    for i, item in enumerate(items):
        if i:
            parts.append(sep)
        parts.extend(item.parts)
    return tuple(parts)


def _draw_path(draw: Draw, shape: Dims, sep: str, depth: int) -> list[Drawn]:
    items = [draw_item(draw, shape, sep, depth - 1)]
    if draw(st.booleans()):
        items.append(draw_item(draw, _apply_all(items, shape), sep, depth - 1))
    return items


def _projection(draw: Draw, inp: Dims, out: Dims) -> Drawn | None:
    """A 1x1 convolution (dense on vectors) taking ``inp`` to ``out``, when a stride per dim
    gives each size: ``floor((n - 1)/s) + 1 = m``."""
    if len(inp) != len(out):
        return None
    if len(inp) == 1:
        units = out[0]
        return Drawn(("dense", Num(units)), lambda shape: (units,))
    strides = []
    for n, m in zip(inp[:-1], out[:-1]):
        found = [s for s in range(1, n + 1) if (n - 1) // s + 1 == m]
        if not found:
            return None
        strides.append(found[0])
    rank, filters = len(inp) - 1, out[-1]

    def apply(shape: Dims) -> Dims:
        if len(shape) - 1 != rank:
            raise Invalid("kernel rank differs from the input rank")
        return (*((n - 1) // s + 1 for n, s in zip(shape[:-1], strides)), filters)

    parts: tuple[Part, ...] = ("conv", *sizes(draw, [1] * rank + [filters]))
    if any(s != 1 for s in strides):
        parts += (" s", *sizes(draw, strides))
    return Drawn(parts, apply)


def draw_branch(draw: Draw, shape: Dims, sep: str, depth: int) -> Drawn:
    """``res( main [; shortcut] )`` or ``concat( a ; b [; c] )`` whose paths agree.

    A res keeps its identity shortcut when the main path keeps the shape, else gets a 1x1
    projection (or, when no stride fits, a copy of the main path); a concat's further
    branches are drawn and kept when their spatial size agrees, else replaced by
    ``identity`` (or a copy of the first). A ``mul`` gates its input with its path when the
    path's output broadcasts with it (each dim equal, or 1 in one of them), else multiplies
    two copies of the path."""
    kinds = ["res", "concat", "mul"] + (["split"] if shape[-1] % 2 == 0 else [])
    kind = draw(st.sampled_from(kinds))
    semi = draw(st.sampled_from([" ; ", "; ", " ;\n  "]))
    if kind == "split":
        return _draw_split(draw, shape, sep, depth, semi)
    main = _draw_path(draw, shape, sep, depth)
    out = _apply_all(main, shape)
    paths = [main]
    if kind == "res":
        if out != shape or draw(st.booleans()):
            projection = _projection(draw, shape, out) if draw(st.booleans()) else None
            paths.append([projection] if projection is not None else main)
    elif kind == "mul":
        if not _broadcasts(out, shape) or draw(st.booleans()):
            paths.append(main)
    else:
        for _ in range(draw(st.integers(1, 2))):
            other = _draw_path(draw, shape, sep, depth)
            got = _apply_all(other, shape)
            if len(got) != len(out) or got[:-1] != out[:-1]:
                keeps = len(shape) == len(out) and shape[:-1] == out[:-1]
                other = [Drawn(("identity",), lambda inp: inp)] if keeps else main
            paths.append(other)
    body: list[Part] = [kind, "("]
    for i, path in enumerate(paths):
        if i:
            body.append(semi)
        body.extend(_joined(path, sep))
    body.append(")")
    identity = kind in ("res", "mul") and len(paths) == 1

    def apply(inp: Dims) -> Dims:
        outs = [_apply_all(path, inp) for path in paths] + ([inp] if identity else [])
        first = outs[0]
        if kind == "mul":
            result = first
            for other in outs[1:]:
                if not _broadcasts(result, other):
                    raise Invalid("the paths of a mul block do not broadcast")
                result = tuple(b if a == 1 else a for a, b in zip(result, other))
            return result
        cut = None if kind == "res" else -1  # res: the whole shape; concat: spatial dims
        for other in outs[1:]:
            if len(other) != len(first) or other[:cut] != first[:cut]:
                raise Invalid("the paths of a block disagree")
        if kind == "res":
            return first
        return (*first[:-1], sum(o[-1] for o in outs))

    return Drawn(tuple(body), apply)


def _draw_split(draw: Draw, shape: Dims, sep: str, depth: int, semi: str) -> Drawn:
    """``split( a ; b [; c] )``: each path drawn on its equal part of the channels (the
    count of paths divides them), kept when its spatial size agrees with the first's, else
    replaced by ``identity``."""
    counts = [n for n in (2, 3) if shape[-1] % n == 0]
    count = draw(st.sampled_from(counts))
    part = (*shape[:-1], shape[-1] // count)
    paths = [_draw_path(draw, part, sep, depth)]
    first = _apply_all(paths[0], part)
    for _ in range(count - 1):
        other = _draw_path(draw, part, sep, depth)
        got = _apply_all(other, part)
        if len(got) != len(first) or got[:-1] != first[:-1]:
            keeps = len(part) == len(first) and part[:-1] == first[:-1]
            other = [Drawn(("identity",), lambda inp: inp)] if keeps else paths[0]
        paths.append(other)
    body: list[Part] = ["split", "("]
    for i, path in enumerate(paths):
        if i:
            body.append(semi)
        body.extend(_joined(path, sep))
    body.append(")")

    def apply(inp: Dims) -> Dims:
        if inp[-1] % count:
            raise Invalid("the paths of a split do not divide the channels")
        part = (*inp[:-1], inp[-1] // count)
        outs = [_apply_all(path, part) for path in paths]
        for other in outs[1:]:
            if len(other) != len(outs[0]) or other[:-1] != outs[0][:-1]:
                raise Invalid("the paths of a split disagree")
        return (*outs[0][:-1], sum(o[-1] for o in outs))

    return Drawn(tuple(body), apply)


def _broadcasts(a: Dims, b: Dims) -> bool:
    """Whether two shapes multiply elementwise, as torch broadcasts: the same rank, each dim
    equal or 1 in one of them."""
    return len(a) == len(b) and all(x == y or 1 in (x, y) for x, y in zip(a, b))


@st.composite
def specs(draw: Draw, max_items: int = 6, max_depth: int = 2) -> GeneratedSpec:
    """A valid concrete spec of 1 to ``max_items`` items after the input shape, with groups
    nested ``max_depth`` deep at most."""
    shape = draw(input_shapes())
    sep = draw(st.sampled_from([" | ", "\n", " |\n  "]))
    parts: list[Part] = list(sizes(draw, shape))
    inputs = len(parts)
    for _ in range(draw(st.integers(1, max_items))):
        item = draw_item(draw, shape, sep, max_depth)
        shape = item.apply(shape)
        parts.extend((sep, *item.parts))
    return GeneratedSpec(tuple(parts), shape, inputs)


@st.composite
def single_layers(draw: Draw, cls: type[Layer]) -> GeneratedSpec:
    """One layer of class ``cls`` on an input it applies to."""
    strategy = LAYER_STRATEGIES[cls]
    ranks = [r for r in (0, 1, 2, 3) if strategy.applies((2,) * (r + 1))]
    shape = draw(input_shapes(draw(st.sampled_from(ranks))).filter(strategy.applies))
    item = draw_layer(draw, shape, cls)
    inputs = sizes(draw, shape)
    return GeneratedSpec((*inputs, " | ", *item.parts), item.apply(shape), len(inputs))


@st.composite
def transplanted_layers(draw: Draw) -> tuple[str, Dims, Dims]:
    """A layer drawn for one input, to be tried on another that it may or may not fit.

    Returns the layer text, the input it was drawn for, and another input: any kind (flat or
    1D/2D/3D), often small or with other channels, so that many layers no longer apply.
    """
    good = draw(input_shapes())
    item = draw_layer(draw, good)
    rank = draw(st.sampled_from([len(good) - 1, 0, 1, 2, 3]))
    if draw(st.booleans()):
        other = draw(input_shapes(rank))
    else:
        other = tuple(draw(st.integers(1, 4)) for _ in range(rank)) + (draw(st.integers(1, 8)),)
    return render(item.parts), good, other


def spec_texts(max_items: int = 6, max_depth: int = 2) -> st.SearchStrategy[str]:
    """The text of valid concrete specs (see :func:`specs`)."""
    return specs(max_items=max_items, max_depth=max_depth).map(lambda spec: spec.text)


__all__ = [
    "LAYER_STRATEGIES",
    "Dims",
    "Draw",
    "GeneratedSpec",
    "LayerStrategy",
    "Num",
    "input_shapes",
    "render",
    "single_layers",
    "spec_texts",
    "specs",
    "transplanted_layers",
]
