"""ResNet-18 imported with a symbolic input: its formulas agree with torch at sample sizes."""

from __future__ import annotations

import pytest
import torch

from shapecalc import analyze, from_torch
from shapecalc.imports.torch_frontend import import_torchvision

import_torchvision()
from torchvision import models  # noqa: E402

SIZES = [(224, 224), (32, 32), (97, 131), (1, 1), (300, 17)]


@pytest.mark.slow
def test_symbolic_resnet18_matches_torch_at_sample_sizes() -> None:
    model = models.resnet18().eval()
    spec = from_torch(model, "HxWx3")
    assert "\nHxWx3\n" in spec
    symbolic = analyze(spec)
    pooled = next(row for row in symbolic.rows if row.spec == "globalavgpool")
    height, width, channels = pooled.input_shape.dims
    (h_symbol,) = height.free_symbols
    (w_symbol,) = width.free_symbols
    assert (h_symbol.name, w_symbol.name, channels) == ("H", "W", 512)
    features = torch.nn.Sequential(*list(model.children())[:-2])
    for h, w in SIZES:
        with torch.no_grad():
            fmap = features(torch.randn(1, 3, h, w))
            out = model(torch.randn(1, 3, h, w))
        # The formula itself, and the analysis at that size.
        assert int(height.subs(h_symbol, h)) == fmap.shape[2]
        assert int(width.subs(w_symbol, w)) == fmap.shape[3]
        concrete = analyze(spec, H=h, W=w)
        row = next(r for r in concrete.rows if r.spec == "globalavgpool")
        assert tuple(row.input_shape.torch_order(1)) == tuple(fmap.shape)
        assert tuple(concrete.output_shape.torch_order(1)) == tuple(out.shape)
