"""The examples written from papers and reference code compute what those references compute.

Each example's ``shapecalc torch`` module is executed beside the reference PyTorch module
of tests/reference_nets.py (written from the paper or tutorial, not from shapecalc): the
trainable counts must be equal, and with the reference's weights copied in (parametrised
modules in order) the outputs on a random input must be equal too. U-Net runs on a 188x188
input: its crops are differences of sizes that every valid input keeps.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from shapecalc import analyze

torch = pytest.importorskip("torch", reason="the references are torch modules (CI installs it)")

import reference_nets  # noqa: E402

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
WEIGHTED = (torch.nn.Conv2d, torch.nn.ConvTranspose2d, torch.nn.BatchNorm2d, torch.nn.Linear)

CASES: dict[str, tuple[Callable[[], Any], tuple[str, str] | None, tuple[int, ...]]] = {
    "unet.shape": (reference_nets.UNet, ("572x572x1", "188x188x1"), (1, 188, 188)),
    "unet_padded.shape": (
        lambda: reference_nets.UNet(padded=True),
        ("256x256x1", "32x32x1"),
        (1, 32, 32),
    ),
    "dcgan_generator.shape": (reference_nets.dcgan_generator, None, (100, 1, 1)),
    "dcgan_discriminator.shape": (reference_nets.dcgan_discriminator, None, (3, 64, 64)),
    "conv_autoencoder.shape": (reference_nets.conv_autoencoder, None, (1, 28, 28)),
}


def trainable(module: Any) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def in_call_order(module: Any, x: Any) -> list[Any]:
    """The parametrised modules of ``module`` in the order a forward pass calls them."""
    called: list[Any] = []
    hooks = [
        m.register_forward_pre_hook(lambda m, _: called.append(m))
        for m in module.modules()
        if isinstance(m, WEIGHTED)
    ]
    with torch.no_grad():
        module(x)
    for hook in hooks:
        hook.remove()
    return called


def emitted(spec: str) -> Any:
    namespace: dict[str, Any] = {"__name__": "emitted"}
    exec(compile(analyze(spec).to_torch_code(), "<example>", "exec"), namespace)
    return namespace["Net"]().eval()


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_the_example_computes_what_its_reference_computes(name: str) -> None:
    build, resize, reference_input = CASES[name]
    spec = (EXAMPLES / name).read_text()
    torch.manual_seed(0)
    reference = build().eval()
    assert trainable(reference) == analyze(spec).totals.trainable
    if resize is not None:
        spec = spec.replace(*resize)
    net = emitted(spec)
    # The generator takes its noise as a vector (the spec's 100, reshaped to 1x1x100).
    x = torch.randn(2, *reference_input)
    x_ours = x.flatten(1) if name == "dcgan_generator.shape" else x
    theirs, ours = in_call_order(reference, x), in_call_order(net, x_ours)
    assert [type(m) for m in ours] == [type(m) for m in theirs]
    with torch.no_grad():
        for mine, source in zip(ours, theirs):
            if isinstance(source, torch.nn.BatchNorm2d):  # statistics that change the output
                source.running_mean.uniform_(-1, 1)
                source.running_var.uniform_(0.5, 2)
            mine.load_state_dict(source.state_dict())
        assert torch.allclose(net(x_ours), reference(x), atol=1e-5)
