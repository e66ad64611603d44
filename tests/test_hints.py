"""Errors that say exactly what to type (issue 18 §4): each message is asserted whole, and
each proposed text is analysed to show that it fixes the spec."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from shapecalc import ShapecalcError, SpecError, analyze
from shapecalc.cli import cli

#: (spec, the first line of its error, the spec with the proposal applied, or None).
PROPOSALS = [
    (
        "28x28x1 | Conv2D(16, 3)",
        "Keras layer 'Conv2D(16, 3)' at column 11 — write 'conv3x3x16'",
        "28x28x1 | conv3x3x16",
    ),
    (
        '28x28x1 | Conv2D(16, 3, strides=2, padding="same")',
        "Keras layer 'Conv2D(16, 3, strides=2, padding=\"same\")' at column 11 — write "
        "'conv3x3x16 stride2 same'",
        "28x28x1 | conv3x3x16 stride2 same",
    ),
    (
        "28x28x1 | MaxPooling2D(2)",
        "Keras layer 'MaxPooling2D(2)' at column 11 — write 'maxpool2'",
        "28x28x1 | maxpool2",
    ),
    (
        "28x28x1 | flatten | Dense(10)",
        "Keras layer 'Dense(10)' at column 21 — write 'dense10'",
        "28x28x1 | flatten | dense10",
    ),
    (
        "28x28x1 | nn.Conv2d(1, 16, 3)",
        "PyTorch layer 'nn.Conv2d(1, 16, 3)' at column 11 — write 'conv3x3x16'",
        "28x28x1 | conv3x3x16",
    ),
    (
        "28x28x3 | nn.Conv2d(1, 16, 3)",
        "PyTorch layer 'nn.Conv2d(1, 16, 3)' at column 11 — write 'conv3x3x16'; its "
        "in_channels 1 disagrees with the input 28x28x3, which has 3 channels (channels come "
        "last: H x W x C)",
        "28x28x3 | conv3x3x16",
    ),
    (
        "28x28x1 | Flatten()",
        "Keras/PyTorch layer 'Flatten()' at column 11 — write 'flatten'",
        "28x28x1 | flatten",
    ),
    (
        "28x28x1 | ReLU()",
        "Keras/PyTorch layer 'ReLU()' at column 11 — write 'relu'",
        "28x28x1 | relu",
    ),
    (
        "28x28x16 | BatchNorm2d(16)",
        "PyTorch layer 'BatchNorm2d(16)' at column 12 — write 'batchnorm'",
        "28x28x16 | batchnorm",
    ),
    (
        "784 | Dropout(0.5)",
        "Keras/PyTorch layer 'Dropout(0.5)' at column 7 — write 'dropout0.5'",
        "784 | dropout0.5",
    ),
    (
        "784 | nn.Linear(784, 10)",
        "PyTorch layer 'nn.Linear(784, 10)' at column 7 — write 'dense10'",
        "784 | dense10",
    ),
    (
        "28x28x1 | conv 3x3x16",
        "a space splits 'conv 3x3x16' at column 11 — write 'conv3x3x16'",
        "28x28x1 | conv3x3x16",
    ),
    (
        "28x28x1 | conv3x3x16 stride 2",
        "a space splits 'stride 2' at column 22 — write 'stride2'",
        "28x28x1 | conv3x3x16 stride2",
    ),
    (
        "28 x 28 x 1 | relu",
        "write the input shape as '28x28x1' at column 1 — sizes joined by a lowercase 'x', "
        "without spaces",
        "28x28x1 | relu",
    ),
    (
        "28X28X1 | relu",
        "write the input shape as '28x28x1' at column 1 — sizes joined by a lowercase 'x', "
        "without spaces",
        "28x28x1 | relu",
    ),
    (
        "28x28x1 | Conv3x3x16",
        "unknown layer 'Conv3x3x16' at column 11 — keywords are lowercase: write 'conv3x3x16'",
        "28x28x1 | conv3x3x16",
    ),
    (
        "28x28x1 | conv3x3x16 Same",
        "unknown option 'Same' for conv at column 22 — options are lowercase: write 'same'",
        "28x28x1 | conv3x3x16 same",
    ),
    (
        "28x28x1 | conv3x3x16 maxpool2",
        "unknown option 'maxpool2' for conv at column 22 — missing '|' before 'maxpool2'?",
        "28x28x1 | conv3x3x16 | maxpool2",
    ),
    (
        "28x28x1 | same conv3x3x16",
        "unknown layer 'same' at column 11 — options follow their layer: write 'conv3x3x16 same'",
        "28x28x1 | conv3x3x16 same",
    ),
    (
        "28x28x1 | stride2 conv3x3x16",
        "unknown layer 'stride2' at column 11 — options follow their layer: write "
        "'conv3x3x16 stride2'",
        "28x28x1 | conv3x3x16 stride2",
    ),
    (
        "28x28x1 | same",
        "unknown layer 'same' at column 11 — 'same' is an option; it follows its layer, as in "
        "'conv3x3x16 same'",
        "28x28x1 | conv3x3x16 same",
    ),
    (
        "conv3x3x16 | relu",
        "a spec starts with the input shape, e.g. '28x28x1 | conv3x3x16' at column 1",
        "28x28x1 | conv3x3x16 | relu",
    ),
    (
        "56x56x64 | res(conv3x3x128 stride2 same | conv3x3x128 same)",
        "res block at column 12: the main path gives 28x28x128 but the identity shortcut passes "
        "56x56x64; the shapes must agree; add a projection shortcut after ';', such as "
        "conv1x1x128 stride2",
        "56x56x64 | res(conv3x3x128 stride2 same | conv3x3x128 same ; conv1x1x128 stride2)",
    ),
    (
        "nxnx16 | res(conv3x3x32 stride2 same)",
        "res block at column 10: the main path gives ceiling(n/2) x ceiling(n/2) x 32 but the "
        "identity shortcut passes nxnx16; the shapes must agree; add a projection shortcut "
        "after ';', such as conv1x1x32 stride2",
        "nxnx16 | res(conv3x3x32 stride2 same ; conv1x1x32 stride2)",
    ),
]


@pytest.mark.parametrize(("spec", "first_line", "fixed"), PROPOSALS)
def test_the_error_proposes_the_text_that_fixes_it(spec: str, first_line: str, fixed: str) -> None:
    with pytest.raises(SpecError) as info:
        analyze(spec)
    assert info.value.render().split("\n")[0] == first_line
    analyze(fixed)  # the proposal is a spec that works
    result = CliRunner().invoke(cli, [spec])
    assert result.exit_code == 2
    assert result.output.split("\n")[0] == f"error: {first_line}"


@pytest.mark.parametrize(
    ("spec", "first_line"),
    [
        # No 1x1 convolution can fix a rank mismatch or sizes that no stride gives.
        (
            "28x28x1 | conv3x3x16 | res(flatten | dense16)",
            "res block at column 24: the main path gives 16 but the identity shortcut passes "
            "26x26x16; their ranks differ",
        ),
        (
            "28x28x1 | conv3x3x16 | res(conv3x3x32 stride2 | conv3x3x32)",
            "res block at column 24: the main path gives 10x10x32 but the identity shortcut "
            "passes 26x26x16; the shapes must agree",
        ),
    ],
)
def test_no_hint_that_cannot_fix_the_error(spec: str, first_line: str) -> None:
    with pytest.raises(SpecError) as info:
        analyze(spec)
    assert info.value.render().split("\n")[0] == first_line


def test_a_number_too_large_is_quoted_as_written_shortened_in_the_middle() -> None:
    digits = "1234567890" * 4
    with pytest.raises(SpecError) as info:
        analyze(f"28x28x1 | dense{digits}")
    assert info.value.message == (
        "number '12345678901…01234567890' is too large (the limit is 10**18)"
    )
    with pytest.raises(SpecError) as info:
        analyze("28x28x1 | dense10000000000000000000")
    assert "'10000000000000000000'" in info.value.message  # 20 digits: quoted whole


def test_check_help_describes_only_the_check() -> None:
    text = CliRunner().invoke(cli, ["check", "--help"]).output
    assert "Batch size of the check's random input." in text
    assert "cost" not in text.lower()
    main = CliRunner().invoke(cli, ["calc", "--help"]).output
    assert "the one the costs are counted for" in " ".join(main.split())


def test_solve_says_how_to_write_a_shape_with_fewer_dims() -> None:
    result = CliRunner().invoke(cli, ["solve", "nxnx3 | conv3x3x8", "--out", "64x64"])
    assert (result.exit_code, result.output) == (
        2,
        "error: target shape 64x64 has 2 dims, but the output is (n - 2) x (n - 2) x 8 (3 dims);"
        " write 64x64x_\n",
    )
    fixed = CliRunner().invoke(cli, ["solve", "nxnx3 | conv3x3x8", "--out", "64x64x_", "--json"])
    assert fixed.exit_code == 0 and '"n": 66' in fixed.output


def test_solve_hints_apply_to_the_spec_it_reads() -> None:
    with pytest.raises(ShapecalcError, match="write 'conv3x3x16'"):
        from shapecalc.solve import Target, solve

        solve("nxnx1 | Conv2D(16, 3)", [Target.parse_shape("5x5x16", None)])
