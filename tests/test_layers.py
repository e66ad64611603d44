"""Every layer kind's own examples, its canonical text, and its named errors."""

from __future__ import annotations

import pytest

from shapecalc import ShapeError, analyze
from shapecalc.layers import REGISTRY
from shapecalc.layers.base import Example
from shapecalc.parser import LayerSpec, parse
from shapecalc.render.reference import layer_kinds

EXAMPLES = [
    pytest.param(cls, example, id=f"{cls.keyword}:{example.input}|{example.layer}")
    for cls in layer_kinds()
    for example in cls.examples
]


def test_every_layer_kind_has_examples_and_a_docstring() -> None:
    for cls in layer_kinds():
        assert cls.examples, f"{cls.__name__} has no examples"
        assert cls.__doc__ and cls.__doc__.strip(), f"{cls.__name__} has no docstring"


@pytest.mark.parametrize(("cls", "example"), EXAMPLES)
def test_layer_examples(cls: type, example: Example) -> None:
    analysis = analyze(f"{example.input} | {example.layer}")
    (row,) = analysis.rows
    assert isinstance(row.layer, cls)
    assert str(row.output_shape) == example.output
    assert row.params == example.params


@pytest.mark.parametrize(("cls", "example"), EXAMPLES)
def test_to_spec_round_trips(cls: type, example: Example) -> None:
    (row,) = analyze(f"{example.input} | {example.layer}").rows
    again = analyze(f"{example.input} | {row.layer.to_spec()}").rows[0]
    assert again.layer == row.layer
    assert again.output_shape == row.output_shape


def test_aliases_name_the_same_kind() -> None:
    assert REGISTRY["bn"] is REGISTRY["batchnorm"]
    assert REGISTRY["fc"] is REGISTRY["dense"] is REGISTRY["linear"]
    assert REGISTRY["gap"] is REGISTRY["globalavgpool"]
    for a, b in [("s2", "stride2"), ("d2", "dilation2"), ("g2", "groups2"), ("pad=1", "pad1")]:
        first = analyze(f"16x16x4 | conv3x3x8 {a}").rows[0]
        second = analyze(f"16x16x4 | conv3x3x8 {b}").rows[0]
        assert first.layer == second.layer


@pytest.mark.parametrize(
    ("spec", "shape", "params"),
    [
        # out = floor((n + 2p - d(k-1) - 1)/s) + 1
        ("63x63x16 | conv7x7x32 stride2", "29x29x32", (7 * 7 * 16 + 1) * 32),
        ("32x32x3 | conv5x5x8 pad1x2 stride2x1", "15x32x8", (25 * 3 + 1) * 8),
        ("32x32x3 | conv3x3x8 dilation2", "28x28x8", (9 * 3 + 1) * 8),
        ("32x32x8 | conv3x3x16 g4 nobias", "30x30x16", 9 * 2 * 16),
        ("32x32x8 | conv3x3x16 dw", "30x30x16", 9 * 1 * 16 + 16),
        ("7x7x4 | conv2x2x4 same stride2", "4x4x4", (4 * 4 + 1) * 4),
        ("8x8x4 | conv4x4x4 same", "8x8x4", (16 * 4 + 1) * 4),
        ("8x8x4 | conv3x3x4 pad=same", "8x8x4", (9 * 4 + 1) * 4),
        # pooling: stride defaults to the window; ceil mode drops a window starting in padding
        ("5x5x1 | maxpool2", "2x2x1", 0),
        ("5x5x1 | maxpool2 ceil", "3x3x1", 0),
        ("5x5x1 | maxpool2 stride2 pad1 ceil", "3x3x1", 0),
        ("6x6x1 | maxpool3 stride2 pad1 ceil", "4x4x1", 0),
        ("10x6x2 | avgpool3 stride2 same", "5x3x2", 0),
        ("1x1x1 | avgpool2 pad1", "1x1x1", 0),
        ("28x28x64 | bn | flatten", "50176", 256),
    ],
)
def test_formulas(spec: str, shape: str, params: int) -> None:
    analysis = analyze(spec)
    assert str(analysis.output_shape) == shape
    assert analysis.totals.params == params


def test_batchnorm_splits_trainable_and_running_statistics() -> None:
    (row,) = analyze("28x28x64 | batchnorm").rows
    assert (row.trainable, row.non_trainable, row.params) == (128, 128, 256)


def _shape_error(spec: str) -> str:
    with pytest.raises(ShapeError) as info:
        analyze(spec)
    return info.value.render()


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            "5x5x3 | conv7x7x16",
            "layer 1 'conv7x7x16' at column 9: kernel 7 is larger than the padded input 5; add padding or use a smaller kernel\n  5x5x3 | conv7x7x16\n          ^^^^^^^^^^",
        ),
        (
            "5x5x3 | conv3x3x16 dilation3",
            "layer 1 'conv3x3x16 dilation3' at column 9: kernel 3 (dilated to 7) is larger than the padded input 5; add padding or use a smaller kernel\n  5x5x3 | conv3x3x16 dilation3\n          ^^^^^^^^^^^^^^^^^^^^",
        ),
        (
            "5x5x3 | dense10",
            "layer 1 'dense10' at column 9: dense needs a flat input, got 5x5x3; add flatten (or gap) before it\n  5x5x3 | dense10\n          ^^^^^^^",
        ),
        (
            "8x8x6 | conv3x3x16 groups4",
            "layer 1 'conv3x3x16 groups4' at column 20: input channels (6) are not divisible by groups (4)\n  8x8x6 | conv3x3x16 groups4\n                     ^^^^^^^",
        ),
        (
            "28x28 | conv3x3x16",
            "layer 1 'conv3x3x16' at column 9: a 2D kernel needs a 2D input, but 28x28 is a 1D signal of length 28 with 28 channels — for one channel write the input as 28x28x1\n  28x28 | conv3x3x16\n          ^^^^^^^^^^",
        ),
        (
            "28x28x3 | conv3x16",
            "layer 1 'conv3x16' at column 11: a 1D kernel needs a 1D input, but 28x28x3 is a 2D image of 28x28 with 3 channels — write conv<k>x<k>x<filters> for a 2D input\n  28x28x3 | conv3x16\n            ^^^^^^^^",
        ),
        (
            "28x28x1 | conv3x3x3x8",
            "layer 1 'conv3x3x3x8' at column 11: a 3D kernel needs a 3D input, but 28x28x1 is a 2D image of 28x28 with 1 channel — the kernel lists only spatial sizes, channels come from the input: conv3x3x8\n  28x28x1 | conv3x3x3x8\n            ^^^^^^^^^^^",
        ),
        (
            "8x8x3 | maxpool3 pad2",
            "layer 1 'maxpool3 pad2' at column 18: pad 2 is more than half the window 3 (PyTorch requires pad <= k/2)\n  8x8x3 | maxpool3 pad2\n                   ^^^^",
        ),
        (
            "784 | maxpool2",
            "layer 1 'maxpool2' at column 7: maxpool needs a spatial input such as 28x28x8, got the flat vector 784\n  784 | maxpool2\n        ^^^^^^^^",
        ),
        (
            "8x8x3 | maxpool2x2x2",
            "layer 1 'maxpool2x2x2' at column 9: maxpool2x2x2 gives 3 values for a 2D input; give one, or 2 joined by x\n  8x8x3 | maxpool2x2x2\n          ^^^^^^^^^^^^",
        ),
        (
            "8x8x1 | (conv3x3x8 | relu)x4",
            "layer 7 'conv3x3x8' (pass 4 of 4) at column 10: kernel 3 is larger than the padded input 2; add padding or use a smaller kernel\n  8x8x1 | (conv3x3x8 | relu)x4\n           ^^^^^^^^^",
        ),
    ],
)
def test_shape_errors_are_named(spec: str, expected: str) -> None:
    assert _shape_error(spec) == expected


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("28x28x1 | cnv3x3x16", "unknown layer 'cnv3x3x16' at column 11 — did you mean 'conv'?"),
        (
            "28x28x1 | conv3x3x16 strid2",
            "unknown option 'strid2' for conv at column 22 — did you mean 'stride'?",
        ),
        ("28x28x1 | relu same", "relu takes no options, found 'same'"),
        ("28x28x1 | conv3x3x16 same pad1", "'same' and 'pad' contradict each other"),
        ("28x28x1 | conv3x3x16 stride", "option 'stride' needs a value, as in stride2"),
        ("28x28x1 | conv3x3x16 same2", "option 'same' takes no value"),
        ("28x28x1 | conv3x3x16 s2 stride2", "option 'stride' given twice"),
        ("28x28x1 | conv3x3x16 stride0", "stride must be positive, got 0"),
        ("28x28x1 | conv3x3x0", "filters must be positive, got 0"),
        ("10 | dropout1.5", "dropout probability must be a number from 0 to 1, got '1.5'"),
        ("28x28x1 | conv16", "'conv16' does not match the form conv<k>x<filters>"),
        ("28x28x1 | conv3x3x16 dw g2", "'dw' already sets groups to the input channels"),
        # torch's avg_pool3d (only the 3D one) checks the window against the unpadded input
        ("1x1x1x1 | avgpool1x1x2 pad0x0x1", "window 2 is larger than the unpadded input 1"),
    ],
)
def test_spec_errors_name_the_problem(spec: str, fragment: str) -> None:
    from shapecalc import SpecError

    with pytest.raises(SpecError) as info:
        analyze(spec)
    assert fragment in info.value.render()


def test_every_layer_item_parses_back() -> None:
    for cls in layer_kinds():
        for example in cls.examples:
            (item,) = parse(f"{example.input} | {example.layer}").items
            assert isinstance(item, LayerSpec)


def test_every_layers_help_line_is_a_whole_sentence() -> None:
    """``shapecalc layers`` shows a docstring's first line: it must not stop mid-sentence."""
    from shapecalc.layers import REGISTRY

    for keyword, cls in REGISTRY.items():
        first = (cls.__doc__ or "").strip().splitlines()[0].rstrip()
        assert first.endswith((".", ")")), (keyword, first)
