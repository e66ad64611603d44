"""``upsample2 bilinear``: torch's interpolating modes; plain ``upsample2`` stays nearest."""

from __future__ import annotations

import pytest

from shapecalc import SpecError, analyze
from shapecalc.layers.reshape import Upsample


@pytest.mark.parametrize(
    ("spec", "layer"),
    [
        ("14x14x8 | upsample2", Upsample((2,), "nearest", False)),
        ("14x14x8 | upsample2 nearest", Upsample((2,), "nearest", False)),
        ("14x14x8 | upsample2x3 bicubic", Upsample((2, 3), "bicubic", False)),
        ("50x4 | upsample4 linear aligncorners", Upsample((4,), "linear", True)),
        ("4x4x4x2 | upsample2 trilinear", Upsample((2,), "trilinear", False)),
    ],
)
def test_modes_read_and_write_back(spec: str, layer: Upsample) -> None:
    (row,) = analyze(spec).rows
    assert row.layer == layer
    text = layer.to_spec()
    assert analyze(f"{row.input_shape} | {text}").rows[0].layer == layer
    assert text == spec.split(" | ")[1].replace(" nearest", "")


def test_the_emitted_code_names_the_mode() -> None:
    code = analyze("8x8x4 | upsample2 bilinear aligncorners").to_torch_code()
    assert "nn.Upsample(scale_factor=(2.0, 2.0), mode='bilinear', align_corners=True)" in code
    assert "mode='nearest'" in analyze("8x8x4 | upsample2").to_torch_code()


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            "50x4 | upsample2 bilinear",
            "layer 1 'upsample2 bilinear' at column 18: bilinear upsampling needs a 2D input, "
            "got a 1D signal of length 50 with 4 channels; use linear\n"
            "  50x4 | upsample2 bilinear\n"
            "                   ^^^^^^^^",
        ),
        (
            "8x8x8 | upsample2 trilinear",
            "layer 1 'upsample2 trilinear' at column 19: trilinear upsampling needs a 3D "
            "input, got a 2D image of 8x8 with 8 channels; use bilinear or bicubic\n"
            "  8x8x8 | upsample2 trilinear\n"
            "                    ^^^^^^^^^",
        ),
        (
            "14x14x8 | upsample2 bilinear bicubic",
            "give one mode, found bilinear and bicubic at column 30\n"
            "  14x14x8 | upsample2 bilinear bicubic\n"
            "                               ^^^^^^^",
        ),
        (
            "14x14x8 | upsample2 aligncorners",
            "aligncorners needs an interpolating mode (linear, bilinear, bicubic or "
            "trilinear), not nearest at column 21\n"
            "  14x14x8 | upsample2 aligncorners\n"
            "                      ^^^^^^^^^^^^",
        ),
        (
            "14x14x8 | upsample2 bilinar",
            "unknown option 'bilinar' for upsample at column 21 — did you mean 'bilinear'?\n"
            "  14x14x8 | upsample2 bilinar\n"
            "                      ^^^^^^^",
        ),
    ],
)
def test_bad_modes_name_what_is_wrong_with_a_caret(spec: str, expected: str) -> None:
    with pytest.raises(SpecError) as info:
        analyze(spec)
    assert info.value.render() == expected
