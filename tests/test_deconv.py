"""The transposed convolution ``deconv``: formulas, symbols, working, solve, errors, receptive
fields through it and through upsampling (no torch; tests/properties/test_deconv_vs_torch.py
and test_receptive_fields_vs_torch.py check against torch and Keras)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from shapecalc import ShapeError, SpecError, analyze
from shapecalc.layers import REGISTRY
from shapecalc.layers.deconv import Deconv, keras_same_torch
from shapecalc.render.common import table_data
from shapecalc.solve import Target, solve


def test_aliases_name_the_same_kind() -> None:
    assert REGISTRY["deconv"] is REGISTRY["convtranspose"] is REGISTRY["tconv"] is Deconv
    first = analyze("4x4x8 | tconv4x4x3 s2 padding=1").rows[0]
    second = analyze("4x4x8 | deconv4x4x3 stride2 pad1").rows[0]
    assert first.layer == second.layer


@pytest.mark.parametrize(
    ("spec", "shape", "params"),
    [
        # out = (n - 1)*s - 2*pad + d*(k - 1) + outpad + 1; params = k*C_out/g*C_in + C_out
        ("4x4x512 | deconv4x4x256 stride2 pad1", "8x8x256", 16 * 256 * 512 + 256),
        ("1x1x100 | deconv4x4x512", "4x4x512", 16 * 512 * 100 + 512),  # DCGAN's first
        ("5x5x2 | deconv3x3x4 stride2 outpad1", "12x12x4", 9 * 4 * 2 + 4),
        ("5x7x2 | deconv3x2x4 stride2x3 pad1x0 outpad1x2", "10x22x4", 6 * 4 * 2 + 4),
        ("5x5x2 | deconv3x3x4 dilation2 outpad1", "10x10x4", 76),  # outpad < dilation
        ("8x8x8 | deconv3x3x16 groups4 nobias", "10x10x16", 9 * 4 * 8),
        ("8x8x8 | deconv3x3x16 groups8", "10x10x16", 9 * 2 * 8 + 16),
        # Keras: same out = n*s; valid out = n*s + max(K - s, 0), K the dilated kernel
        ("7x7x1 | deconv5x5x1 stride2 same", "14x14x1", 26),
        ("7x7x1 | deconv1x1x1 stride3 same", "21x21x1", 2),
        ("7x7x1 | deconv3x3x1 stride2 valid", "15x15x1", 10),
        ("7x7x1 | deconv2x2x1 stride3 valid", "21x21x1", 5),
        ("7x7x1 | deconv3x3x1 dilation2 pad=valid", "11x11x1", 10),
        ("100x3 | deconv5x2 stride4 pad=same", "400x2", 32),
    ],
)
def test_formulas(spec: str, shape: str, params: int) -> None:
    analysis = analyze(spec)
    assert str(analysis.output_shape) == shape
    assert analysis.totals.params == params
    (row,) = analysis.rows
    again = analyze(f"{row.input_shape} | {row.layer.to_spec()}").rows[0]
    assert again.layer == row.layer


def test_keras_same_for_torch_splits_the_odd_pixel_at_the_end() -> None:
    # (padding, output_padding, crop at the end) per dim, for K = 1..6 with stride 2
    assert [keras_same_torch(k, 2) for k in range(1, 7)] == [
        (0, 1, 0), (0, 0, 0), (0, 0, 1), (1, 0, 0), (1, 0, 1), (2, 0, 0)
    ]  # fmt: skip


def test_symbolic_kernel_stride_pad_and_input() -> None:
    analysis = analyze("nxnx3 | deconv{k}x{k}x8 stride{s} pad{p}")
    assert str(analysis.output_shape.dims[0]) == "k - 2*p + s*(n - 1)"
    assert [c.text for c in analysis.constraints] == ["k + n*s >= 2*p + s + 1"]
    assert str(analysis.totals.params) == "24*k**2 + 8"
    concrete = analyze("nxnx3 | deconv{k}x{k}x8 stride{s} pad{p}", n=16, k=4, s=2, p=1)
    assert str(concrete.output_shape) == "32x32x8"
    same = analyze("nxnx3 | deconv{k}x{k}x8 stride{s} same").output_shape
    assert str(same) == "n*s x n*s x 8"
    outpad = analyze("nxnx3 | deconv3x3x8 stride{s} outpad{q}")
    assert "s >= q + 1" in [c.text for c in outpad.constraints]


def test_solve_finds_the_input_size() -> None:
    found = solve("nxnx3 | deconv4x4x8 stride2 pad1", [Target.parse_shape("32x32x8")])
    assert found.solutions == [{"n": 16}]
    found = solve("16x16x3 | deconv{k}x{k}x8 stride2 pad1", [Target.parse_shape("32x32x8")])
    assert found.solutions == [{"k": 4}]


def _steps(spec: str) -> list[str]:
    return [step.line() for step in analyze(spec).explain().layers[0].steps]


def test_working_shows_torchs_formula_with_the_numbers() -> None:
    assert _steps("16x16x8 | deconv4x4x3 stride2 pad1") == [
        "(n − 1)·s − 2p + k = (16 − 1)·2 − 2·1 + 4 = 32",
        "(n − 1)·s − 2p + k = (16 − 1)·2 − 2·1 + 4 = 32",
        "k_h·k_w·C_out·C_in + C_out = 4·4·3·8 + 3 = 387",
    ]
    assert _steps("5x6 | deconv3x4 stride2 dilation2 outpad1 groups2 nobias") == [
        "(n − 1)·s − 2p + d·(k − 1) + op + 1 = (5 − 1)·2 − 2·0 + 2·(3 − 1) + 1 + 1 = 14",
        "(k·C_out)/g·C_in = (3·4)/2·6 = 12/2·6 = 36",
    ]


def test_working_of_keras_same_and_valid() -> None:
    assert _steps("7x9 | deconv5x4 stride2 same") == [
        "n·s = 7·2 = 14",
        "max(k − s, 0) = max(5 − 2, 0) = 3 (1 before, 2 after)",
        "k·C_out·C_in + C_out = 5·4·9 + 4 = 184",
    ]
    assert _steps("7x9 | deconv3x4 stride2 valid")[0] == (
        "n·s + max(k − s, 0) = 7·2 + max(3 − 2, 0) = 15"
    )


def test_latex_working() -> None:
    (layer,) = analyze("16x3 | deconv4x8 stride2 pad1").explain().layers
    assert layer.steps[0].line("latex") == (
        r"\left(n - 1\right) \cdot s - 2p + k = \left(16 - 1\right) \cdot 2 - 2 \cdot 1 + 4 = 32"
    )


def _error(spec: str) -> str:
    with pytest.raises((ShapeError, SpecError)) as info:
        analyze(spec)
    return info.value.render()


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            "8x8x3 | deconv3x3x8 stride2 outpad2",
            "layer 1 'deconv3x3x8 stride2 outpad2' at column 29: outpad 2 is not smaller than the stride 2 or the dilation 1; torch requires outpad < stride or outpad < dilation\n  8x8x3 | deconv3x3x8 stride2 outpad2\n                              ^^^^^^^",
        ),
        (
            "8x8x3 | deconv3x3x8 outpad1",
            "layer 1 'deconv3x3x8 outpad1' at column 21: outpad 1 is not smaller than the stride 1 or the dilation 1; torch requires outpad < stride or outpad < dilation\n  8x8x3 | deconv3x3x8 outpad1\n                      ^^^^^^^",
        ),
        (
            "28x28x3 | deconv3x16",
            "layer 1 'deconv3x16' at column 11: a 1D kernel needs a 1D input, but 28x28x3 is a 2D image of 28x28 with 3 channels — write deconv<k>x<k>x<filters> for a 2D input\n  28x28x3 | deconv3x16\n            ^^^^^^^^^^",
        ),
        (
            "28x28x1 | deconv3x3x3x8",
            "layer 1 'deconv3x3x3x8' at column 11: a 3D kernel needs a 3D input, but 28x28x1 is a 2D image of 28x28 with 1 channel — the kernel lists only spatial sizes, channels come from the input: deconv3x3x8\n  28x28x1 | deconv3x3x3x8\n            ^^^^^^^^^^^^^",
        ),
        (
            "28x28 | deconv3x3x16",
            "layer 1 'deconv3x3x16' at column 9: a 2D kernel needs a 2D input, but 28x28 is a 1D signal of length 28 with 28 channels — for one channel write the input as 28x28x1\n  28x28 | deconv3x3x16\n          ^^^^^^^^^^^^",
        ),
        (
            "8x8x6 | deconv3x3x16 groups4",
            "layer 1 'deconv3x3x16 groups4' at column 22: input channels (6) are not divisible by groups (4)\n  8x8x6 | deconv3x3x16 groups4\n                       ^^^^^^^",
        ),
        (
            "8x8x8 | deconv3x3x6 g4",
            "layer 1 'deconv3x3x6 g4' at column 21: filters (6) are not divisible by groups (4)\n  8x8x8 | deconv3x3x6 g4\n                      ^^",
        ),
        (
            "2x2x3 | deconv3x3x8 pad2",
            "layer 1 'deconv3x3x8 pad2' at column 21: pad 2 leaves no output: (n − 1)·s − 2p + k = (2 − 1)·1 − 2·2 + 3 = 0; use less padding\n  2x2x3 | deconv3x3x8 pad2\n                      ^^^^",
        ),
        (
            "1x3 | deconv1x3 dilation2 pad1",
            "layer 1 'deconv1x3 dilation2 pad1' at column 27: pad 1 leaves no output: (n − 1)·s − 2p + d·(k − 1) + 1 = (1 − 1)·1 − 2·1 + 2·(1 − 1) + 1 = -1; use less padding\n  1x3 | deconv1x3 dilation2 pad1\n                            ^^^^",
        ),
        (
            "784 | deconv3x8",
            "layer 1 'deconv3x8' at column 7: deconv needs a spatial input such as 28x28x8, got the flat vector 784\n  784 | deconv3x8\n        ^^^^^^^^^",
        ),
        (
            "2x2x3 | deconv3x3x8 same pad1",
            "error: 'same' and 'pad' contradict each other at column 26\n  2x2x3 | deconv3x3x8 same pad1\n                           ^^^^",
        ),
        (
            "2x2x3 | deconv3x3x8 outpad1 valid",
            "error: 'outpad' and 'valid' contradict each other at column 29\n  2x2x3 | deconv3x3x8 outpad1 valid\n                              ^^^^^",
        ),
        (
            "2x2x3 | deconv3x3x8 outpad",
            "error: option 'outpad' needs a value, as in outpad2 at column 21\n  2x2x3 | deconv3x3x8 outpad\n                      ^^^^^^",
        ),
        (
            "2x2x3 | deconv8",
            "error: 'deconv8' does not match the form deconv<k>x<filters> (1D), deconv<k>x<k>x<filters> (2D) at column 9\n  2x2x3 | deconv8\n          ^^^^^^^",
        ),
    ],
)
def test_bad_input_is_named_with_a_caret(spec: str, expected: str) -> None:
    assert _error(spec).removeprefix("error: ") == expected.removeprefix("error: ")


def _rf(spec: str) -> list[str]:
    data = table_data(analyze(spec), columns=("rf",))
    return [row[2] for row in data.rows[1:]]


def test_receptive_field_through_upsampling_is_a_few_pixels() -> None:
    # The case: each output of the last conv sees 4 input pixels per dim (at most
    # floor(9/2)), one step of the output is half an input pixel.
    assert _rf("28x28x3 | conv3x3x8 | upsample2 | conv3x3x8") == [
        "3 s1 p0",
        "7/2 s1/2 p1/2",
        "9/2 s1/2 p1/2",
    ]


def test_receptive_field_through_transposed_convolution() -> None:
    # K = 4, s = 2, pad 1: size (4 - 1)/2 + 1, stride 1/2, padding (4 - 1 - 1)/2
    assert _rf("8x8x3 | deconv4x4x8 stride2 pad1") == ["5/2 s1/2 p1"]
    # Keras same with K = 5, s = 2 crops 1 before: padding (5 - 1 - 1)/2
    assert _rf("8x8x3 | deconv5x5x8 stride2 same") == ["3 s1/2 p3/2"]
    # a stride-2 conv undoes a stride-2 deconv's step; per dim when the dims differ
    assert _rf("8x8x3 | deconv4x4x8 stride2x1 pad1 | conv3x3x8 stride2") == [
        "5/2x4 s1/2x1 p1x2",
        "7/2x6 s1x2 p1x2",
    ]
    # upsampling by 2 twice is upsampling by 4
    twice = analyze("8x1 | upsample2 | upsample2").costs().rows[-1].receptive_field
    once = analyze("8x1 | upsample4").costs().rows[-1].receptive_field
    assert twice == once
    assert once is not None and once.size == (Fraction(7, 4),)


def test_fractional_fields_in_json_are_exact_strings() -> None:
    doc = analyze("8x3 | upsample2").to_json(costs=analyze("8x3 | upsample2").costs())
    assert doc["layers"][0]["receptive_field"] == {
        "size": ["3/2"],
        "stride": ["1/2"],
        "padding": ["1/2"],
        "aligned": True,
    }


def test_symbolic_fractional_field() -> None:
    rf = analyze("nx3 | deconv{k}x4 stride{s}").costs().rows[0].receptive_field
    assert rf is not None
    assert [str(v[0]) for v in (rf.size, rf.stride, rf.padding)] == [
        "k/s + 1 - 1/s",
        "1/s",
        "k/s - 1/s",
    ]


def test_drawing_shows_the_map_growing_and_the_kernel() -> None:
    from shapecalc.render.svg.model import stages

    analysis = analyze("1x1x100 | deconv4x4x64 nobias | relu | deconv4x4x3 stride2 pad1 | tanh")
    drawn = stages(analysis)
    assert [stage.dims for stage in drawn] == [(1, 1, 100), (4, 4, 64), (8, 8, 3)]
    assert drawn[2].window == (4, 4)
    svg = analysis.to_svg()
    assert "Deconv 4×4 s2 pad1" in svg and "Deconv 4×4 s1" in svg
