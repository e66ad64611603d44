"""Layer norm, group norm, instance norm and layer scale: counts, canonical text, working,
named errors, the torch modules they refuse to read, and the counts Keras gives.

Their torch counterparts are checked against torch by the property tests
(tests/properties/test_against_torch.py and test_torch_round_trip.py), their costs against
the tools by tests/properties/test_kind_costs_vs_tools.py, and the modules shapecalc defines
for them by tests/test_torchmodules.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from shapecalc import Shape, ShapeError, SpecError, TorchError, analyze
from shapecalc.layers import norm


@pytest.mark.parametrize(
    ("spec", "trainable", "canonical"),
    [
        # 2*C: gamma and beta per channel, at each position of a map or over a vector
        ("56x56x96 | layernorm", 192, "layernorm"),
        ("768 | ln", 1536, "layernorm"),
        ("100x8 | layernorm nobias", 8, "layernorm nobias"),
        ("4x4x4x6 | ln", 12, "layernorm"),
        ("56x56x64 | groupnorm32", 128, "groupnorm32"),
        ("56x56x64 | gn1", 128, "groupnorm1"),
        ("12 | gn3 nobias", 12, "groupnorm3 nobias"),
        ("1x1x32 | gn16", 64, "groupnorm16"),
        ("64x64x32 | instancenorm", 0, "instancenorm"),
        ("64x64x32 | instancenorm affine", 64, "instancenorm affine"),
        ("2x8 | instancenorm nobias affine", 8, "instancenorm affine nobias"),
        ("7x7x768 | layerscale", 768, "layerscale"),
        ("100 | layerscale", 100, "layerscale"),
    ],
)
def test_counts_and_canonical_text(spec: str, trainable: int, canonical: str) -> None:
    (row,) = analyze(spec).rows
    assert (row.trainable, row.non_trainable) == (trainable, 0)
    assert row.output_shape == row.input_shape
    assert row.layer.to_spec() == canonical
    (again,) = analyze(f"{row.input_shape} | {canonical}").rows
    assert again.layer == row.layer


def test_drawing_labels() -> None:
    labels = {
        "layernorm": "LayerNorm",
        "groupnorm32": "GroupNorm 32",
        "instancenorm affine": "InstanceNorm",
        "layerscale": "LayerScale",
    }
    for text, label in labels.items():
        (row,) = analyze(f"8x8x64 | {text}").rows
        assert row.layer.drawing_label(row.input_shape) == label


def test_symbolic_groups_and_positions_are_conditions() -> None:
    analysis = analyze("{h}x{w}x{c} | groupnorm{g} | instancenorm affine | layerscale")
    assert [c.text for c in analysis.constraints] == ["g divides c", "c*h*w/g >= 2", "h*w >= 2"]
    assert [str(row.trainable) for row in analysis.rows] == ["2*c", "2*c", "c"]


def test_working_shows_the_counts() -> None:
    analysis = analyze("8x8x64 | gn32 | ln nobias | instancenorm affine | layerscale")
    steps = {
        row.spec: [f"{step.quantity}: {step.line()}" for step in layer.steps]
        for row, layer in zip(analysis.rows, analysis.explain().layers)
    }
    assert steps == {
        "gn32": ["channels per group: C/g = 64/32 = 2", "params: 2C = 2·64 = 128"],
        "ln nobias": ["params: C = 64"],
        "instancenorm affine": ["params: 2C = 2·64 = 128"],
        "layerscale": ["params: C = 64"],
    }


def _shape_error(spec: str) -> str:
    with pytest.raises(ShapeError) as info:
        analyze(spec)
    return info.value.render()


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            "8x8x6 | groupnorm4",
            "layer 1 'groupnorm4' at column 9: input channels (6) are not divisible by groups (4); use groups that divide 6, such as groupnorm3\n  8x8x6 | groupnorm4\n          ^^^^^^^^^^",
        ),
        (
            "8x8x7 | gn32 nobias",
            "layer 1 'gn32 nobias' at column 9: input channels (7) are not divisible by groups (32); use groups that divide 7, such as groupnorm7\n  8x8x7 | gn32 nobias\n          ^^^^^^^^^^^",
        ),
        (
            "1x1x32 | groupnorm32",
            "layer 1 'groupnorm32' at column 10: groupnorm32 on 1x1x32 leaves one value in each group (one channel at one position), which torch refuses; use fewer groups, such as groupnorm16\n  1x1x32 | groupnorm32\n           ^^^^^^^^^^^",
        ),
        (
            "1 | gn1",
            "layer 1 'gn1' at column 5: groupnorm1 on 1 leaves one value in each group (one channel of the vector), which torch refuses\n  1 | gn1\n      ^^^",
        ),
        (
            "1x1x8 | instancenorm affine",
            "layer 1 'instancenorm affine' at column 9: instancenorm normalises each channel over its positions, and 1x1x8 has 1 per channel (torch needs 2 or more); use layernorm or groupnorm\n  1x1x8 | instancenorm affine\n          ^^^^^^^^^^^^^^^^^^^",
        ),
        (
            "784 | instancenorm",
            "layer 1 'instancenorm' at column 7: instancenorm needs a spatial input such as 28x28x8, got the flat vector 784\n  784 | instancenorm\n        ^^^^^^^^^^^^",
        ),
    ],
)
def test_shape_errors_are_named(spec: str, expected: str) -> None:
    assert _shape_error(spec) == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            "8x8x4 | groupnorm",
            "'groupnorm' does not match the form groupnorm<groups>, as in groupnorm32 at column 9\n  8x8x4 | groupnorm\n          ^^^^^^^^^",
        ),
        (
            "8x8x4 | groupnorm0",
            "groups must be positive, got 0 at column 18\n  8x8x4 | groupnorm0\n                   ^",
        ),
        (
            "8x8x3 | instancenorm nobias",
            "'nobias' needs 'affine': without it instancenorm has no parameters at column 22\n  8x8x3 | instancenorm nobias\n                       ^^^^^^",
        ),
        (
            "8x8x4 | layernorm affine",
            "unknown option 'affine' for layernorm at column 19 — options: nobias\n  8x8x4 | layernorm affine\n                    ^^^^^^",
        ),
        (
            "8x8x4 | layerscale2",
            "'layerscale2' does not match the form layerscale at column 9\n  8x8x4 | layerscale2\n          ^^^^^^^^^^^",
        ),
    ],
)
def test_spec_errors_are_named(spec: str, expected: str) -> None:
    with pytest.raises(SpecError) as info:
        analyze(spec)
    assert info.value.render() == expected


@pytest.mark.parametrize(
    ("kind", "module", "inp", "message"),
    [
        (
            norm.LayerNorm,
            ("LayerNorm", (4,), {}),
            "8x8x4",
            "nn.LayerNorm on the map 8x8x4 normalises its last torch dim, not the channels; "
            "layernorm on a map is ChannelLayerNorm",
        ),
        (
            norm.LayerNorm,
            ("LayerNorm", ((4, 4),), {}),
            "4",
            "a layer norm over (4, 4) has no spec form; layernorm normalises the channels alone",
        ),
        (
            norm.LayerNorm,
            ("LayerNorm", (4,), {"elementwise_affine": False}),
            "4",
            "layernorm without a learned scale (affine=False) has no spec form",
        ),
        (
            norm.GroupNorm,
            ("GroupNorm", (2, 4), {"affine": False}),
            "8x8x4",
            "groupnorm without a learned scale (affine=False) has no spec form",
        ),
        (
            norm.InstanceNorm,
            ("InstanceNorm2d", (4,), {"track_running_stats": True}),
            "8x8x4",
            "instancenorm with running statistics (track_running_stats=True) has no spec form",
        ),
    ],
)
def test_torch_modules_without_a_spec_form_are_refused(
    kind: type[norm.Layer], module: tuple[str, tuple[Any, ...], dict[str, Any]], inp: str,
    message: str,
) -> None:
    torch = pytest.importorskip("torch", reason="the modules are torch's")
    name, args, kwargs = module
    shape = Shape(tuple(int(d) for d in inp.split("x")))
    with pytest.raises(TorchError) as info:
        kind.from_torch(getattr(torch.nn, name)(*args, **kwargs), shape)
    assert str(info.value) == message


def test_a_group_of_one_value_has_no_torch_module() -> None:
    """torch's group_norm refuses one value per group at batch 1 (and computes a constant
    for more samples): the calculator refuses it, and so does the mapping to torch, so
    that the two accept the same."""
    with pytest.raises(TorchError) as info:
        norm.GroupNorm(32).torch_module(Shape((1, 1, 32)))
    assert str(info.value) == (
        "groupnorm32 on 1x1x32: each group holds a single value per sample, which torch "
        "refuses at batch 1"
    )
    torch = pytest.importorskip("torch", reason="torch's own refusal")
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        torch.nn.GroupNorm(32, 32).eval()(torch.randn(1, 32, 1, 1))


def keras_counts(layers: str) -> dict[str, Any]:
    """Run ``layers`` (a Python dict literal of Keras layers by name, ``layers`` being
    keras.layers) on a 5x5x8 input in a Keras process of its own; their parameter counts.

    Keras reads KERAS_BACKEND once, at its first import: hence the process, and no import
    here (without the backend set, it would pick TensorFlow).
    """
    script = (
        "import json, keras\nfrom keras import layers\n"
        f"cases = {layers}\n"
        "print(json.dumps({name: keras.Sequential([keras.Input((5, 5, 8)), layer])"
        ".count_params() for name, layer in cases.items()}))\n"
    )
    env = {**os.environ, "KERAS_BACKEND": "torch"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr
    counts: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return counts


@pytest.mark.slow
def test_keras_counts_the_same() -> None:
    """Keras' LayerNormalization and GroupNormalization count as torch does; it has no
    instance norm, which GroupNormalization(groups=-1) computes, with its scale and shift."""
    counts = keras_counts(
        "{"
        '"layernorm": layers.LayerNormalization(),'
        '"layernorm nobias": layers.LayerNormalization(center=False),'
        '"groupnorm4": layers.GroupNormalization(groups=4),'
        '"groupnorm4 nobias": layers.GroupNormalization(groups=4, center=False),'
        '"instancenorm affine": layers.GroupNormalization(groups=-1),'
        "}"
    )
    ours = {name: analyze(f"5x5x8 | {name}").totals.trainable for name in counts}
    assert ours == counts
