"""Keras models imported with a symbolic input (``HxWx3``): the formulas and validity
conditions of the spec agree with Keras' own forward passes at sample sizes.

The import runs the model once at the torch import's sample size; everything it reads must
hold at every size the symbols take, so the oracle is Keras on inputs of other sizes, odd
ones included (the sizes where ``same`` and a fixed asymmetric padding part).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from shapecalc import ModelImportError, analyze
from shapecalc.cli import cli
from shapecalc.errors import ShapecalcError
from shapecalc.imports import from_keras
from shapecalc.imports.graph import SAMPLE_SIZE
from shapecalc.kerasbackend import load_keras

pytestmark = pytest.mark.slow

#: Sizes away from the sample size: odd, tiny, not square.
SIZES = [(32, 32), (45, 17), (1, 1)]


def _forward(model: Any, h: int, w: int) -> tuple[int, ...]:
    """The output shape of a Keras forward pass on a zero image of h x w x 3, channels last."""
    return tuple(int(d) for d in model(np.zeros((1, h, w, 3), "float32")).shape[1:])


@pytest.fixture(scope="module")
def resnet50() -> Any:
    """ResNet50's features (no head), built for any input size: its output depends on H, W."""
    keras = load_keras()
    return keras.applications.ResNet50(weights=None, include_top=False, input_shape=(None, None, 3))


def test_resnet50_formulas_match_keras_forward_passes(resnet50: Any) -> None:
    spec = from_keras(resnet50, "HxWx3", name="ResNet50")
    assert "\nHxWx3\n" in spec
    symbolic = analyze(spec)
    assert int(symbolic.totals.params) == resnet50.count_params()
    height, width, channels = symbolic.output_shape.dims
    (h_symbol,) = height.free_symbols
    (w_symbol,) = width.free_symbols
    assert (h_symbol.name, w_symbol.name, channels) == ("H", "W", 2048)
    assert SAMPLE_SIZE not in [(h, w) for h, w in SIZES]
    for h, w in SIZES:
        keras_out = _forward(resnet50, h, w)
        # The formula itself, and the analysis at that size.
        assert (int(height.subs(h_symbol, h)), int(width.subs(w_symbol, w))) == keras_out[:2]
        concrete = analyze(spec, H=h, W=w)
        assert tuple(int(d) for d in concrete.output_shape.dims) == keras_out


def _small(keras: Any) -> Any:
    """Valid convolutions and pooling: the spec holds for H, W >= 10 only."""
    inputs = keras.Input((None, None, 3))
    x = keras.layers.Conv2D(8, 5)(inputs)
    x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Conv2D(16, 3, strides=2, padding="same")(x)
    x = keras.layers.Conv2D(16, 3)(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(10)(x))


def test_validity_conditions_are_where_keras_fails() -> None:
    keras = load_keras()
    model = _small(keras)
    spec = from_keras(model, "HxWx3")
    conditions = sorted(c.text for c in analyze(spec).constraints)
    assert conditions, spec
    for h in range(1, 16):
        try:
            keras_out: tuple[int, ...] | None = _forward(model, h, 17)
        except Exception:  # torch's convolution refuses an input smaller than its kernel
            keras_out = None
        try:
            ours: tuple[int, ...] | None = tuple(
                int(d) for d in analyze(spec, H=h, W=17).output_shape.dims
            )
        except ShapecalcError:
            ours = None
        assert ours == keras_out, (h, conditions)
    # The condition names the bound Keras shows: a size below it fails, the bound works.
    assert any(text.startswith("H >= ") for text in conditions), conditions


def _padded(keras: Any) -> Any:
    """Keras' applications' stride-2 stem: ((0, 1), (0, 1)) zeros, then a valid conv."""
    inputs = keras.Input((None, None, 3))
    x = keras.layers.ZeroPadding2D(((0, 1), (0, 1)), name="stem_pad")(inputs)
    return keras.Model(inputs, keras.layers.Conv2D(8, 3, strides=2, name="stem_conv")(x))


def test_padding_that_is_same_at_even_sizes_only_is_refused_for_a_symbol() -> None:
    keras = load_keras()
    model = _padded(keras)
    # At an even size the padding is that conv's same; at an odd one it is not (Keras
    # gives 16 for 33, same would give 17), so a symbol is refused naming the padding.
    spec = from_keras(model, "32x32x3")
    assert "\nconv3x3x8 same stride2  # stem_conv: Conv2D\n" in spec
    assert _forward(model, 32, 32) == (16, 16, 8) == _forward(model, 33, 33)
    assert str(analyze("33x33x3 | conv3x3x8 stride2 same").output_shape) == "17x17x8"
    with pytest.raises(ModelImportError) as info:
        from_keras(model, "HxWx3", name="net")
    message = str(info.value)
    assert message.startswith(
        "cannot import net: module has no layer kind: stem_pad: ZeroPadding2D"
    )
    assert "stem_conv's same at some sizes only" in message


def test_symbolic_input_on_the_command_line(tmp_path: Any) -> None:
    keras = load_keras()
    path = tmp_path / "small.keras"
    _small(keras).save(path)
    result = CliRunner().invoke(cli, ["import", str(path), "--input", "HxWx3"])
    assert result.exit_code == 0, result.output
    assert "\nHxWx3\n" in result.output
    assert analyze(result.output).constraints
    net = tmp_path / "net.py"
    net.write_text(
        "import keras\n\n\ndef build():\n"
        "    inputs = keras.Input((None, None, 3))\n"
        "    x = keras.layers.Conv2D(4, 3, padding='same')(inputs)\n"
        "    return keras.Model(inputs, keras.layers.Flatten()(x))\n"
    )
    args = ["import", f"{net}:build", "--framework", "keras", "--input", "Hx8x3", "--analyze"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "flatten        │ 32*H " in result.output  # 8 * 4 values per row of the map
    # Without --input, a model of unknown sizes says how to give them: one line, exit 2.
    result = CliRunner().invoke(cli, args[:4])
    assert result.exit_code == 2
    assert result.output.strip().endswith(
        "give the input shape (224x224x3, or HxWx3 to keep them symbolic)"
    )
    assert len(result.output.strip().splitlines()) == 1
