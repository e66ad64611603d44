"""torch's conventions carried over: padding="same" and even kernels, ceil mode, dilation,
groups, bias flags, transposed convolution, and the functional forms of layers."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from shapecalc import ModelImportError, analyze, from_torch

#: Each builds and traces torch modules: seconds, not milliseconds.
pytestmark = pytest.mark.slow


class Functional(nn.Module):
    """Layers written as calls rather than modules, and the merges as functions."""

    def __init__(self, pad: tuple[int, ...] = (1, 1, 1, 1)) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 4, padding="same", bias=False)  # an even kernel
        self.dilated = nn.Conv2d(8, 8, 3, dilation=2, groups=4, padding=2)
        self.up = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)
        self.pad = nn.ZeroPad2d(pad)
        self.fc = nn.Linear(12 * 7 * 7, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.conv(x))
        x = torch.add(x, F.hardtanh(self.dilated(x), 0.0, 6.0))
        x = F.max_pool2d(x, 3, stride=2, ceil_mode=True)
        y = F.avg_pool2d(self.pad(self.up(x)), 2)
        x = torch.cat([F.adaptive_avg_pool2d(x, 7), F.adaptive_max_pool2d(y, 7)], dim=1)
        x = F.dropout(x, 0.25, training=self.training)
        return self.fc(x.reshape(x.size(0), -1))


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("size", [(33, 33), (40, 29)])
def test_conventions_match_a_forward_pass(size: tuple[int, int]) -> None:
    model = Functional().eval()
    h, w = size
    analysis = analyze(from_torch(model, f"{h}x{w}x3"))
    with torch.no_grad():
        out = model(torch.randn(1, 3, h, w))
    assert tuple(analysis.output_shape.torch_order(1)) == tuple(out.shape)
    assert analysis.totals.trainable == sum(p.numel() for p in model.parameters())
    specs = [row.spec for row in analysis.rows]
    assert specs[0] == "conv4x4x8 same nobias"
    assert "conv3x3x8 pad2 dilation2 groups4" in specs
    assert "maxpool3 stride2 ceil" in specs
    assert "relu6" in specs
    assert analysis.check(device="meta").ok


def test_settings_without_a_spec_form_are_refused_by_path() -> None:
    with pytest.raises(ModelImportError, match=r"module has no layer kind: pad: ZeroPad2d \(zero"):
        from_torch(Functional(pad=(1, 0, 2, 1)), "33x33x3")
