"""``shapecalc import`` of Keras models: round trips through ``shapecalc keras``, Keras'
applications, saved ``.keras`` files and the errors.

Keras runs in this process (the backend set by :mod:`shapecalc.kerasbackend`); every test is
slow. The oracle is Keras' own ``count_params()``, its trainable and non-trainable weights and
its output shape, against the calculator's analysis of the imported spec.
"""

from __future__ import annotations

import math
import re
import runpy
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from shapecalc import ModelImportError, analyze
from shapecalc.cli import cli
from shapecalc.imports import analyze_keras, from_keras
from shapecalc.imports.graph import Scope
from shapecalc.imports.keras_frontend import keras_graph
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
#: without preprocessing layers (Rescaling/Normalization have no layer kind). ConvNeXtTiny
#: nests Sequential models (its stem and downsampling blocks) and adds with keras.ops;
#: MobileNetV3 computes its hard sigmoid with keras.ops.
APPLICATIONS: dict[str, dict[str, Any]] = {
    "VGG16": {},
    "VGG19": {},
    "ResNet50": {},
    "ResNet101": {},
    "ResNet152": {},
    "ResNet50V2": {},
    "MobileNet": {},
    "MobileNetV2": {},
    "MobileNetV3Small": {"input_shape": (224, 224, 3), "include_preprocessing": False},
    "MobileNetV3Large": {"input_shape": (224, 224, 3), "include_preprocessing": False},
    "EfficientNetV2B0": {"include_preprocessing": False},
    "DenseNet121": {},
    "Xception": {},
    "ConvNeXtTiny": {"include_preprocessing": False},
}


@pytest.mark.parametrize("name", sorted(APPLICATIONS))
def test_keras_applications_import_with_keras_counts(name: str) -> None:
    keras = load_keras()
    model = getattr(keras.applications, name)(weights=None, **APPLICATIONS[name])
    assert _ours(from_keras(model, name=name)) == _counts(model)


#: keras.applications models (as built by default) the language cannot express, and the
#: layers the refusal names, by name and class, with the reason (Keras numbers the names of
#: unnamed layers across the process: rescaling_1):
#: EfficientNetB0 (and the others' preprocessing): Rescaling and Normalization, which no layer
#: kind computes (Normalization holds non-trainable mean, variance and count);
#: InceptionV3: BatchNormalization(scale=False), 3*C parameters where the spec's batchnorm
#: has 4*C.
REFUSED = {
    "EfficientNetB0": [r"rescaling(_\d+)?: Rescaling", r"normalization(_\d+)?: Normalization"],
    "InceptionV3": [
        r"batch_normalization(_\d+)?: BatchNormalization \(batch norm without its scale and shift"
    ],
    "ConvNeXtTiny": [r"convnext_tiny_prestem_normalization: Normalization"],
    "MobileNetV3Small": [r"rescaling(_\d+)?: Rescaling"],
    "EfficientNetV2B0": [r"rescaling(_\d+)?: Rescaling", r"normalization(_\d+)?: Normalization"],
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_keras_applications_the_language_cannot_express(name: str) -> None:
    keras = load_keras()
    shape = {"input_shape": (224, 224, 3)} if name.startswith("MobileNetV3") else {}
    model = getattr(keras.applications, name)(weights=None, **shape)
    with pytest.raises(ModelImportError) as info:
        from_keras(model, name=name)
    message = str(info.value)
    assert message.startswith(f"cannot import {name}: ")
    assert "\n" not in message
    for pattern in REFUSED[name]:
        assert re.search(pattern, message), (pattern, message)


def test_nasnet_mobile_does_not_build_on_the_torch_backend() -> None:
    """Listed as not imported because Keras refuses to build it on this backend; this fails
    when a Keras release builds it, and NASNetMobile should then join the round trips."""
    keras = load_keras()
    with pytest.raises(ValueError, match="not available with the torch backend"):
        keras.applications.NASNetMobile(weights=None)


def _nested(keras: Any) -> Any:
    """A functional model using a Sequential and a functional model as layers, the inner
    functional one itself holding a Sequential, all built at other sizes than their use."""
    head = keras.Sequential(
        [keras.layers.Conv2D(8, 3, padding="same"), keras.layers.ReLU()],
        name="head",
    )
    inner_in = keras.Input((None, None, 8))
    branch = keras.layers.Conv2D(8, 1, name="proj")(inner_in)
    deep = keras.Sequential(
        [keras.layers.BatchNormalization(name="bn"), keras.layers.Activation("relu")],
        name="deep",
    )(branch)
    block = keras.Model(inner_in, keras.layers.Add(name="sum")([inner_in, deep]), name="block")
    inputs = keras.Input((32, 32, 3))
    x = keras.layers.Conv2D(8, 3, strides=2, name="stem")(inputs)
    x = head(x)
    x = block(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    return keras.Model(inputs, keras.layers.Dense(10, name="fc")(x), name="outer")


def head_conv(model: Any) -> str:
    """The name Keras gave the nested Sequential's convolution (conv2d, conv2d_3, ...)."""
    return str(model.get_layer("head").layers[0].name)


def test_nested_models_are_flattened_with_their_paths() -> None:
    keras = load_keras()
    model = _nested(keras)
    spec = from_keras(model, name="outer")
    assert _ours(spec) == _counts(model)
    nodes = {node.path: node for node in keras_graph(model).nodes}
    assert nodes["head/" + head_conv(model)].scopes == (Scope("head", "Sequential", True),)
    assert nodes["block/deep/bn"].scopes == (
        Scope("block", "Functional"),
        Scope("block/deep", "Sequential", True),
    )
    assert nodes["block/sum"].op == "add" and "block/proj" in nodes
    assert "res(" in spec  # the inner model's Add of its input and its branch
    # Rebuilt at another size, the nested models' layers take that size too.
    rebuilt = analyze(from_keras(model, "64x48x3"))
    assert str(rebuilt.rows[0].output_shape) == "31x23x8"
    assert str(rebuilt.output_shape) == "10"


def test_a_layer_used_twice_is_named() -> None:
    keras = load_keras()
    inputs = keras.Input((8, 8, 4))
    shared = keras.layers.Conv2D(4, 3, padding="same", name="twice")
    model = keras.Model(inputs, shared(shared(inputs)))
    with pytest.raises(ModelImportError, match=r"twice: Conv2D \(called twice \(shared"):
        from_keras(model, name="net")


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


def test_a_keras_applications_factory_is_called_without_weights(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The architecture is imported: ImageNet's weights are not asked for (no download),
    unless --kwargs names them."""
    from shapecalc.imports import keras_frontend

    keras = load_keras()
    calls: list[dict[str, Any]] = []

    def factory(**kwargs: Any) -> Any:
        calls.append(kwargs)
        inputs = keras.Input((8, 8, 3))
        return keras.Model(inputs, keras.layers.Flatten()(inputs))

    monkeypatch.setattr(keras.applications, "TinyNet", factory, raising=False)
    keras_frontend.load_model("keras.applications:TinyNet")
    keras_frontend.load_model("keras.applications:TinyNet", {"weights": "imagenet", "alpha": 1})
    assert calls == [{"weights": None}, {"weights": "imagenet", "alpha": 1}]
