"""Numeric transposed convolution against torch's conv_transpose2d.

Cells are small integers or quarters, so torch's float64 sums are exact and the results must
agree to the last bit. Cases torch refuses (an outpad not smaller than the stride or the
dilation, padding that leaves no output) must be refused by shapecalc too. Keras' ``same``
and ``valid`` are checked against their definitions in test_deconv_vs_torch.py; here against
the calculator's own torch module for the layer.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shapecalc import MatrixError, analyze, conv_transpose2d

from .test_numeric_vs_torch import as_pair, cells, exact, pair, tensor, volume

torch = pytest.importorskip("torch", reason="torch is the oracle (CI installs it)")
F = torch.nn.functional


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    h, w = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    return {
        "image": draw(volume(c_in, h, w)),
        "kernels": [draw(volume(c_in, kh, kw)) for _ in range(c_out)],
        "stride": draw(pair(1, 3)),
        "pad": draw(pair(0, 2)),
        "outpad": draw(pair(0, 2)),
        "dilation": draw(pair(1, 3)),
        "bias": draw(st.none() | st.lists(cells, min_size=c_out, max_size=c_out)),
        "flip": draw(st.booleans()),
    }


def _weight(case: dict[str, Any]) -> Any:
    # torch's conv_transpose2d weight is (C_in, C_out, kh, kw): kernels[o][i] is weight[i][o]
    weight = torch.stack([tensor(k) for k in case["kernels"]]).transpose(0, 1)
    return weight.flip(-1, -2) if case["flip"] else weight


def _bias(case: dict[str, Any]) -> Any:
    if case["bias"] is None:
        return None
    return torch.tensor([float(b) for b in case["bias"]], dtype=torch.float64)


@given(cases())
def test_conv_transpose2d_equals_torch(case: dict[str, Any]) -> None:
    try:
        expected = F.conv_transpose2d(
            tensor(case["image"]).unsqueeze(0),
            _weight(case),
            _bias(case),
            stride=as_pair(case["stride"]),
            padding=as_pair(case["pad"]),
            output_padding=as_pair(case["outpad"]),
            dilation=as_pair(case["dilation"]),
        )[0].tolist()
    except RuntimeError:
        expected = None
    try:
        ours: list[Any] | None = exact(conv_transpose2d(**case))
    except MatrixError as err:
        assert "outpad" in str(err) or "leaves no output" in str(err), err
        ours = None
    assert ours == expected


@given(cases(), st.sampled_from(["same", "valid"]))
def test_keras_padding_equals_the_layers_torch_module(case: dict[str, Any], pad: str) -> None:
    from shapecalc.torchcheck import build_module

    case = {**case, "pad": pad, "outpad": 0, "dilation": 1}
    (c_in, h, w), c_out = (len(case["image"]), len(case["image"][0]), len(case["image"][0][0])), (
        len(case["kernels"])
    )
    kh, kw = len(case["kernels"][0][0]), len(case["kernels"][0][0][0])
    sh, sw = as_pair(case["stride"])
    (row,) = analyze(f"{h}x{w}x{c_in} | deconv{kh}x{kw}x{c_out} stride{sh}x{sw} {pad}").rows
    module = build_module(row.layer, row.input_shape).double()
    conv = module[0] if isinstance(module, torch.nn.Sequential) else module
    with torch.no_grad():
        conv.weight.copy_(_weight(case))
        if case["bias"] is None:
            conv.bias.zero_()
        else:
            conv.bias.copy_(_bias(case))
        expected = module(tensor(case["image"]).unsqueeze(0))[0].tolist()
    assert exact(conv_transpose2d(**case)) == expected


def test_explain_lists_the_input_cells_that_reach_each_output() -> None:
    result = conv_transpose2d([[1, 2]], [[[1, 10]]], stride=2, bias=[5], explain=True)
    assert result.output == (((6, 15, 7, 25),),)
    assert [c.products for c in result.cells] == [
        (((1, 1),),),
        (((1, 10),),),
        (((2, 1),),),
        (((2, 10),),),
    ]
