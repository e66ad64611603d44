"""Transposed convolution (1D, 2D and 3D, by the rank of the input).

Per spatial dim, with dilated kernel ``K = d·(k − 1) + 1``, the *full* transposed
convolution of an input of size ``n`` has ``(n − 1)·s + K`` positions: input element ``i``
adds its value times tap ``t`` of the kernel at position ``i·s + t·d``. The layer's output is
a window of that full output, starting at position ``c`` (the crop before):

- torch's ``padding`` p and ``output_padding`` op: ``c = p`` and
  ``out = (n − 1)·s − 2p + K + op`` (the output padding extends the end; positions past the
  full output get only the bias). torch requires ``op < s`` or ``op < d``, and ``out >= 1``.
- Keras' ``padding="same"``: ``out = n·s``; the full output is cropped by
  ``max(K − s, 0)``, split as TensorFlow (and Keras on every backend) splits it, the odd
  pixel at the end: ``c = max(K − s, 0) // 2``; when ``K < s`` the end is extended by
  ``s − K`` instead.
- Keras' ``padding="valid"``: ``c = 0`` and ``out = n·s + max(K − s, 0)``, i.e. torch's with
  ``output_padding = max(s − K, 0)``.

The receptive field window of output ``o`` (see :mod:`shapecalc.costs`): it takes input ``i``
when ``o + c = i·s + t·d`` for a tap ``t``, so ``(o + c − K + 1)/s <= i <= (o + c)/s``: a
window of size ``(K − 1)/s + 1`` with stride ``1/s`` and padding ``(K − 1 − c)/s``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import LayerError, TorchError
from ..shape import Shape
from ..symbolic import Dim, at_least, divides, exact_div, floor_div, fmt, product, ratio, sp
from ..symbolic import times as dim_times
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
from ..working import Call, Num, Quot, Step, Sum, Term, Var, formula, minus, plus, working
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
from .conv import effective_kernel, kernel_volume


def _nonnegative(value: Dim) -> Dim:
    """``max(value, 0)``, decided when it can be, else a sympy Max."""
    verdict = at_least(value, 0)
    if verdict is True:
        return value
    if verdict is False:
        return 0
    return sp().Max(value, 0)


def keras_crop(kernel: Dim, stride: Dim) -> tuple[Dim, Dim]:
    """Keras ``same``: the (before, after) crop of the full output, ``max(K − s, 0)`` split
    with the odd pixel after (TensorFlow's split); ``kernel`` is the dilated kernel."""
    total = _nonnegative(kernel - stride)
    before = floor_div(total, 2)
    return before, total - before


def keras_same_torch(kernel: int, stride: int) -> tuple[int, int, int]:
    """Keras ``same`` for torch, per dim: (padding, output_padding, crop at the end).

    An even ``K − s`` is torch's padding ``(K − s)/2``; an odd one is padding
    ``(K − s − 1)/2`` and one more position cropped at the end (torch crops both sides alike
    and can only extend the end); ``K < s`` is output_padding ``s − K``.

    >>> keras_same_torch(4, 2), keras_same_torch(5, 2), keras_same_torch(1, 3)
    ((1, 0, 0), (1, 0, 1), (0, 2, 0))
    """
    if kernel < stride:
        return 0, stride - kernel, 0
    before, after = keras_crop(kernel, stride)
    return int(before), 0, int(after) - int(before)


@register
@dataclass(frozen=True)
class Deconv(Layer):
    """Transposed convolution: ``deconv<k>x<k>x<filters>``, one kernel size per spatial dim.

    Also called fractionally strided convolution or (loosely) deconvolution, as in DCGAN and
    U-Net: ``deconv4x4x512 stride2 pad1`` doubles an image. ``pad`` and ``outpad`` are torch's
    ``padding`` and ``output_padding``; ``same`` and ``valid`` are Keras' Conv2DTranspose's.
    """

    keyword = "deconv"
    aliases = ("convtranspose", "tconv")
    kind = "conv"
    title = "Deconv"
    drawing_spreads = True
    torch_classes = ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")
    options = {
        "valid": Option("Keras' padding='valid': out = in*stride + max(k - stride, 0)"),
        "same": Option(
            "Keras' padding='same': out = in*stride, cropping max(k - stride, 0); "
            "the odd pixel at the end"
        ),
        "pad": Option(
            "torch's padding, cropped from both sides, one value or one per dim: pad1, pad1x2",
            True,
            True,
        ),
        "outpad": Option(
            "torch's output_padding, added at the end; smaller than the stride or the "
            "dilation: outpad1",
            True,
            True,
        ),
        "stride": Option("step, one value or one per dim: stride2, s2, stride2x1", True),
        "dilation": Option("spacing of kernel taps: dilation2, d2", True),
        "groups": Option("grouped: groups4, g4", True),
        "nobias": Option("no bias terms"),
    }
    formula = (
        "out = (in - 1)*stride - 2*pad + dilation*(k - 1) + outpad + 1; "
        "same: out = in*stride; valid: out = in*stride + max(dilation*(k - 1) + 1 - stride, 0). "
        "params = (prod(k) * filters / groups) * C_in + filters (no + filters with nobias)"
    )
    examples = (
        Example("4x4x512", "deconv4x4x256 stride2 pad1", "8x8x256", 2_097_408),
        Example("1x1x100", "deconv4x4x512 nobias", "4x4x512", 819_200),
        Example("7x7x64", "deconv5x5x32 stride2 same", "14x14x32", 51_232),
        Example("7x7x64", "deconv3x3x32 stride2 valid", "15x15x32", 18_464),
        Example("50x16", "deconv4x8 stride2 pad1", "100x8", 520),
        Example("4x4x4x8", "deconv3x3x3x4 stride2 pad1 outpad1", "8x8x8x4", 868),
        Example("8x8x8", "deconv3x3x16 groups4 dilation2 nobias", "12x12x16", 288),
    )

    kernel: tuple[Dim, ...]
    filters: Dim
    mode: str = "torch"
    pad: tuple[Dim, ...] | None = None
    outpad: tuple[Dim, ...] | None = None
    stride: tuple[Dim, ...] = (1,)
    dilation: tuple[Dim, ...] = (1,)
    groups: Dim = 1
    bias: bool = True

    @classmethod
    def from_spec(cls, reader: SpecReader) -> Deconv:
        params = reader.params(
            range(2, 5), "deconv<k>x<filters> (1D), deconv<k>x<k>x<filters> (2D)"
        )
        given = sorted(
            (name for name in ("same", "valid", "pad", "outpad") if reader.flag(name)),
            key=lambda name: reader.option_span(name).start,  # type: ignore[union-attr]
        )
        if any(name in ("same", "valid") for name in given) and len(given) > 1:
            span = reader.option_span(given[1])
            assert span is not None
            raise reader.error(f"{given[0]!r} and {given[1]!r} contradict each other", span)
        mode = "same" if reader.flag("same") else "valid" if reader.flag("valid") else "torch"
        return cls(
            kernel=tuple(reader.dim(v, what="kernel size") for v in params[:-1]),
            filters=reader.dim(params[-1], what="filters"),
            mode=mode,
            pad=reader.values("pad"),
            outpad=reader.values("outpad"),
            stride=reader.values("stride") or (1,),
            dilation=reader.values("dilation") or (1,),
            groups=(reader.values("groups") or (1,))[0],
            bias=not reader.flag("nobias"),
        )

    def _check_rank(self, inp: Shape) -> None:
        rank = len(self.kernel)
        require_spatial(self.keyword, inp)
        if rank == inp.spatial_rank:
            return
        form = "deconv" + "<k>x" * inp.spatial_rank + "<filters>"
        if inp.spatial_rank == 1 and rank == 2:
            hint = f"for one channel write the input as {inp}x1"
        elif rank == inp.spatial_rank + 1:
            spatial = sizes_text((*self.kernel[:-1], self.filters))
            hint = (
                "the kernel lists only spatial sizes, channels come from the input: "
                f"deconv{spatial}"
            )
        else:
            hint = f"write {form} for a {inp.spatial_rank}D input"
        raise LayerError(
            f"a {rank}D kernel needs a {rank}D input, but {inp} is {reads_as(inp)} — {hint}"
        )

    def _dims(self, inp: Shape) -> list[tuple[Dim, Dim, Dim, Dim, Dim, Dim]]:
        """Per spatial dim: (n, k, s, d, pad, outpad)."""
        rank = inp.spatial_rank
        stride = broadcast(self.stride, rank, "stride")
        dilation = broadcast(self.dilation, rank, "dilation")
        pad = broadcast(self.pad or (0,), rank, "pad")
        outpad = broadcast(self.outpad or (0,), rank, "outpad")
        return list(zip(inp.spatial, self.kernel, stride, dilation, pad, outpad))

    def _size(self, n: Dim, k: Dim, s: Dim, d: Dim, p: Dim, op: Dim) -> Dim:
        effective = d * (k - 1) + 1
        if self.mode == "same":
            return dim_times(n, s)
        if self.mode == "valid":
            return n * s + _nonnegative(effective - s)
        return (n - 1) * s - 2 * p + effective + op

    def _crop(self, k: Dim, s: Dim, d: Dim, p: Dim) -> Dim:
        """Where the output starts in the full output (the crop before)."""
        if self.mode == "same":
            return keras_crop(d * (k - 1) + 1, s)[0]
        return p if self.mode == "torch" else 0

    def _torch_size(self, n: Dim, k: Dim, s: Dim, d: Dim, p: Dim, op: Dim) -> Term:
        """As torch documents it, ``(n − 1)·s − 2p + d·(k − 1) + op + 1``; courses write
        ``d·(k − 1) + 1`` as ``k`` without dilation, and leave op out when there is none."""
        terms: list[tuple[int, Term]] = [
            (1, mul(minus(Var("n", n), Num(1)), Var("s", s))),
            (-1, mul(Num(2), Var("p", p))),
            (1, Var("k", k) if d == 1 else mul(Var("d", d), minus(Var("k", k), Num(1)))),
        ]
        if self.outpad is not None:
            terms.append((1, Var("op", op)))
        if d != 1:
            terms.append((1, Num(1)))
        return Sum(tuple(terms))

    def output_shape(self, inp: Shape, checks: Checks) -> Shape:
        self._check_rank(inp)
        dims = self._dims(inp)
        for what, count in (("input channels", inp.channels), ("filters", self.filters)):
            message = f"{what} ({fmt(count)}) are not divisible by groups ({fmt(self.groups)})"
            checks.require(divides(self.groups, count), message, option="groups")
        out = []
        for n, k, s, d, p, op in dims:
            if self.outpad is not None:
                # torch: output padding must be smaller than either stride or dilation.
                limit = s if d == 1 else d if s == 1 else _larger(s, d)

                def too_large(op: Dim = op, s: Dim = s, d: Dim = d) -> str:
                    return (
                        f"outpad {fmt(op)} is not smaller than the stride {fmt(s)} or the "
                        f"dilation {fmt(d)}; torch requires outpad < stride or outpad < dilation"
                    )

                checks.at_least(limit - 1, op, too_large, option="outpad")
            size = self._size(n, k, s, d, p, op)
            if self.mode == "torch":

                def too_small(
                    n: Dim = n, k: Dim = k, s: Dim = s, d: Dim = d, p: Dim = p, op: Dim = op
                ) -> str:
                    term = self._torch_size(n, k, s, d, p, op)
                    return (
                        f"pad {fmt(p)} leaves no output: {formula(term)} = {working(term)} = "
                        f"{fmt(self._size(n, k, s, d, p, op))}; use less padding"
                    )

                checks.at_least(size, 1, too_small, option="pad")
            out.append(size)
        return Shape((*out, self.filters))

    def param_count(self, inp: Shape) -> Dim:
        # torch's weight is (C_in, filters/groups, *k); one bias per filter.
        weights = dim_times(
            product(self.kernel) * exact_div(self.filters, self.groups), inp.channels
        )
        return weights + self.filters if self.bias else weights

    def _module_sizes(self, inp: Shape, out: Shape) -> tuple[Dim, ...]:
        """The spatial output of the ConvTranspose module itself: for ``same`` with an odd
        ``K − s`` it is one longer than the layer's, before the crop (see torch_module)."""
        if self.mode != "same":
            return tuple(out.spatial)
        sizes = []
        for (_, k, s, d, _, _), o in zip(self._dims(inp), out.spatial):
            before, after = keras_crop(d * (k - 1) + 1, s)
            sizes.append(o + after - before)
        return tuple(sizes)

    def ops(self, inp: Shape, out: Shape) -> Ops:
        # Every input element is multiplied by every weight that reaches it: prod(k)*filters/g
        # per input channel per input position (torch's FlopCounterMode and fvcore count
        # this, input positions x weight elements). torchinfo counts the parameters once per
        # output position of the module, thop counts as if it were a convolution: module
        # output elements x prod(k)*C_in/groups.
        per_position = product(self.kernel) * exact_div(self.filters, self.groups)
        weights = dim_times(per_position, inp.channels)
        macs = dim_times(weights, product(inp.spatial))
        outputs = product(out.dims)
        positions = product(self._module_sizes(inp, out))
        params = weights + self.filters if self.bias else weights
        per_output = product(self.kernel) * exact_div(inp.channels, self.groups)
        return Ops(
            macs=macs,
            bias=outputs if self.bias else 0,
            torchinfo=dim_times(params, positions),
            thop=dim_times(dim_times(per_output, self.filters), positions),
        )

    def windows(self, inp: Shape) -> tuple[Window, ...]:
        result = []
        for _, k, s, d, p, _ in self._dims(inp):
            effective = d * (k - 1) + 1
            crop = self._crop(k, s, d, p)
            result.append(
                Window(
                    kernel=ratio(effective - 1, s) + 1,
                    stride=ratio(1, s),
                    padding=ratio(effective - 1 - crop, s),
                )
            )
        return tuple(result)

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        steps: list[Step] = []
        for name, (n, k, s, d, p, op), o in zip(
            dim_names(inp.spatial_rank), self._dims(inp), out.spatial
        ):
            n_, s_ = Var("n", n), Var("s", s)
            if self.mode == "same":
                before, after = keras_crop(d * (k - 1) + 1, s)
                crop = Call("max", (minus(effective_kernel(k, d), s_), Num(0)))
                steps.append(Step(name, mul(n_, s_), o))
                steps.append(Step(f"crop {name}", crop, before + after, split=(before, after)))
                continue
            if self.mode == "valid":
                extra = Call("max", (minus(effective_kernel(k, d), s_), Num(0)))
                steps.append(Step(name, plus(mul(n_, s_), extra), o))
                continue
            steps.append(Step(name, self._torch_size(n, k, s, d, p, op), o))
        per_input: Term = mul(*kernel_volume(self.kernel), Var("C_out", self.filters))
        if self.groups != 1:
            per_input = Quot(per_input, Var("g", self.groups))
        total: Term = mul(per_input, Var("C_in", inp.channels))
        if self.bias:
            total = plus(total, Var("C_out", self.filters))
        steps.append(Step("params", total, self.param_count(inp)))
        return tuple(steps)

    def torch_module(self, inp: Shape) -> TorchModule:
        rank, kernel, stride, dilation = kernel_sizes(
            self.keyword, inp, self.kernel, self.stride, self.dilation
        )
        cin = concrete_int(inp.channels, "input channels")
        pad = concrete_per_dim(self.pad or (0,), rank, "pad")
        outpad = concrete_per_dim(self.outpad or (0,), rank, "outpad")
        crops = (0,) * rank
        effective = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
        if self.mode == "valid":
            pad = (0,) * rank
            outpad = tuple(max(s - e, 0) for e, s in zip(effective, stride))
        elif self.mode == "same":
            split = [keras_same_torch(e, s) for e, s in zip(effective, stride)]
            pad = tuple(p for p, _, _ in split)
            outpad = tuple(op for _, op, _ in split)
            crops = tuple(c for _, _, c in split)
        module = TorchModule(
            f"ConvTranspose{rank}d",
            (cin, concrete_int(self.filters, "filters")),
            keywords(
                kernel_size=kernel,
                stride=unless_default(stride, 1),
                padding=unless_default(pad, 0),
                output_padding=unless_default(outpad, 0),
                groups=concrete_int(self.groups, "groups") if self.groups != 1 else None,
                bias=None if self.bias else False,
                dilation=unless_default(dilation, 1),
            ),
        )
        if not any(crops):
            return module
        # Keras' odd crop: one more position off the end (a negative pad crops).
        return TorchModule("Sequential", (module, constant_pad([(0, -c) for c in crops], 0.0)))

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> Deconv:
        if module.padding_mode != "zeros":
            raise TorchError(f"padding_mode={module.padding_mode!r} has no spec form; only zeros")
        pad = collapse(as_tuple(module.padding))
        outpad = collapse(as_tuple(module.output_padding))
        return cls(
            kernel=as_tuple(module.kernel_size),
            filters=int(module.out_channels),
            pad=None if pad == (0,) else pad,
            outpad=None if outpad == (0,) else outpad,
            stride=collapse(as_tuple(module.stride)),
            dilation=collapse(as_tuple(module.dilation)),
            groups=int(module.groups),
            bias=module.bias is not None,
        )

    def drawing_label(self, inp: Shape) -> str:
        words = [f"Deconv {drawing_sizes(per_dim(self.kernel, inp.spatial_rank))}"]
        words.append("s" + drawing_sizes(self.stride))
        if self.mode != "torch":
            words.append(self.mode)
        if self.pad is not None:
            words.append("pad" + drawing_sizes(self.pad))
        if self.outpad is not None:
            words.append("outpad" + drawing_sizes(self.outpad))
        if self.groups != 1:
            words.append(f"g{fmt(self.groups)}")
        return " ".join(words)

    def drawing_window(self, inp: Shape) -> tuple[Dim, ...]:
        return per_dim(self.kernel, inp.spatial_rank)

    def to_spec(self) -> str:
        words = [f"deconv{sizes_text((*self.kernel, self.filters))}"]
        if self.mode != "torch":
            words.append(self.mode)
        if self.pad is not None:
            words.append(f"pad{sizes_text(self.pad)}")
        if self.outpad is not None:
            words.append(f"outpad{sizes_text(self.outpad)}")
        if self.stride != (1,):
            words.append(f"stride{sizes_text(self.stride)}")
        if self.dilation != (1,):
            words.append(f"dilation{sizes_text(self.dilation)}")
        if self.groups != 1:
            words.append(f"groups{sizes_text((self.groups,))}")
        if not self.bias:
            words.append("nobias")
        return " ".join(words)


def _larger(a: Dim, b: Dim) -> Dim:
    """``max(a, b)`` of two dims, symbolic when undecided."""
    verdict = at_least(a, b)
    if verdict is True:
        return a
    if verdict is False:
        return b
    return sp().Max(a, b)
