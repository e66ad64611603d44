"""PReLU, Mish, Softplus, the slope of leaky ReLU and stochastic depth: counts, canonical
text, named errors, the torch modules they refuse to read, and what Keras counts.

Their torch counterparts are checked against torch by the property tests, their costs
against the tools by tests/properties/test_kind_costs_vs_tools.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_norm_kinds import keras_counts

from shapecalc import Shape, SpecError, TorchError, analyze
from shapecalc.layers import Layer
from shapecalc.layers.activation import DropPath, LeakyReLU, PReLU, Softplus, decimal


@pytest.mark.parametrize(
    ("spec", "trainable", "canonical"),
    [
        ("56x56x64 | prelu", 1, "prelu"),
        ("56x56x64 | prelu channelwise", 64, "prelu channelwise"),
        ("10 | prelu channelwise", 10, "prelu channelwise"),
        ("8x8x4 | mish", 0, "mish"),
        ("8x8x4 | softplus", 0, "softplus"),
        # plain leakyrelu is torch's slope 0.01, and keeps its text
        ("8x8x4 | leakyrelu", 0, "leakyrelu"),
        ("8x8x4 | leakyrelu0.01", 0, "leakyrelu"),
        ("8x8x4 | leakyrelu0.2", 0, "leakyrelu0.2"),
        ("8x8x4 | leakyrelu1", 0, "leakyrelu1"),
        ("8x8x4 | leakyrelu0", 0, "leakyrelu0"),
        ("8x8x4 | droppath0.1", 0, "droppath0.1"),
        ("8x8x4 | droppath0", 0, "droppath0"),
        ("8x8x4 | droppath1", 0, "droppath1"),
    ],
)
def test_counts_and_canonical_text(spec: str, trainable: int, canonical: str) -> None:
    (row,) = analyze(spec).rows
    assert (row.trainable, row.non_trainable) == (trainable, 0)
    assert row.output_shape == row.input_shape
    assert row.layer.to_spec() == canonical
    (again,) = analyze(f"{row.input_shape} | {canonical}").rows
    assert again.layer == row.layer


def test_slopes_and_probabilities_read_back_exactly() -> None:
    assert [decimal(v) for v in (0.2, 1.0, 0.0, 1e-05, 0.123456789)] == [
        "0.2",
        "1",
        "0",
        "0.00001",
        "0.123456789",
    ]
    for layer in (LeakyReLU(1e-05), LeakyReLU(0.123456789), DropPath(0.3333333333333333)):
        (row,) = analyze(f"8 | {layer.to_spec()}").rows
        assert row.layer == layer


def test_drawing_labels() -> None:
    labels = {
        "prelu channelwise": "PReLU",
        "mish": "Mish",
        "softplus": "Softplus",
        "leakyrelu": "LeakyReLU",
        "leakyrelu0.2": "LeakyReLU 0.2",
        "droppath0.2": "DropPath 0.2",
    }
    for text, label in labels.items():
        (row,) = analyze(f"8x8x64 | {text}").rows
        assert row.layer.drawing_label(row.input_shape) == label


def test_working_shows_the_counts() -> None:
    analysis = analyze("8x8x64 | prelu | prelu channelwise")
    steps = [
        [f"{step.quantity}: {step.line()}" for step in layer.steps]
        for layer in analysis.explain().layers
    ]
    assert steps == [["params: 1"], ["params: C = 64"]]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            "8x8x4 | prelu4",
            "'prelu4' does not match the form prelu or prelu channelwise at column 9\n  8x8x4 | prelu4\n          ^^^^^^",
        ),
        (
            "8x8x4 | prelu channelwize",
            "unknown option 'channelwize' for prelu at column 15 — did you mean 'channelwise'?\n  8x8x4 | prelu channelwize\n                ^^^^^^^^^^^",
        ),
        (
            "10 | leakyrelu2",
            "leakyrelu slope must be a number from 0 to 1, got '2' at column 15\n  10 | leakyrelu2\n                ^",
        ),
        (
            "10 | leakyrelu{a}",
            "leakyrelu slope must be a number from 0 to 1, got '{a}' at column 15\n  10 | leakyrelu{a}\n                ^^^",
        ),
        (
            "8x8x4 | droppath",
            "'droppath' does not match the form droppath<p>, as in droppath0.1 at column 9\n  8x8x4 | droppath\n          ^^^^^^^^",
        ),
        (
            "10 | droppath1.5",
            "droppath probability must be a number from 0 to 1, got '1.5' at column 14\n  10 | droppath1.5\n               ^^^",
        ),
        (
            "8x8x4 | mish2",
            "'mish2' does not match the form mish at column 9\n  8x8x4 | mish2\n          ^^^^^",
        ),
    ],
)
def test_spec_errors_are_named(spec: str, expected: str) -> None:
    with pytest.raises(SpecError) as info:
        analyze(spec)
    assert info.value.render() == expected


@pytest.mark.parametrize(
    ("kind", "module", "message"),
    [
        (
            PReLU,
            ("PReLU", (3,), {}),
            "PReLU(3) on 8x8x4 has no spec form; prelu has 1 slope or one per channel",
        ),
        (
            LeakyReLU,
            ("LeakyReLU", (5.0,), {}),
            "LeakyReLU(5) has no spec form; the slope is from 0 to 1",
        ),
        (
            Softplus,
            ("Softplus", (), {"beta": 2}),
            "Softplus(beta=2, threshold=20) has no spec form; softplus is torch's default "
            "(beta 1, threshold 20)",
        ),
    ],
)
def test_torch_modules_without_a_spec_form_are_refused(
    kind: type[Layer], module: tuple[str, tuple[Any, ...], dict[str, Any]], message: str
) -> None:
    torch = pytest.importorskip("torch", reason="the modules are torch's")
    name, args, kwargs = module
    with pytest.raises(TorchError) as info:
        kind.from_torch(getattr(torch.nn, name)(*args, **kwargs), Shape((8, 8, 4)))
    assert str(info.value) == message


@pytest.mark.slow
def test_keras_counts_prelu_per_element_unless_shared() -> None:
    """Keras' PReLU learns one slope per element (H*W*C) by default; sharing the spatial
    axes gives shapecalc's ``prelu channelwise``. (Its LeakyReLU's default slope is 0.3,
    not torch's 0.01: plain ``leakyrelu`` is torch's.)"""
    counts = keras_counts(
        '{"prelu channelwise": layers.PReLU(shared_axes=[1, 2]), "per element": layers.PReLU()}'
    )
    assert counts == {
        "prelu channelwise": analyze("5x5x8 | prelu channelwise").totals.trainable,
        "per element": 5 * 5 * 8,
    }
