"""The torchvision networks in examples/, layer by layer against torchvision's own models.

Each spec is compared with the model torchvision builds (no weights, on the meta device):
the trainable count, and, in order, every module that owns parameters against every row that
has them — their parameter counts and output shapes. The squeeze-and-excitation gates, the
projection shortcuts and ConvNeXt's layer scale (a parameter of torchvision's CNBlock, not a
module) are all among them, so a block left out or misplaced fails here.

torchvision's PyPI wheel is built against CUDA torch, so its compiled ops (``_C.so``) do not
load beside the CPU torch, and ``import torchvision`` fails while ``_meta_registrations``
registers meta kernels for those missing ops (pytorch/vision#9085; ../shared/STYLE.md pitfall
10). The model definitions are pure Python and never call those ops, so they are imported
through :func:`shapecalc.imports.torch_frontend.import_torchvision`, which defines the two
missing operator schemas first. CI installs ``torchvision==0.28.0 --no-deps``
(the release whose metadata pins torch 2.13.0) and Pillow. Models are built on the CPU (RegNet
computes its widths with tensors) and run on the meta device.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shapecalc import analyze
from shapecalc.layers.activation import DropPath
from shapecalc.shape import Shape

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

#: example file -> (torchvision builder, torchvision's trainable count).
ZOO = {
    "mobilenet_v3_small.shape": ("mobilenet_v3_small", 2_542_856),
    "mobilenet_v3_large.shape": ("mobilenet_v3_large", 5_483_032),
    "efficientnet_b0.shape": ("efficientnet_b0", 5_288_548),
    "regnet_y_400mf.shape": ("regnet_y_400mf", 4_344_144),
    "convnext_tiny.shape": ("convnext_tiny", 28_589_128),
}


def torchvision_models() -> Any:
    """``torchvision.models``, imported without its compiled ops (see the module docstring):
    through the same loader ``shapecalc import`` uses, so the workaround lives in one place."""
    from shapecalc.imports.torch_frontend import import_torchvision

    import_torchvision()
    import torchvision.models

    return torchvision.models


def torchvision_layers(model: Any) -> list[tuple[int, tuple[int, ...]]]:
    """(own trainable parameters, output shape channels last) of each module that owns
    parameters, in the order the forward pass finishes them, shortcuts after main paths."""
    import torch

    channels_last = (torch.nn.Linear, torch.nn.LayerNorm)
    layers: list[tuple[str, int, tuple[int, ...]]] = []

    def hook(name: str) -> Any:
        def record(module: Any, args: Any, output: Any) -> None:
            own = sum(p.numel() for p in module.parameters(recurse=False) if p.requires_grad)
            size = tuple(output.shape)
            # ConvNeXt's Linear and LayerNorm run on channels-last maps (N, H, W, C); its
            # LayerNorm2d, a subclass of LayerNorm, on (N, C, H, W) as every other module.
            if type(module) in channels_last:
                dims = size[1:]
            else:
                dims = Shape.from_torch_order(size).dims
            layers.append((name, own, tuple(int(d) for d in dims)))

        return record

    for name, module in model.named_modules():
        if any(True for _ in module.parameters(recurse=False)):
            module.register_forward_hook(hook(name))
    model.eval()
    with torch.no_grad():
        model(torch.empty(1, 3, 224, 224, device="meta"))
    return main_before_shortcut(layers)


def main_before_shortcut(
    layers: list[tuple[str, int, tuple[int, ...]]],
) -> list[tuple[int, tuple[int, ...]]]:
    """The layers with each projection shortcut moved after its block's main path.

    torchvision's RegNet block computes ``self.proj(x) + self.f(x)``: the shortcut (``proj``)
    runs first. The spec writes ``res(main ; shortcut)``, as shapecalc's table shows a block,
    and the sum is the same either way.
    """
    ordered: list[tuple[int, tuple[int, ...]]] = []
    held: list[tuple[int, tuple[int, ...]]] = []
    block = ""
    for name, own, dims in layers:
        if held and not name.startswith(block + "."):
            ordered.extend(held)
            held.clear()
        if ".proj." in name:
            block = name.split(".proj.")[0]
            held.append((own, dims))
        else:
            ordered.append((own, dims))
    return ordered + held


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ZOO))
def test_example_matches_torchvision_layer_by_layer(name: str) -> None:
    builder, trainable = ZOO[name]
    model = getattr(torchvision_models(), builder)().to("meta")
    assert sum(p.numel() for p in model.parameters() if p.requires_grad) == trainable

    analysis = analyze((EXAMPLES / name).read_text())
    ours = [
        (int(row.trainable), tuple(int(d) for d in row.output_shape.dims))
        for row in analysis.rows
        if row.trainable
    ]
    assert ours == torchvision_layers(model)
    assert analysis.totals.trainable == trainable


@pytest.mark.slow
def test_efficientnet_b0_drops_paths_at_torchvision_rates() -> None:
    model = torchvision_models().efficientnet_b0()
    # torchvision builds a StochasticDepth in every MBConv but runs it only in the blocks
    # with a residual connection.
    rates = [
        block.stochastic_depth.p
        for block in model.modules()
        if type(block).__name__ == "MBConv" and block.use_res_connect
    ]
    analysis = analyze((EXAMPLES / "efficientnet_b0.shape").read_text())
    ours = [row.layer.p for row in analysis.rows if isinstance(row.layer, DropPath)]
    assert ours == pytest.approx(rates, rel=1e-12)
