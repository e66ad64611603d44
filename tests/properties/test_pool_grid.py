"""Pooling output sizes on an exhaustive grid of small cases, against torch.

Ceil mode has PyTorch's special rule (the last window must start inside the input or the left
padding) and lets a window overhang the end; the grid covers every combination of size,
window, stride and padding up to small bounds, so the rule is checked at every edge.
"""

from __future__ import annotations

import itertools

import pytest

from shapecalc import ShapeError, analyze

torch = pytest.importorskip("torch")

CASES = [
    (n, k, s, p)
    for n, k, s, p in itertools.product(range(1, 10), range(1, 6), range(1, 6), range(0, 3))
    if 2 * p <= k  # torch refuses more padding than half the window
]


def _torch_size(mode: str, n: int, k: int, s: int, p: int, ceil: bool) -> int | None:
    pool = torch.nn.MaxPool1d if mode == "max" else torch.nn.AvgPool1d
    try:
        return int(pool(k, s, p, ceil_mode=ceil)(torch.zeros(1, 1, n)).shape[-1])
    except RuntimeError:
        return None


@pytest.mark.parametrize("ceil", [False, True], ids=["floor", "ceil"])
@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pool_sizes_equal_torch_on_a_grid(mode: str, ceil: bool) -> None:
    mismatches = []
    for n, k, s, p in CASES:
        spec = f"{n}x1 | {mode}pool{k} stride{s} pad{p}" + (" ceil" if ceil else "")
        try:
            ours: int | None = int(analyze(spec).output_shape.dims[0])
        except ShapeError:
            ours = None
        theirs = _torch_size(mode, n, k, s, p, ceil)
        if ours != theirs:
            mismatches.append((spec, ours, theirs))
    assert not mismatches, mismatches[:10]
    assert len(CASES) == 495  # the grid is not silently empty
