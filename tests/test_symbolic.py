"""Symbolic results stay small and exact; validity conditions are readable."""

from __future__ import annotations

from typing import Any

import pytest

from shapecalc import analyze
from shapecalc.symbolic import (
    Constraint,
    at_least,
    ceil_div,
    floor_div,
    fmt,
    make_symbol,
    substitute,
    times,
)

VGG16_SYMBOLIC = (
    "HxWx3 | (conv3x3x64 same | relu)x2 | maxpool2 | (conv3x3x128 same | relu)x2 | maxpool2"
    " | (conv3x3x256 same | relu)x3 | maxpool2 | (conv3x3x512 same | relu)x3 | maxpool2"
    " | (conv3x3x512 same | relu)x3 | maxpool2"
)


def test_symbolic_vgg16_ends_at_floor_h_over_32() -> None:
    analysis = analyze(VGG16_SYMBOLIC)
    assert [fmt(d) for d in analysis.output_shape.dims] == ["floor(H/32)", "floor(W/32)", "512"]
    assert [c.text for c in analysis.constraints] == ["H >= 32", "W >= 32"]


def test_issue_example_formulas() -> None:
    analysis = analyze("nxnx3 | conv{f}x{f}x8 pad{p} | maxpool2")
    conv, pool = analysis.rows
    assert fmt(conv.params) == "(3*f**2 + 1)*8"
    assert fmt(pool.output_shape.dims[0]) == "floor((n + 2*p - f + 1)/2)"
    assert [c.text for c in analysis.constraints] == ["n + 2*p >= f + 1"]


def test_padding_symbol_may_be_zero() -> None:
    analysis = analyze("28x28x1 | conv3x3x4 pad{p}", p=0)
    assert str(analysis.output_shape) == "26x26x4"


def test_conv_then_pool_gives_needs_n_at_least() -> None:
    analysis = analyze("nxnx3 | conv7x7x8 | maxpool2")
    assert [c.text for c in analysis.constraints] == ["n >= 8"]


def test_at_substitutes_and_keeps_the_formula() -> None:
    analysis = analyze("nxnx3 | conv{f}x{f}x8 pad{p} | maxpool2", n=28, f=3, p=1)
    assert str(analysis.output_shape) == "14x14x8"
    assert analysis.totals.params == 224
    assert analysis.rows[1].formula is not None
    assert str(analysis.rows[1].formula).startswith("floor((n + 2*p - f + 1)/2)")


def test_invalid_substitution_is_a_shape_error() -> None:
    from shapecalc import ShapeError

    with pytest.raises(ShapeError, match="kernel 9 is larger than the padded input 5"):
        analyze("nxnx3 | conv{f}x{f}x8", n=5, f=9)


def _ceil(a: int, b: int) -> int:
    return -(-a // b)


@pytest.mark.parametrize("x", range(1, 80))
def test_nested_floor_and_ceiling_rules_are_exact(x: int) -> None:
    h = make_symbol("h")
    cases = [
        (floor_div(floor_div(h, 2) - 3, 3), (x // 2 - 3) // 3),
        (floor_div(ceil_div(h, 2) + 1, 4), (_ceil(x, 2) + 1) // 4),
        (ceil_div(floor_div(h, 3) - 1, 2), _ceil(x // 3 - 1, 2)),
        (ceil_div(ceil_div(h, 5), 2), _ceil(_ceil(x, 5), 2)),
        (floor_div(h - 7, 2) + 1, (x - 7) // 2 + 1),
    ]
    for expr, expected in cases:
        assert substitute(expr, {"h": x}) == expected, fmt(expr)


def test_floor_nest_collapses() -> None:
    h = make_symbol("h")
    assert fmt(floor_div(floor_div(h, 2), 2)) == "floor(h/4)"
    assert fmt(floor_div(floor_div(h, 2) + 1, 3)) == "floor((h + 2)/6)"
    assert fmt(floor_div(ceil_div(h, 2) - 2, 2) + 1) == "floor((h + 1)/4)"


def test_times_keeps_the_sum_as_a_factor() -> None:
    f = make_symbol("f")
    assert fmt(times(3 * f**2 + 1, 8)) == "(3*f**2 + 1)*8"
    assert times(3, 4) == 12


@pytest.mark.parametrize(
    ("value", "minimum", "text"),
    [
        ("n - 6", 1, "n >= 7"),
        ("floor(n/2)", 5, "n >= 10"),
        ("ceiling(n/3)", 4, "n >= 10"),
        ("2*n", 9, "n >= 5"),
    ],
)
def test_at_least_reads_as_a_bound(value: str, minimum: int, text: str) -> None:
    import sympy

    n = make_symbol("n")
    # Test input written as text for readability; the library itself never sympifies text.
    expr = sympy.sympify(value, locals={"n": n})
    verdict = at_least(expr, minimum)
    assert isinstance(verdict, Constraint) and verdict.text == text


def test_at_least_decides_what_assumptions_decide() -> None:
    n = make_symbol("n")
    assert at_least(n + 2, 3) is True
    assert at_least(7, 9) is False


@pytest.mark.parametrize(
    ("spec", "conditions"),
    [
        ("nxnx3 | (conv3x3x8 same | maxpool2)x3 | conv{f}x{f}x4", ["n >= 8*f"]),
        ("Lx8 | conv{k}x16 d{d} | maxpool{m}", ["L + d >= d*k + m"]),
        ("nxnx6 | conv3x3x8 g{g}", ["g divides 6", "g divides 8", "n >= 3"]),
        ("1x1x1x1 | conv1x1x{a}x{c} nobias | conv1x1x1x1 dw nobias", ["a <= 1", "c divides 1"]),
        ("nxnx3 | maxpool{k}", ["n >= k"]),
    ],
)
def test_conditions_are_merged_and_implied_ones_dropped(spec: str, conditions: list[str]) -> None:
    assert [c.text for c in analyze(spec).constraints] == conditions


def test_partial_substitution_gives_an_upper_bound() -> None:
    assert [c.text for c in analyze("nxnx3 | maxpool{k}", n=10).constraints] == ["k <= 10"]


@pytest.mark.parametrize("option", ["pad{q}", "padding{q}", "pad=0x{q}", "padding=1x{q}"])
def test_padding_symbols_may_be_zero_under_every_spelling(option: str) -> None:
    assert analyze(f"8x8x1 | conv1x1x1 {option}", q=0).rows[0].output_shape.dims[1] == 8


def test_a_symbol_that_is_also_an_input_size_stays_positive() -> None:
    from shapecalc import SubstitutionError

    with pytest.raises(SubstitutionError, match="n must be positive"):
        analyze("nxnx3 | conv3x3x8 pad{n}", n=0)


def test_values_still_answer_when_the_formulas_alone_would_be_too_large() -> None:
    from shapecalc import ShapeError

    spec = "nxnx3 | " + " | ".join(["maxpool2 stride{s} ceil"] * 12)
    # Refused for the size of its formulas or of its validity conditions, whichever first.
    with pytest.raises(ShapeError, match="(formula|validity condition) grows past"):
        analyze(spec)
    analysis = analyze(spec, n=5000, s=2)
    assert str(analysis.output_shape) == "2x2x3"
    assert analysis.rows[0].formula is None


def _torch_ceil_mode_size(n: int, k: int, p: int, s: int) -> int:
    """PyTorch's pooling_output_shape with ceil_mode, as its source writes it: round up, then
    drop the last window when it would start in the right padding."""
    out = _ceil(n + 2 * p - k, s) + 1
    if (out - 1) * s >= n + p:
        out -= 1
    return out


@pytest.mark.parametrize("k", range(1, 6))
@pytest.mark.parametrize("s", range(1, 6))
def test_ceil_mode_size_is_pytorchs_rule(k: int, s: int) -> None:
    from shapecalc.layers.pool import ceil_mode_size

    n_sym = make_symbol("n")
    for p in range(0, k // 2 + 1):  # PyTorch allows pad <= k/2
        formula = ceil_mode_size(n_sym, k, p, s)
        for n in range(max(1, k - 2 * p), 40):
            expected = _torch_ceil_mode_size(n, k, p, s)
            assert ceil_mode_size(n, k, p, s) == expected, (n, k, p, s)
            assert substitute(formula, {"n": n}) == expected, (fmt(formula), n, k, p, s)


#: Repeated units of a symbolic stack, with each layer's size rule written out as PyTorch's
#: documentation gives it (the oracle): every downsampling kind the benchmark's stacks use.
STACK_UNIT: list[tuple[str, Any]] = [
    ("conv3x3x16 pad1", lambda n: (n + 2 - 3) // 1 + 1),
    ("bn", lambda n: n),
    ("relu", lambda n: n),
    ("conv3x3x16 same stride2", lambda n: _ceil(n, 2)),
    ("maxpool2", lambda n: (n - 2) // 2 + 1),
    ("maxpool2 ceil", lambda n: _torch_ceil_mode_size(n, 2, 0, 2)),
    ("maxpool2 pad1 ceil", lambda n: _torch_ceil_mode_size(n, 2, 1, 2)),
    ("maxpool3 stride2 pad1 ceil", lambda n: _torch_ceil_mode_size(n, 3, 1, 2)),
]


@pytest.mark.parametrize("layers", [10, 50, 200])
def test_formulas_of_deep_symbolic_stacks_stay_small_and_exact(layers: int) -> None:
    """Floors of floors (and ceil-mode pools with padding) fold into one floor, so a formula
    keeps the same number of terms at any depth; its values are PyTorch's, row by row, at
    sizes large enough for 200 layers."""
    from shapecalc.symbolic import tree_size

    unit = [STACK_UNIT[i % len(STACK_UNIT)] for i in range(layers)]
    analysis = analyze("HxWx3\n" + "\n".join(text for text, _ in unit))
    sizes = [tree_size(d) for row in analysis.rows for d in row.output_shape.spatial]
    assert max(sizes) <= 12, max(sizes)
    for h0, w0 in [(2**130 + 12345, 2**131 - 1), (3**90, 5**60 + 7)]:
        h, w = h0, w0
        for row, (_, rule) in zip(analysis.rows, unit):
            h, w = rule(h), rule(w)
            got = tuple(substitute(d, {"H": h0, "W": w0}) for d in row.output_shape.spatial)
            assert got == (h, w), row.spec
