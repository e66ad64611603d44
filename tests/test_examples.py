"""Every spec in examples/ gives its published totals."""

from __future__ import annotations

from pathlib import Path

import pytest

from shapecalc import analyze

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


def test_every_example_has_an_expectation() -> None:
    assert {p.name for p in EXAMPLES.glob("*.shape")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_totals(name: str) -> None:
    analysis = analyze((EXAMPLES / name).read_text())
    output, params = EXPECTED[name]
    assert str(analysis.output_shape) == output
    assert analysis.totals.params == params
    # torchinfo's invariant: the per-layer counts add up to the total.
    assert sum(row.params for row in analysis.rows) == params
