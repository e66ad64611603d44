"""Receptive fields against brute force: which input elements change which output element.

The network is built from the calculator's own torch modules with every weight 1 and every
bias 0, and fed an input of ones; the input elements that output element o depends on are
those where the gradient of o is not zero (every path has a positive weight, so nothing
cancels; average pooling stands in for max pooling, whose gradient reaches only the
maximum). shapecalc's field says that o depends only on the inputs in
``[o·j − P, o·j − P + r − 1]`` (see shapecalc.costs); for one transposed convolution
without dilation, or one upsampling, exactly those (within the input).
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from shapecalc import Analysis, ShapecalcError, analyze

torch = pytest.importorskip("torch", reason="torch is the oracle (CI installs it)")

from shapecalc.torchcheck import build_module  # noqa: E402


def influence(analysis: Analysis) -> list[set[tuple[int, ...]]]:
    """For each output position (row-major, first channel), the input positions it depends
    on, by autograd."""
    modules = []
    for row in analysis.rows:
        module = build_module(row.layer, row.input_shape).double()
        with torch.no_grad():
            for name, param in module.named_parameters():
                param.fill_(1.0 if name.endswith("weight") else 0.0)
        modules.append(module)
    net = torch.nn.Sequential(*modules).eval()
    size = [int(d) for d in analysis.input_shape.torch_order(1)]
    x = torch.ones(*size, dtype=torch.float64, requires_grad=True)
    y = net(x)[0, 0]
    result = []
    for position in torch.cartesian_prod(*(torch.arange(n) for n in y.shape)).reshape(
        -1, y.dim()
    ):
        (grad,) = torch.autograd.grad(y[tuple(position)], x, retain_graph=True)
        seen = grad[0].abs().sum(0).nonzero()
        result.append({tuple(int(v) for v in p) for p in seen})
    return result


def interval(analysis: Analysis, o: tuple[int, ...]) -> list[tuple[Fraction, Fraction]]:
    """shapecalc's field of the last layer's output ``o``: per dim, (first, last) input
    coordinate."""
    rf = analysis.costs().rows[-1].receptive_field
    assert rf is not None and rf.known
    return [
        (o_d * Fraction(j) - Fraction(p), o_d * Fraction(j) - Fraction(p) + Fraction(r) - 1)
        for o_d, r, j, p in zip(o, rf.size, rf.stride, rf.padding)
    ]


def check(spec: str, *, exact: bool) -> None:
    analysis = analyze(spec)
    out = [int(d) for d in analysis.output_shape.spatial]
    n = [int(d) for d in analysis.input_shape.spatial]
    positions = [tuple(p) for p in _grid(out)]
    for o, seen in zip(positions, influence(analysis)):
        bounds = interval(analysis, o)
        inside = [
            range(max(0, math.ceil(lo)), min(size - 1, math.floor(hi)) + 1)
            for (lo, hi), size in zip(bounds, n)
        ]
        field = set(_grid([len(r) for r in inside], inside))
        assert seen <= field, f"{spec}: output {o} sees {sorted(seen - field)} outside {bounds}"
        if exact:
            assert seen == field, f"{spec}: output {o} sees {sorted(seen)}, field {bounds}"


def _grid(sizes: list[int], ranges: list[range] | None = None) -> list[tuple[int, ...]]:
    ranges = ranges or [range(s) for s in sizes]
    result: list[tuple[int, ...]] = [()]
    for r in ranges:
        result = [(*p, v) for p in result for v in r]
    return result


@given(
    n=st.integers(1, 9),
    k=st.integers(1, 5),
    s=st.integers(1, 4),
    pad=st.integers(0, 2),
    mode=st.sampled_from(["pad", "outpad", "same", "valid"]),
)
def test_one_transposed_convolution_is_exact(n: int, k: int, s: int, pad: int, mode: str) -> None:
    options = {
        "pad": f"pad{pad}",
        "outpad": f"pad{pad} outpad{s - 1}",
        "same": "same",
        "valid": "valid",
    }[mode]
    spec = f"{n}x2 | deconv{k}x2 stride{s} {options}"
    try:
        analyze(spec)
    except ShapecalcError:  # padding that leaves no output: nothing to compare
        assume(False)
    check(spec, exact=True)


@pytest.mark.parametrize("factor", [1, 2, 3, 5])
def test_one_upsampling_is_exact(factor: int) -> None:
    check(f"7x1 | upsample{factor}", exact=True)


@pytest.mark.parametrize(
    "spec",
    [
        # the case, smaller: each output sees 4x4 pixels (the field's 9/2)
        "10x10x3 | conv3x3x8 | upsample2 | conv3x3x8",
        "6x6x2 | deconv4x4x3 stride2 pad1 | conv3x3x2 stride2",
        "5x6x1 | upsample2x3 | deconv3x2x2 stride2x1 same",
        "8x1 | deconv2x1 stride2 | deconv2x1 stride2",
    ],
)
def test_chains_by_hand_are_exact(spec: str) -> None:
    check(spec, exact=True)


LAYERS = st.sampled_from(
    [
        "conv{k}x2 stride{s} pad{p}",
        "avgpool{k} stride{s}",
        "upsample{s}",
        "deconv{k}x2 stride{s} pad{p}",
        "deconv{k}x2 stride{s} pad{p} outpad{q}",
        "deconv{k}x2 stride{s} dilation2 pad{p}",
        "deconv{k}x2 stride{s} same",
        "deconv{k}x2 stride{s} valid",
    ]
)


@st.composite
def chains(draw: st.DrawFn) -> str:
    items = []
    for _ in range(draw(st.integers(1, 4))):
        s = draw(st.integers(1, 3))
        items.append(
            draw(LAYERS).format(
                k=draw(st.integers(1, 4)),
                s=s,
                p=draw(st.integers(0, 1)),
                q=draw(st.integers(0, s - 1)),
            )
        )
    return f"{draw(st.integers(2, 12))}x2 | " + " | ".join(items)


@given(chains())
def test_every_chain_depends_only_on_its_field(spec: str) -> None:
    try:
        analysis = analyze(spec)
    except ShapecalcError:  # a drawn chain may not fit its input: nothing to compare
        assume(False)
    assume(all(int(d) <= 150 for d in analysis.output_shape.spatial))
    check(spec, exact=False)


@pytest.mark.parametrize(
    "spec",
    [
        f"{n}x1 | upsample{f} {mode}"
        for n in (1, 2, 5)
        for f in (1, 2, 3)
        for mode in ("linear", "linear aligncorners")
    ]
    + [
        "5x4x1 | upsample2x3 bilinear",
        "4x5x1 | upsample3 bicubic",
        "4x3x1 | upsample2 bicubic aligncorners",
        "3x3x3x1 | upsample2 trilinear",
        "6x1 | upsample2 linear | conv3x1 | upsample3 linear aligncorners",
    ],
)
def test_interpolating_upsampling_stays_inside_its_field(spec: str) -> None:
    """Interpolation's window covers the inputs it reads (not exactly: a neighbour's weight
    is 0 where the source coordinate falls on an input, and borders clamp)."""
    check(spec, exact=False)


@given(
    n=st.integers(1, 12),
    k=st.integers(1, 4),
    s=st.integers(1, 3),
    d=st.integers(1, 3),
)
def test_a_causal_convolution_sees_exactly_the_past(n: int, k: int, s: int, d: int) -> None:
    """Output o sees the inputs from o·s − d·(k − 1) to o·s, every d-th one (the field holds
    them all; with d = 1 exactly those), and never a later one."""
    check(f"{n}x2 | conv{k}x2 causal stride{s} dilation{d}", exact=d == 1)
