"""Numeric conv and pooling against torch's conv2d / max_pool2d / avg_pool2d.

Cells are small integers or quarters, so torch's float64 sums are exact and conv and max
pooling must agree to the last bit; average pooling divides by the window area, which floats
only approximate. Cases torch refuses (a kernel larger than the padded input, more padding
than half a pooling window) must be refused by shapecalc too.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shapecalc import MatrixError, conv2d, pool2d
from shapecalc.torchcode import same_pad as tf_same_pad

torch = pytest.importorskip("torch", reason="torch is the oracle (CI installs it)")
F = torch.nn.functional

#: Integers, or quarters: exact in binary floating point, exact in our Fractions.
cells = st.one_of(
    st.integers(-9, 9),
    st.integers(-36, 36).map(lambda n: Fraction(n, 4)),
)


def volume(channels: int, height: int, width: int) -> st.SearchStrategy[Any]:
    row = st.lists(cells, min_size=width, max_size=width)
    matrix = st.lists(row, min_size=height, max_size=height)
    return st.lists(matrix, min_size=channels, max_size=channels)


def pair(low: int, high: int) -> st.SearchStrategy[Any]:
    """An int or an (H, W) pair."""
    return st.one_of(
        st.integers(low, high), st.tuples(st.integers(low, high), st.integers(low, high))
    )


def as_pair(value: Any) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else value


def tensor(values: Any) -> Any:
    return torch.tensor(
        [[[float(v) for v in row] for row in m] for m in values], dtype=torch.float64
    )


def exact(result: Any) -> list[Any]:
    return [[[float(v) for v in row] for row in m] for m in result.output]


def _extent(draw: st.DrawFn, low: int, high: int) -> int:
    """An input size: nine times in ten at least ``low`` (the window fits), else anything
    from 1 (so that refusals are compared with torch's too)."""
    fits = draw(st.integers(0, 9)) > 0
    return draw(st.integers(max(1, low), max(1, low) + 5) if fits else st.integers(1, high))


@st.composite
def conv_cases(draw: st.DrawFn) -> dict[str, Any]:
    c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride, dilation = draw(pair(1, 3)), draw(pair(1, 3))
    pad = draw(st.one_of(pair(0, 2), st.just("same")))
    (ph, pw), (dh, dw) = as_pair(pad if pad != "same" else 0), as_pair(dilation)
    h = _extent(draw, dh * (kh - 1) + 1 - 2 * ph, 7)
    w = _extent(draw, dw * (kw - 1) + 1 - 2 * pw, 7)
    return {
        "image": draw(volume(c_in, h, w)),
        "kernels": [draw(volume(c_in, kh, kw)) for _ in range(c_out)],
        "stride": stride,
        "pad": pad,
        "dilation": dilation,
        "bias": draw(st.none() | st.lists(cells, min_size=c_out, max_size=c_out)),
        "flip": draw(st.booleans()),
    }


# torch's note that 'same' with an even kernel copies the input: about speed, not results
@pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")
@given(conv_cases())
@pytest.mark.slow
def test_conv2d_equals_torch(case: dict[str, Any]) -> None:
    weight = torch.stack([tensor(k) for k in case["kernels"]])
    if case["flip"]:  # true convolution is cross-correlation with the flipped kernel
        weight = weight.flip(-1, -2)
    bias = (
        torch.tensor([float(b) for b in case["bias"]], dtype=torch.float64)
        if case["bias"] is not None
        else None
    )
    image = tensor(case["image"]).unsqueeze(0)
    stride, dilation = as_pair(case["stride"]), as_pair(case["dilation"])
    padding: Any = as_pair(case["pad"]) if case["pad"] != "same" else (0, 0)
    if case["pad"] == "same" and stride == (1, 1):
        padding = "same"  # torch's own 'same', defined for stride 1
    elif case["pad"] == "same":  # TensorFlow's 'same', as the calculator's oracle pads it
        (kh, kw), (h, w) = weight.shape[-2:], image.shape[-2:]
        top, bottom = tf_same_pad(h, kh, stride[0], dilation[0])
        left, right = tf_same_pad(w, kw, stride[1], dilation[1])
        image = F.pad(image, (left, right, top, bottom))
    try:
        expected = F.conv2d(image, weight, bias, stride=stride, padding=padding, dilation=dilation)[
            0
        ].tolist()
    except RuntimeError:
        expected = None
    try:
        ours: list[Any] | None = exact(conv2d(**case))
    except MatrixError as err:
        assert "is larger than the padded input" in str(err)
        ours = None
    assert ours == expected


@st.composite
def pool_cases(draw: st.DrawFn) -> dict[str, Any]:
    c = draw(st.integers(1, 3))
    size = draw(pair(1, 4))
    kh, kw = as_pair(size)
    # nine times in ten a pad torch accepts (at most half the window), else anything up to 2
    if draw(st.integers(0, 9)) > 0:
        pad: Any = (draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2)))
    else:
        pad = draw(pair(0, 2))
    ph, pw = as_pair(pad)
    h, w = _extent(draw, kh - 2 * ph, 7), _extent(draw, kw - 2 * pw, 7)
    return {
        "image": draw(volume(c, h, w)),
        "size": size,
        "stride": draw(st.none() | pair(1, 3)),
        "pad": pad,
        "mode": draw(st.sampled_from(["max", "avg"])),
    }


@given(pool_cases())
def test_pool2d_equals_torch(case: dict[str, Any]) -> None:
    pool = F.max_pool2d if case["mode"] == "max" else F.avg_pool2d
    try:
        expected = pool(
            tensor(case["image"]).unsqueeze(0),
            as_pair(case["size"]),
            stride=as_pair(case["stride"]) if case["stride"] is not None else None,
            padding=as_pair(case["pad"]),
        )[0].tolist()
    except RuntimeError:
        expected = None
    try:
        ours: list[Any] | None = exact(pool2d(**case))
    except MatrixError as err:
        assert "is larger than the padded input" in str(err) or "more than half" in str(err)
        ours = None
    if case["mode"] == "avg" and ours is not None and expected is not None:
        assert len(ours) == len(expected)  # then every channel's size and values
        for mine, theirs in zip(ours, expected):
            assert [len(row) for row in mine] == [len(row) for row in theirs]
            flat = [v for row in theirs for v in row]
            assert [v for row in mine for v in row] == pytest.approx(flat, rel=1e-12, abs=1e-12)
    else:
        assert ours == expected
