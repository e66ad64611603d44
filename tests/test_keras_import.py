"""``shapecalc import`` of Keras models: round trips through ``shapecalc keras``, Keras'
applications, saved ``.keras`` files and the errors.

Keras runs in this process (the backend set by :mod:`shapecalc.kerasbackend`); every test is
slow. The oracle is Keras' own ``count_params()``, its trainable and non-trainable weights and
its output shape, against the calculator's analysis of the imported spec.
"""

from __future__ import annotations

import math
import runpy
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from shapecalc import ModelImportError, analyze
from shapecalc.cli import cli
from shapecalc.imports import analyze_keras, from_keras
from shapecalc.kerasbackend import load_keras

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _counts(model: Any) -> tuple[int, int, int, tuple[int, ...]]:
    """Keras' count_params, trainable and non-trainable elements, and output shape."""
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    frozen = sum(math.prod(w.shape) for w in model.non_trainable_weights)
    return model.count_params(), trainable, frozen, tuple(model.outputs[0].shape[1:])


def _ours(spec: str) -> tuple[int, int, int, tuple[int, ...]]:
    a = analyze(spec)
    totals = a.totals
    dims = tuple(int(d) for d in a.output_shape.dims)
    return int(totals.params), int(totals.trainable), int(totals.non_trainable), dims


def _built(spec: str, folder: Path) -> Any:
    path = folder / "net.py"
    path.write_text(analyze(spec).to_keras_code())
    return runpy.run_path(str(path))["build_model"]()


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.shape")), ids=lambda p: p.stem)
def test_every_example_round_trips(path: Path, tmp_path: Path) -> None:
    """spec -> shapecalc keras -> the model -> import -> the same totals and output shape."""
    spec = path.read_text()
    model = _built(spec, tmp_path)
    imported = from_keras(model, name=path.stem)
    assert _ours(imported) == _ours(spec) == _counts(model)


#: keras.applications models the language expresses, with the arguments that build them
#: without preprocessing layers (Rescaling/Normalization have no layer kind).
APPLICATIONS = {
    "VGG16": {},
    "VGG19": {},
    "ResNet50": {},
    "ResNet101": {},
    "ResNet152": {},
    "ResNet50V2": {},
    "MobileNet": {},
    "MobileNetV2": {},
    "EfficientNetV2B0": {"include_preprocessing": False},
    "DenseNet121": {},
    "Xception": {},
}


@pytest.mark.parametrize("name", sorted(APPLICATIONS))
def test_keras_applications_import_with_keras_counts(name: str) -> None:
    keras = load_keras()
    model = getattr(keras.applications, name)(weights=None, **APPLICATIONS[name])
    assert _ours(from_keras(model, name=name)) == _counts(model)


#: keras.applications models the language cannot express, and why (the refusal names them).
REFUSED = {
    "EfficientNetB0": "rescaling",  # Rescaling and Normalization (non-trainable mean/var)
    "InceptionV3": "batch norm without its scale",  # BatchNormalization(scale=False): 3*C
    "ConvNeXtTiny": "Sequential",  # a Sequential used as a layer (its stem)
    # hard sigmoid written as keras.ops: relu6(x + 3) * (1/6)
    "MobileNetV3Small": "an operation",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_keras_applications_the_language_cannot_express(name: str) -> None:
    keras = load_keras()
    shape = {"input_shape": (224, 224, 3)} if name.startswith("MobileNetV3") else {}
    model = getattr(keras.applications, name)(weights=None, **shape)
    with pytest.raises(ModelImportError, match=REFUSED[name]):
        from_keras(model, name=name)


def test_a_saved_file_through_the_command(tmp_path: Path) -> None:
    spec = (EXAMPLES / "lenet.shape").read_text()
    model = _built(spec, tmp_path)
    path = tmp_path / "lenet.keras"
    model.save(path)
    result = CliRunner().invoke(cli, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert _ours(result.output) == _ours(spec)
    result = CliRunner().invoke(cli, ["import", str(path), "--analyze"])
    assert result.exit_code == 0 and "61,706" in result.output


def test_input_overrides_the_models(tmp_path: Path) -> None:
    model = _built("32x32x3 | conv3x3x8 | gap | dense4", tmp_path)
    assert str(analyze_keras(model, "64x48x3").rows[0].output_shape) == "62x46x8"


def test_layers_without_a_kind_are_named_in_one_message() -> None:
    keras = load_keras()
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Lambda(lambda t: t * 2, name="double")(inputs)
    x = keras.layers.Conv2D(4, 3)(x)
    x = keras.layers.Reshape((36, 4))(x)
    model = keras.Model(inputs, keras.layers.LSTM(5, name="lstm")(x))
    with pytest.raises(ModelImportError) as info:
        from_keras(model, name="net")
    message = str(info.value)
    assert message.startswith("cannot import net: 3 modules have no layer kind: double: Lambda")
    assert "lstm: LSTM" in message and "Reshape (reads values channels last" in message


def test_not_a_keras_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.keras"
    path.write_text("not a zip")
    result = CliRunner().invoke(cli, ["import", str(path)])
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {path} is not a Keras model file")
    assert len(result.output.strip().splitlines()) == 1
