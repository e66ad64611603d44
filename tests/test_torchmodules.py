"""The torch modules shapecalc defines (shapecalc.torchmodules) for kinds torch has no class
for: they compute what their kinds say, and the emitted code carries exactly their source."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

from shapecalc import TorchError, analyze
from shapecalc.torchcode import defined_sources

torch = pytest.importorskip("torch", reason="the modules are torch modules (CI installs torch)")

from torch import nn  # noqa: E402

from shapecalc import torchcheck, torchmodules  # noqa: E402

CLASSES = [
    cls
    for cls in vars(torchmodules).values()
    if isinstance(cls, type) and cls.__module__ == torchmodules.__name__
]


def test_the_classes_are_found() -> None:
    assert sorted(cls.__name__ for cls in CLASSES) == sorted(defined_sources())
    assert list(defined_sources()) == ["ChannelLayerNorm", "LayerScale", "DropPath", "Reshape", "Crop", "Chunk"]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_each_class_is_a_module_named_like_no_torch_class(cls: type) -> None:
    assert issubclass(cls, nn.Module)
    assert not hasattr(nn, cls.__name__), f"{cls.__name__} shadows torch.nn's"
    assert torchcheck.torch_class(cls.__name__) is cls


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_the_emitted_source_is_the_class_source(cls: type) -> None:
    assert defined_sources()[cls.__name__] == inspect.getsource(cls).rstrip("\n")


@pytest.mark.slow
def test_the_sources_need_only_torch_and_nn_and_are_ruff_clean() -> None:
    code = "import torch\nfrom torch import nn\n\n\n" + "\n\n\n".join(defined_sources().values())
    namespace: dict[str, object] = {}
    exec(compile(code + "\n", "<emitted>", "exec"), namespace)  # noqa: S102
    x = torch.randn(2, 4, 3, 5)
    for name, args in (("ChannelLayerNorm", (4,)), ("LayerScale", (4,)), ("DropPath", (0.5,))):
        emitted = namespace[name](*args).eval()  # type: ignore[operator]
        ours = getattr(torchmodules, name)(*args).eval()
        emitted.load_state_dict(ours.state_dict())
        assert torch.equal(emitted(x), ours(x))
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select",
         "E,F,W,I,UP,B", "--line-length", "88", "--stdin-filename", "net.py", "-"],
        input=code + "\n",
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_torch_class_names_an_unknown_class() -> None:
    with pytest.raises(TorchError, match="no torch module class 'Nope' in torch.nn or shapecalc"):
        torchcheck.torch_class("Nope")


@pytest.mark.parametrize("size", [(3, 5, 7), (3, 5, 4, 6), (3, 5, 2, 3, 4)])
def test_channel_layer_norm_normalises_the_channels_at_each_position(
    size: tuple[int, ...],
) -> None:
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(*size, generator=generator)
    module = torchmodules.ChannelLayerNorm(size[1])
    with torch.no_grad():
        module.norm.weight.copy_(torch.randn(size[1], generator=generator))
        module.norm.bias.copy_(torch.randn(size[1], generator=generator))
        y = module(x)
    mean = x.mean(dim=1, keepdim=True)
    var = x.var(dim=1, keepdim=True, unbiased=False)
    shape = (1, -1) + (1,) * (len(size) - 2)
    want = (x - mean) / torch.sqrt(var + 1e-5) * module.norm.weight.view(shape) + (
        module.norm.bias.view(shape)
    )
    assert torch.allclose(y, want, atol=1e-5)
    # GroupNorm(1, C) normalises over C*H*W together: a different layer.
    assert not torch.allclose(nn.GroupNorm(1, size[1])(x), nn.functional.layer_norm(
        x.movedim(1, -1), (size[1],)).movedim(-1, 1), atol=1e-3)


def test_channel_layer_norm_without_bias_has_the_scale_alone() -> None:
    module = torchmodules.ChannelLayerNorm(6, bias=False)
    assert [name for name, _ in module.named_parameters()] == ["norm.weight"]


def test_layer_scale_scales_each_channel() -> None:
    module = torchmodules.LayerScale(3)
    with torch.no_grad():
        module.weight.copy_(torch.tensor([1.0, 2.0, -1.0]))
        x = torch.ones(2, 3, 4, 4)
        assert torch.equal(module(x)[:, :, 0, 0], torch.tensor([[1.0, 2.0, -1.0]] * 2))
        assert torch.equal(module(torch.ones(2, 3)), torch.tensor([[1.0, 2.0, -1.0]] * 2))
    assert torch.equal(torchmodules.LayerScale(5).weight, torch.full((5,), 1e-6))


def test_drop_path_drops_whole_samples_in_training_only() -> None:
    x = torch.randn(1000, 3, 2, 2) + 10  # no element is 0
    module = torchmodules.DropPath(0.25)
    assert module.eval()(x) is x
    torch.manual_seed(0)
    y = module.train()(x)
    dropped = (y == 0).flatten(1).all(dim=1)
    kept = torch.isclose(y, x / 0.75).flatten(1).all(dim=1)
    assert bool((dropped | kept).all())  # each sample is dropped or scaled, whole
    assert 0.2 < dropped.float().mean().item() < 0.3
    assert torch.equal(torchmodules.DropPath(1.0).train()(x), torch.zeros_like(x))
    assert torchmodules.DropPath(0.0).train()(x) is x


def test_emitted_code_defines_each_used_class_once() -> None:
    code = analyze("8x8x4 | ln | layerscale | ln | droppath0.1 | ln | gap | ln").to_torch_code()
    assert code.count("class ChannelLayerNorm(nn.Module):") == 1
    assert code.count("class LayerScale(nn.Module):") == 1
    assert code.count("class DropPath(nn.Module):") == 1
    assert "            nn.LayerNorm(4)," in code  # on the flat vector, torch's own
    assert "class " not in analyze("8x8x4 | gn2 | instancenorm | prelu").to_torch_code().split(
        "class Net"
    )[0]
