"""``shuffle{g}`` and ``split( a ; b )`` compute, value by value, what ShuffleNetV2 computes.

torchvision's ``channel_shuffle`` is ``x.view(N, g, C//g, H, W).transpose(1, 2)`` flattened
back; its stride-1 unit is ``x1, x2 = x.chunk(2, dim=1); cat((x1, branch(x2)), dim=1)``. The
emitted code of ``shapecalc torch`` is executed and compared with those expressions on random
tensors. (Shapes and counts are checked with every other kind in test_against_torch.py.)
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shapecalc import analyze
from shapecalc.layers.reshape import ChannelShuffle
from shapecalc.strategies import single_layers

torch = pytest.importorskip("torch", reason="torch is the oracle (CI installs it)")

from shapecalc import torchcheck  # noqa: E402


def reference_shuffle(x: Any, groups: int) -> Any:
    """torchvision.models.shufflenetv2.channel_shuffle, for any spatial rank."""
    n, c, *spatial = x.shape
    return x.view(n, groups, c // groups, *spatial).transpose(1, 2).reshape(n, c, *spatial)


@given(drawn=single_layers(ChannelShuffle), batch=st.integers(1, 2))
def test_shuffle_is_shufflenets_transpose(drawn: object, batch: int) -> None:
    (row,) = analyze(drawn.text).rows  # type: ignore[attr-defined]
    x = torch.randn(batch, *(int(d) for d in row.input_shape.torch_order()[1:]))
    got = torchcheck.build_module(row.layer, row.input_shape)(x)
    assert torch.equal(got, reference_shuffle(x, int(row.layer.groups)))  # type: ignore[attr-defined]


def emitted_net(spec: str) -> Any:
    """The module ``shapecalc torch`` writes for ``spec``, executed."""
    namespace: dict[str, Any] = {"__name__": "emitted"}
    exec(analyze(spec).to_torch_code(), namespace)
    return namespace["Net"]().eval()


@given(half=st.integers(1, 4), side=st.integers(1, 5), paths=st.sampled_from([2, 3]))
def test_split_chunks_the_channels_and_concatenates(half: int, side: int, paths: int) -> None:
    """The identity path keeps its chunk untouched, the others get theirs, in order."""
    channels = half * paths
    rest = " ; ".join(["conv1x1x3"] * (paths - 1))
    net = emitted_net(f"{side}x{side}x{channels} | split( identity ; {rest} )")
    x = torch.randn(2, channels, side, side)
    with torch.no_grad():
        y = net(x)
        chunks = x.chunk(paths, dim=1)
        convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
        want = torch.cat([chunks[0], *(conv(c) for conv, c in zip(convs, chunks[1:]))], dim=1)
    assert torch.equal(y, want)
