"""reshape and crop compute, value by value, what a torch user writes for them.

``reshape4x4x1024`` is documented as torch's ``x.view(N, 1024, 4, 4)`` (values read channels
first); ``crop4`` as slicing ``x[:, :, 4:-4, 4:-4]``. The module each kind builds for
``shapecalc check`` and ``shapecalc torch`` is run on random tensors and compared with those
expressions. (Shapes and counts are checked with every other kind in test_against_torch.py.)
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shapecalc import analyze
from shapecalc.layers.reshape import Crop, Reshape
from shapecalc.strategies import single_layers

torch = pytest.importorskip("torch", reason="torch is the oracle (CI installs it)")

from shapecalc import torchcheck  # noqa: E402


@given(drawn=single_layers(Reshape), batch=st.integers(1, 3))
def test_reshape_is_torchs_view_in_nchw_order(drawn: object, batch: int) -> None:
    (row,) = analyze(drawn.text).rows  # type: ignore[attr-defined]
    x = torch.randn(batch, *(int(d) for d in row.input_shape.torch_order()[1:]))
    got = torchcheck.build_module(row.layer, row.input_shape)(x)
    target = [int(d) for d in row.output_shape.torch_order()[1:]]
    assert torch.equal(got, x.view(batch, *target))


@given(drawn=single_layers(Crop), batch=st.integers(1, 2))
def test_crop_is_slicing_the_centre(drawn: object, batch: int) -> None:
    (row,) = analyze(drawn.text).rows  # type: ignore[attr-defined]
    x = torch.randn(batch, *(int(d) for d in row.input_shape.torch_order()[1:]))
    got = torchcheck.build_module(row.layer, row.input_shape)(x)
    cuts = [int(n - o) // 2 for n, o in zip(row.input_shape.spatial, row.output_shape.spatial)]
    index = (slice(None), slice(None), *(slice(c, x.shape[2 + i] - c) for i, c in enumerate(cuts)))
    assert torch.equal(got, x[index])


def test_dcgans_projection_reads_the_dense_output_as_nchw() -> None:
    """The dense output's value k lands where torch's ``view(N, C, H, W)`` puts it:
    channel k // (H*W), row k // W % H, column k % W."""
    (row,) = analyze("32 | reshape2x4x4").rows
    x = torch.arange(32.0).reshape(1, 32)
    y = torchcheck.build_module(row.layer, row.input_shape)(x)
    assert tuple(y.shape) == (1, 4, 2, 4)
    assert y[0, 3, 1, 2].item() == 3 * 8 + 1 * 4 + 2
