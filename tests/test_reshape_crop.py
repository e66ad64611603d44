"""``reshape4x4x1024`` (channels last, counts must agree) and ``crop4`` / ``crop4x2``."""

from __future__ import annotations

import pytest

from shapecalc import ShapeError, SpecError, analyze
from shapecalc.layers.base import NoWindow, Window
from shapecalc.layers.reshape import Crop, Reshape
from shapecalc.shape import Shape


@pytest.mark.parametrize(
    ("spec", "shape"),
    [
        ("100 | dense16384 | reshape4x4x1024", "4x4x1024"),
        ("7x7x64 | reshape3136", "3136"),
        ("7x7x64 | reshape49x64", "49x64"),
        ("8x8x8 | reshape2x4x8x8", "2x4x8x8"),
        ("64x64x512 | crop4", "56x56x512"),
        ("30x20x8 | crop4x2", "22x16x8"),
        ("30x20x8 | crop0x9", "30x2x8"),
        ("100x4 | crop49", "2x4"),
    ],
)
def test_output_shapes(spec: str, shape: str) -> None:
    assert str(analyze(spec).output_shape) == shape


def test_reshape_reads_back_and_has_no_parameters() -> None:
    (row,) = analyze("16384 | reshape4x4x1024").rows
    assert row.layer == Reshape((4, 4, 1024))
    assert row.layer.to_spec() == "reshape4x4x1024"
    assert row.params == 0


def test_a_symbolic_reshape_records_that_the_counts_agree() -> None:
    analysis = analyze("nxnx3 | reshape12x4")
    assert [c.text for c in analysis.constraints] == ["3*n**2 = 48"]
    assert str(analyze("nxnx3 | reshape12x4", n=4).output_shape) == "12x4"
    with pytest.raises(ShapeError):
        analyze("nxnx3 | reshape12x4", n=5)
    # Counts that agree for every n need no condition.
    assert analyze("nxnx3 | reshape{n*n}x3").constraints == ()


def test_a_symbolic_crop_records_that_something_is_left() -> None:
    analysis = analyze("nxnx8 | crop{c}")
    assert [c.text for c in analysis.constraints] == ["n >= 2*c + 1"]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            "4x4x512 | reshape4x4x1024",
            "layer 1 'reshape4x4x1024' at column 11: reshape4x4x1024 needs 16384 values but "
            "the input 4x4x512 has 8192; the element counts must agree\n"
            "  4x4x512 | reshape4x4x1024\n"
            "            ^^^^^^^^^^^^^^^",
        ),
        (
            "nxnx2 | reshape{n}x3",
            "layer 1 'reshape{n}x3' at column 9: reshape{n}x3 needs 3*n values but the input "
            "nxnx2 has 2*n**2; the element counts must agree\n"
            "  nxnx2 | reshape{n}x3\n"
            "          ^^^^^^^^^^^^",
        ),
        (
            "28x28x1 | crop14",
            "layer 1 'crop14' at column 11: crop14 cuts 14 from each side of H = 28, which "
            "leaves nothing; the crop must be smaller than half the map\n"
            "  28x28x1 | crop14\n"
            "            ^^^^^^",
        ),
        (
            "64x64x512 | crop4 | crop4x40",
            "layer 2 'crop4x40' at column 21: crop4x40 cuts 40 from each side of W = 56, which "
            "leaves nothing; the crop must be smaller than half the map\n"
            "  64x64x512 | crop4 | crop4x40\n"
            "                      ^^^^^^^^",
        ),
        (
            "512 | crop4",
            "layer 1 'crop4' at column 7: crop needs a spatial input such as 28x28x8, got the "
            "flat vector 512\n"
            "  512 | crop4\n"
            "        ^^^^^",
        ),
        (
            "28x28x1 | crop1x1x1",
            "layer 1 'crop1x1x1' at column 11: crop1x1x1 gives 3 values for a 2D input; give "
            "one, or 2 joined by x\n"
            "  28x28x1 | crop1x1x1\n"
            "            ^^^^^^^^^",
        ),
        (
            "28x28x1 | reshape0x4",
            "size must be positive, got 0 at column 18\n"
            "  28x28x1 | reshape0x4\n"
            "                   ^",
        ),
        (
            "28x28x1 | reshape",
            "'reshape' does not match the form reshape<d>x...x<C>, as in reshape4x4x1024 "
            "at column 11\n"
            "  28x28x1 | reshape\n"
            "            ^^^^^^^",
        ),
    ],
)
def test_bad_input_names_what_is_wrong_with_a_caret(spec: str, expected: str) -> None:
    with pytest.raises(SpecError) as info:
        analyze(spec)
    assert info.value.render() == expected


def test_windows_for_receptive_fields() -> None:
    assert Crop((4, 2)).windows(Shape((30, 20, 8))) == (Window(1, 1, -4), Window(1, 1, -2))
    assert Reshape((4, 4, 64)).windows(Shape((1024,))) == ()
    assert Reshape((1024,)).windows(Shape((4, 4, 64))) is NoWindow.SEES_ALL
    assert Reshape((2, 8, 64)).windows(Shape((4, 4, 64))) is NoWindow.NOT_COMPUTABLE


def test_a_crop_shifts_the_receptive_field() -> None:
    # After crop2 the first output pixel is input pixel 2: a 3x3 field starting at 2.
    rf = analyze("16x16x1 | crop2 | conv3x3x1").costs().rows[-1].receptive_field
    assert rf is not None
    assert (rf.size, rf.stride, rf.padding) == ((3, 3), (1, 1), (-2, -2))


def test_emitted_torch_code_uses_unflatten_for_a_vector_and_reshape_for_a_map() -> None:
    code = analyze("64 | reshape2x2x16").to_torch_code()
    assert "nn.Unflatten(1, (16, 2, 2))" in code
    code = analyze("4x4x4 | reshape16x4 | crop1").to_torch_code()
    assert "class Reshape(nn.Module):" in code and "Reshape((4, 16))" in code
    assert "class Crop(nn.Module):" in code and "Crop((1,))" in code


def test_negative_zero_padding_from_torch_is_refused_as_a_crop() -> None:
    torch = pytest.importorskip("torch", reason="torch modules (CI installs torch)")
    from shapecalc import TorchError
    from shapecalc.layers.reshape import ZeroPad

    with pytest.raises(TorchError, match="negative, a crop: write crop"):
        ZeroPad.from_torch(torch.nn.ZeroPad2d(-1), Shape((8, 8, 1)))
    assert ZeroPad.from_torch(torch.nn.ZeroPad2d(1), Shape((8, 8, 1))) == ZeroPad((1,))
