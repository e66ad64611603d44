"""Every torchvision classification family, imported and checked against torch itself.

For each model: the imported spec's trainable parameters and running statistics are torch's
(counted here from the module), its output shape is that of a real forward pass, and the
spec passes ``shapecalc check`` (every layer rebuilt in torch and compared). torchvision is
a test-only dependency whose compiled operators do not load beside the CPU torch: the model
definitions are pure Python, and :func:`shapecalc.imports.torch_frontend.import_torchvision`
imports them (it is what ``shapecalc import torchvision.models:...`` does too).
"""

from __future__ import annotations

import pytest
import torch

from shapecalc import ModelImportError, analyze, from_torch
from shapecalc.imports.torch_frontend import import_torchvision

import_torchvision()
from torchvision import models  # noqa: E402

#: One or two builders of every family the issue lists.
FAMILIES = [
    "alexnet",
    "vgg11",
    "vgg11_bn",
    "resnet18",
    "resnet50",
    "resnext50_32x4d",
    "wide_resnet50_2",
    "densenet121",
    "squeezenet1_0",
    "squeezenet1_1",
    "mobilenet_v2",
    "mobilenet_v3_small",
    "mobilenet_v3_large",
    "efficientnet_b0",
    "efficientnet_v2_s",
    "mnasnet0_5",
    "regnet_x_400mf",
    "regnet_y_400mf",
    "inception_v3",
    "googlenet",
    "convnext_tiny",
    "shufflenet_v2_x0_5",
    "shufflenet_v2_x1_0",
]


def build(name: str, **kwargs: object) -> torch.nn.Module:
    if name in ("inception_v3", "googlenet"):
        kwargs = {"aux_logits": False, "init_weights": False, **kwargs}
    return getattr(models, name)(**kwargs).eval()


def running_statistics(model: torch.nn.Module) -> int:
    return sum(
        b.numel()
        for n, b in model.named_buffers()
        if n.rsplit(".", 1)[-1] in ("running_mean", "running_var")
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", FAMILIES)
def test_family_imports_exactly(name: str) -> None:
    model = build(name)
    size = 299 if name == "inception_v3" else 224
    spec = from_torch(model, f"{size}x{size}x3", name=name)
    analysis = analyze(spec)
    assert analysis.totals.trainable == sum(p.numel() for p in model.parameters())
    assert analysis.totals.non_trainable == running_statistics(model)
    with torch.no_grad():
        out = model(torch.randn(1, 3, size, size))
    assert tuple(analysis.output_shape.torch_order(1)) == tuple(out.shape)
    result = analysis.check(device="meta")
    assert result.ok, result.summary()


@pytest.mark.slow
def test_resnet50_is_bottlenecks_in_tens_of_lines() -> None:
    spec = from_torch(build("resnet50"), "224x224x3")
    assert len(spec.splitlines()) < 40
    assert "bottleneck_b(256, 1024)x5  # layer3.1-5: Bottleneck" in spec


@pytest.mark.slow
def test_shufflenet_is_split_and_shuffle_blocks() -> None:
    spec = from_torch(build("shufflenet_v2_x1_0"), "224x224x3")
    assert "inverted_residual_b(116)x7  # stage3.1-7: InvertedResidual" in spec
    assert "= split(identity ; conv1x1x{a} nobias" in spec
    assert ") | shuffle2" in spec


@pytest.mark.slow
def test_a_transformer_is_refused_naming_every_module() -> None:
    # Attention has no layer kind: one line names every module that has none.
    with pytest.raises(ModelImportError) as caught:
        from_torch(models.vit_b_32(), "224x224x3")
    message = str(caught.value)
    assert "\n" not in message
    for i in range(12):
        assert f"encoder.layers.encoder_layer_{i}.self_attention: MultiheadAttention" in message


@pytest.mark.slow
def test_parameters_no_forward_pass_reaches_are_named() -> None:
    model = models.googlenet(aux_logits=True, init_weights=False)
    spec = from_torch(model, "224x224x3")
    aux = sum(p.numel() for n, p in model.named_parameters() if n.startswith("aux"))
    assert "Not in the forward pass, so not in this spec: aux1 (InceptionAux" in spec
    assert analyze(spec).totals.trainable == sum(p.numel() for p in model.parameters()) - aux
