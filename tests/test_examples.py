"""Every spec in examples/ gives its published totals."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from shapecalc import analyze
from shapecalc.cli import cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# Published totals: LeNet in d2l.ai ("Convolutional Neural Networks (LeNet)"), the Keras
# "Simple MNIST convnet" summary, torchvision's alexnet and vgg16 parameter counts.
EXPECTED = {
    "lenet.shape": ("10", 61_706),
    "keras_mnist.shape": ("10", 34_826),
    "alexnet.shape": ("1000", 61_100_840),
    "vgg16.shape": ("1000", 138_357_544),
    "quiz_same.shape": ("28x28x16", 160),
}

# Published trainable counts (PyTorch's convention: batchnorm running statistics are buffers,
# not parameters): torchvision's model documentation ("Params" of each weights enum) for the
# resnets, mobilenet_v2, squeezenet1_0, googlenet (aux_logits=False) and densenet121; the
# Keras MobileNet (alpha 1.0) summary for MobileNetV1 (4,253,864 total, 21,888 non-trainable);
# the same documentation for mobilenet_v3_small/_large, efficientnet_b0, regnet_y_400mf and
# convnext_tiny, whose models tests/test_torchvision_zoo.py also compares layer by layer.
EXPECTED_TRAINABLE = {
    "resnet18.shape": ("1000", 11_689_512),
    "resnet34.shape": ("1000", 21_797_672),
    "resnet50.shape": ("1000", 25_557_032),
    "mobilenet_v2.shape": ("1000", 3_504_872),
    "mobilenet_v1.shape": ("1000", 4_231_976),
    "squeezenet.shape": ("1000", 1_248_424),
    "googlenet.shape": ("1000", 6_624_904),
    "densenet121.shape": ("1000", 7_978_856),
    # torchvision's documented count for shufflenet_v2_x1_0.
    "shufflenet_v2.shape": ("1000", 2_278_604),
    # From the reference definitions in tests/reference_nets.py (the U-Net paper's Fig. 1,
    # the PyTorch DCGAN tutorial, the MNIST autoencoder tutorial), whose counts and outputs
    # test_example_references.py compares; the DCGAN counts are the tutorial's too.
    "unet.shape": ("388x388x2", 31_030_658),
    "unet_padded.shape": ("256x256x2", 31_030_658),
    "dcgan_generator.shape": ("64x64x3", 3_576_704),
    "dcgan_discriminator.shape": ("1x1x1", 2_765_568),
    "conv_autoencoder.shape": ("28x28x1", 210_369),
    "mobilenet_v3_small.shape": ("1000", 2_542_856),
    "mobilenet_v3_large.shape": ("1000", 5_483_032),
    "efficientnet_b0.shape": ("1000", 5_288_548),
    "regnet_y_400mf.shape": ("1000", 4_344_144),
    "convnext_tiny.shape": ("1000", 28_589_128),
}


def test_every_example_has_an_expectation() -> None:
    assert {p.name for p in EXAMPLES.glob("*.shape")} == set(EXPECTED) | set(EXPECTED_TRAINABLE)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_totals(name: str) -> None:
    analysis = analyze((EXAMPLES / name).read_text())
    output, params = EXPECTED[name]
    assert str(analysis.output_shape) == output
    assert analysis.totals.params == params
    # torchinfo's invariant: the per-layer counts add up to the total.
    assert sum(row.params for row in analysis.rows) == params


@pytest.mark.parametrize("name", sorted(EXPECTED_TRAINABLE))
def test_real_network_trainable_totals(name: str) -> None:
    analysis = analyze((EXAMPLES / name).read_text())
    output, trainable = EXPECTED_TRAINABLE[name]
    assert str(analysis.output_shape) == output
    assert analysis.totals.trainable == trainable
    assert sum(row.trainable for row in analysis.rows) == trainable


def test_mobilenet_v1_non_trainable_matches_keras() -> None:
    # Keras reports 21,888 non-trainable parameters: the batchnorm moving mean and variance.
    analysis = analyze((EXAMPLES / "mobilenet_v1.shape").read_text())
    assert analysis.totals.non_trainable == 21_888


@pytest.mark.parametrize("name", sorted(EXPECTED_TRAINABLE))
def test_real_network_passes_the_torch_check(name: str) -> None:
    pytest.importorskip("torch", reason="the check runs PyTorch (CI installs it)")
    result = CliRunner().invoke(cli, ["check", "-f", str(EXAMPLES / name), "--device", "meta"])
    assert result.exit_code == 0, result.output
    rows = len(analyze((EXAMPLES / name).read_text()).rows)
    assert f"{rows} of {rows} layers agree with torch" in result.output


@pytest.mark.parametrize("name", sorted(set(EXPECTED) | set(EXPECTED_TRAINABLE)))
def test_examples_stay_short(name: str) -> None:
    assert len((EXAMPLES / name).read_text().splitlines()) < 40
