"""``causal`` padding for 1D convolutions: ``dilation*(k - 1)`` before, none after."""

from __future__ import annotations

import pytest

from shapecalc import SpecError, analyze
from shapecalc.layers.base import Window
from shapecalc.layers.conv import Conv
from shapecalc.symbolic import substitute


@pytest.mark.parametrize(
    ("spec", "shape"),
    [
        ("100x16 | conv3x32 causal", "100x32"),
        ("100x16 | conv3x32 causal dilation4", "100x32"),
        ("100x16 | conv2x8 causal stride2", "50x8"),
        ("7x1 | conv5x1 causal stride3", "3x1"),  # ceil(7/3)
        ("1x1 | conv9x1 causal d8", "1x1"),
    ],
)
def test_the_output_keeps_the_length_over_the_stride(spec: str, shape: str) -> None:
    assert str(analyze(spec).output_shape) == shape


def test_the_padding_is_all_before() -> None:
    (row,) = analyze("100x16 | conv3x32 causal dilation4").rows
    # Output t sees inputs t - 8 .. t: the window starts 8 before and ends at t itself.
    assert row.layer.windows(row.input_shape) == (Window(9, 1, 8),)
    steps = {step.quantity: step for step in row.layer.explain(row.input_shape, row.output_shape)}
    assert steps["pad L"].split == (8, 0)
    assert row.layer.to_spec() == "conv3x32 dilation4 causal"
    assert analyze(f"100x16 | {row.layer.to_spec()}").rows[0].layer == row.layer
    code = analyze("100x16 | conv3x32 causal dilation4").to_torch_code()
    assert "nn.ConstantPad1d((8, 0), 0.0)," in code
    assert "nn.Conv1d(16, 32, kernel_size=(3,), dilation=(4,))," in code


def test_a_wavenet_stack_keeps_its_length() -> None:
    spec = "1000x32 | " + " | ".join(f"conv2x32 causal d{2**i}" for i in range(10))
    analysis = analyze(spec)
    assert str(analysis.output_shape) == "1000x32"
    rf = analysis.costs().rows[-1].receptive_field
    assert rf is not None and (rf.size, rf.padding) == ((1024,), (1023,))
    assert isinstance(analysis.rows[0].layer, Conv)


def test_symbolic_lengths() -> None:
    analysis = analyze("nx8 | conv{k}x8 causal stride2")
    length = analysis.output_shape.dims[0]
    assert [substitute(length, {"n": n, "k": 3}) for n in range(1, 12)] == [
        -(-n // 2) for n in range(1, 12)
    ]
    assert analysis.constraints == ()  # no kernel is too large: the padding grows with it


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            "28x28x1 | conv3x3x8 causal",
            "layer 1 'conv3x3x8 causal' at column 21: causal padding is for 1D convolutions, "
            "and 28x28x1 is a 2D image of 28x28 with 1 channel; use pad or same\n"
            "  28x28x1 | conv3x3x8 causal\n"
            "                      ^^^^^^",
        ),
        (
            "100x1 | conv3x8 causal same",
            "'same' and 'causal' contradict each other at column 17\n"
            "  100x1 | conv3x8 causal same\n"
            "                  ^^^^^^",
        ),
        (
            "100x1 | conv3x8 pad1 causal",
            "'pad' and 'causal' contradict each other at column 22\n"
            "  100x1 | conv3x8 pad1 causal\n"
            "                       ^^^^^^",
        ),
    ],
)
def test_bad_input_names_what_is_wrong_with_a_caret(spec: str, expected: str) -> None:
    with pytest.raises(SpecError) as info:
        analyze(spec)
    assert info.value.render() == expected
