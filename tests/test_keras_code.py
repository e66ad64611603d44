"""``shapecalc keras``: every kind has a Keras form, the emitted module is ruff-clean and runs,
and Keras itself agrees with the calculator on every layer.

The oracle is Keras 3 on the torch backend, run on the emitted file in a process of its own
(Keras reads ``KERAS_BACKEND`` at its first import): per row of the spec, the output shape of
a forward pass and the trainable and non-trainable weights of the row's layers (found by
the names the code gives them), and the whole model's ``count_params()``. The specs are
every example, hand-picked ones for each kind of translation, every layer kind's examples,
and hypothesis-drawn specs (:mod:`shapecalc.strategies`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from shapecalc import KerasError, KerasLayerError, analyze
from shapecalc.cli import cli
from shapecalc.kerascode import (
    KERAS_FORMS,
    KERAS_MERGES,
    defined_sources,
    keras_form,
    keras_forms,
    layer_base,
)
from shapecalc.layers.merge import MERGES, Chunk
from shapecalc.render.reference import layer_kinds
from shapecalc.strategies import specs

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

#: Specs beyond examples/ for each kind of translation: explicit and asymmetric pads, same
#: with stride and dilation (subsampled), ceil mode, 1D and 3D, depthwise in 1D/2D/3D,
#: transposed convolutions in torch's and Keras' forms, every norm and activation, blocks.
SPECS = {
    "pads": "28x28x3 | conv4x4x16 same stride2 | conv3x3x8 pad2 stride2 | maxpool3 same stride2"
    " | avgpool2 pad1 | maxpool3 stride2 pad1 ceil | bn | gap | dense10",
    "subsample": "33x30x4 | conv3x3x8 stride2 dilation2 | conv3x2x8 same stride2x1 dilation1x3"
    " | conv3x3x8 pad1 stride3 dilation2 nobias | flatten",
    "one_d": "100x8 | conv5x16 pad2 dilation2 nobias | avgpool3 same stride2 | lrn3"
    " | maxpool2 ceil | upsample3 | zeropad2 | adaptiveavgpool7 | flatten",
    "three_d": "9x10x11x4 | conv3x3x3x8 groups2 stride2x1x1 pad1 | maxpool2 ceil"
    " | upsample2x1x1 | conv3x3x3x8 dw same | adaptivemaxpool2 | bn | silu | dropout0.25"
    " | droppath0.1 | globalmaxpool | dense3 nobias | softmax",
    "depthwise": "32x32x8 | conv3x3x16 dw same | zeropad1x2 | conv5x5x32 dw pad2 stride2 dilation1"
    " | prelu | avgpool2 pad1 ceil | prelu channelwise | adaptiveavgpool1 | flatten | prelu",
    "one_d_dw": "50x6 | conv3x12 dw stride2 | adaptivemaxpool5 | adaptiveavgpool1",
    "deconv": "7x7x16 | deconv4x4x8 stride2 pad1 | deconv3x3x8 stride2 outpad1"
    " | deconv5x5x4 stride2 same | deconv3x3x4 stride3 valid | deconv2x2x4 stride3 nobias"
    " | deconv3x3x2 dilation2 pad1",
    "deconv_1d_3d": "20x3 | deconv4x5 stride2 pad1 | flatten",
    "deconv_3d": "3x3x3x2 | deconv3x3x3x2 stride2 pad1 outpad1 | deconv2x2x2x1 same stride2",
    "norms": "16x16x8 | layernorm | ln nobias | groupnorm4 | gn2 nobias | instancenorm"
    " | instancenorm affine | instancenorm affine nobias | layerscale | bn | flatten | ln"
    " | dense8 | bn | layerscale",
    "activations": "8x8x4 | relu | relu6 | relu3 | sigmoid | tanh | leakyrelu | leakyrelu0.2"
    " | gelu | elu | silu | hardswish | hardsigmoid | mish | softplus | identity | softmax",
    "branches": "b(c) = res(conv3x{c} pad1 | relu6 ; conv1x{c})\n100x8 | b(8)x2"
    " | concat(conv3x4 pad1 ; avgpool3 s1 pad1 ; identity) | res(bn) | gap | dense3",
    "causal": "100x4 | conv3x8 causal dilation4 | conv5x8 causal stride2 | conv3x8 causal"
    " stride2 dilation2 | upsample2 linear | upsample2 linear aligncorners | flatten",
    "interpolated": "8x8x4 | upsample2 bilinear | upsample3x2 bicubic aligncorners"
    " | conv3x3x4 | reshape30x46x4 | upsample2 nearest",
    "trilinear": "3x4x5x2 | upsample2 trilinear | upsample1x2x1",
    "reshapes": "7x7x64 | reshape49x64 | reshape64x7x7 | flatten | reshape4x4x196 | crop1"
    " | upsample2 | crop1x0 | flatten | reshape1568",
    "shuffle": "8x8x12 | split(identity ; conv1x1x6 | shuffle3) | shuffle2"
    " | split(bn ; relu ; conv1x1x2)",
    "gates": "14x14x16 | mul(adaptiveavgpool1 | conv1x1x4 | relu | conv1x1x16 | hardsigmoid)"
    " | mul(conv1x1x16 ; conv1x1x16) | res(conv3x3x16 same | bn ; identity) | gap",
}


def _all_specs() -> dict[str, str]:
    specs = {p.stem: p.read_text() for p in sorted(EXAMPLES.glob("*.shape"))}
    return {**specs, **SPECS}


#: What Keras cannot express, as the errors say it: a spec with one is left out of the runs.
INEXPRESSIBLE = ("has no groups", "refuses a stride > 1 with a dilation > 1", "output_padding")


def expressible(spec: str) -> bool:
    """Whether Keras can express ``spec``: False only for the known reasons (any other error
    is left for the tests that run the spec to report)."""
    try:
        analyze(spec).to_keras_code()
    except KerasLayerError as err:
        return not any(reason in err.message for reason in INEXPRESSIBLE)
    return True


def _kind_examples(keras_only: bool = True) -> dict[str, str]:
    """Every layer kind's examples (those Keras can express, unless ``keras_only`` False)."""
    examples = {
        f"{cls.keyword}_{i}": f"{example.input} | {example.layer}"
        for cls in layer_kinds()
        for i, example in enumerate(cls.examples)
    }
    return {name: spec for name, spec in examples.items() if not keras_only or expressible(spec)}


def test_nearly_every_kind_example_is_expressible() -> None:
    left_out = set(_kind_examples(keras_only=False)) - set(_kind_examples())
    assert left_out == {"deconv_6"}  # deconv3x3x16 groups4: Keras' transposed conv has none


def test_every_kind_has_a_keras_form() -> None:
    """A registered kind (or merge) without its entry fails here, before any Keras runs."""
    missing = [cls.__name__ for cls in layer_kinds() if cls not in KERAS_FORMS]
    assert missing == []
    assert set(KERAS_MERGES) == set(MERGES.values())
    # Besides the keywords' kinds, the chunk that starts each path of a split block.
    assert set(KERAS_FORMS) - set(layer_kinds()) == {Chunk}


@pytest.mark.parametrize("spec", sorted(_kind_examples().values()))
def test_each_kind_example_has_a_named_keras_form(spec: str) -> None:
    (row,) = analyze(spec).rows
    form = keras_form(row.layer, row.input_shape)
    assert form.layers
    assert sum(not layer.role for layer in form.layers) == 1, "one layer computes the row"
    for layer in form.layers:
        assert layer.name.isidentifier() and layer.name[0].isupper(), layer
        assert not layer.defined or layer.name in defined_sources(), layer


def test_defined_classes_fit_the_emitted_width() -> None:
    """Their source is copied into the emitted file, which must stay within 88 columns."""
    long = [
        (name, line)
        for name, source in defined_sources().items()
        for line in source.splitlines()
        if len(line) > 88
    ]
    assert long == []


#: Hand-picked translations: a spec, lines (or parts of lines) its code must hold, and parts
#: it must not.
TRANSLATIONS = [
    pytest.param(
        "28x28x1 | conv3x3x16 same | maxpool2 | flatten | dense10",
        [
            "    return keras.Sequential(\n",
            "            # 1: conv3x3x16 same -> 28x28x16 (None, 28, 28, 16)\n",
            '            layers.Conv2D(16, 3, padding="same", name="conv_1"),\n',
            '            layers.MaxPooling2D(2, name="maxpool_2"),\n',
            "            # 4: dense10 -> 10 (None, 10)\n",
            '            layers.Dense(10, name="dense_4"),\n',
            "INPUT_SHAPE = (28, 28, 1)\n",
            "31,530 parameters, 31,530 trainable",
        ],
        [],
        id="a sequential spec is a keras Sequential with shape comments",
    ),
    pytest.param(
        "8x8x4 | res(conv3x3x4 same | relu) | concat(conv1x1x2 ; identity)",
        [
            "    x0 = keras.Input(shape=INPUT_SHAPE)\n",
            '    x1 = layers.Conv2D(4, 3, padding="same", name="conv_1")(x0)\n',
            '    x3 = layers.Add(name="add_3")([x2, x0])\n',
            '    x6 = layers.Concatenate(name="concat_6")([x4, x5])\n',
            '    return keras.Model(x0, x6, name="net")\n',
            "    # res -> 8x8x4\n",
        ],
        [],
        id="blocks use the functional API",
    ),
    # pad1 of a 3x3 kernel at stride 2 on 28: torch (1, 1), TensorFlow's same (0, 1); where
    # the pads are the same as Keras' own, padding="same".
    pytest.param(
        "28x28x3 | conv3x3x8 pad1 stride2 | conv3x3x8 pad1",
        [
            '    layers.ZeroPadding2D(1, name="conv_1_pad"),\n',
            '    layers.Conv2D(8, 3, strides=2, name="conv_1"),\n',
            "Keras: ZeroPadding2D (1+1, 1+1) first, then padding valid",
            'layers.Conv2D(8, 3, padding="same", name="conv_2"),\n',
        ],
        [],
        id="torch padding becomes zero padding first",
    ),
    # (ceil(28/2) - 1)*2 + 5 - 28 = 3: (1, 2)
    pytest.param(
        "28x28x3 | conv3x3x8 same stride2 dilation2",
        [
            'layers.ZeroPadding2D(((1, 2), (1, 2)), name="conv_1_pad")',
            'layers.Conv2D(8, 3, dilation_rate=2, name="conv_1")',
            'layers.MaxPooling2D(1, strides=2, name="conv_1_subsample")',
        ],
        [],
        id="asymmetric same with dilation pads then subsamples",
    ),
    # 7 -> ceil((7 - 2)/2) + 1 = 4 windows need 8 values: one more at the end.
    pytest.param(
        "7x7x8 | avgpool2 ceil",
        ['layers.ZeroPadding2D(((0, 1), (0, 1)), name="avgpool_1_pad")', "ceil mode's last window"],
        [],
        id="ceil mode pads the end",
    ),
    # A max pooling whose pads are Keras' same is same (Keras ignores the padding, as -inf).
    pytest.param(
        "7x7x8 | maxpool2 ceil",
        ['layers.MaxPooling2D(2, padding="same", name="maxpool_1")'],
        ["ZeroPadding"],
        id="ceil mode max pooling is same",
    ),
    pytest.param(
        "7x7x16 | deconv4x4x8 stride2 pad1 outpad1",
        [
            "layers.Conv2DTranspose(8, 4, strides=2, output_padding=1, ",
            'layers.Cropping2D(1, name="deconv_1_crop")',
        ],
        [],
        id="deconv torch padding is output padding then cropping",
    ),
    pytest.param(
        "7x7x16 | deconv5x5x8 stride2 same",
        ['padding="same"'],
        ["Cropping"],
        id="deconv same",
    ),
    # DCGAN's deconv4 s2 pad1: Keras' same crops max(4 - 2, 0) = 2, one from each side.
    pytest.param(
        "4x4x16 | deconv4x4x8 stride2 pad1",
        ['layers.Conv2DTranspose(8, 4, strides=2, padding="same", name="deconv_1")'],
        ["Cropping"],
        id="torch deconv padding that keras same matches is same",
    ),
    pytest.param(
        "100 | reshape1x1x100",
        ['layers.Reshape((1, 1, 100), name="reshape_1"),'],
        ["Permute"],
        id="reshape from a vector keeps the order",
    ),
    pytest.param(
        "7x7x64 | reshape49x64",
        [
            'layers.Permute((3, 1, 2), name="reshape_1_channels_first"),',
            'layers.Reshape((64, 49), name="reshape_1"),',
            'layers.Permute((2, 1), name="reshape_1_channels_last"),',
        ],
        [],
        id="reshape permutes where the orders differ",
    ),
    pytest.param(
        "28x28x8 | lrn5 | layerscale | flatten",
        [
            "class LocalResponseNorm(layers.Layer):",
            "class LayerScale(layers.Layer):",
            "from keras import layers, ops\n",
            'LocalResponseNorm(5, name="lrn_1")',
        ],
        [],
        id="kinds keras lacks are defined in the file",
    ),
    pytest.param(
        "28x28x8 | layerscale",
        ["from keras import layers\n"],
        ["ops"],  # no ops needed
        id="a defined kind imports only what it uses",
    ),
]


@pytest.mark.parametrize(("spec", "present", "absent"), TRANSLATIONS)
def test_hand_picked_translations(spec: str, present: list[str], absent: list[str]) -> None:
    code = analyze(spec).to_keras_code()
    assert [part for part in present if part not in code] == []
    assert [part for part in absent if part in code] == []


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "8x8x8 | deconv3x3x16 groups4",
            "layer 1 'deconv3x3x16 groups4' at column 9: Keras' Conv2DTranspose has no groups "
            "(groups=4)\n  8x8x8 | deconv3x3x16 groups4\n          ^^^^^^^^^^^^^^^^^^^^",
        ),
        (
            "8x8x8 | relu | deconv3x3x16 stride2 dilation2",
            "layer 2 'deconv3x3x16 stride2 dilation2' at column 16: Keras' Conv2DTranspose "
            "refuses a stride > 1 with a dilation > 1",
        ),
        (
            "8x8x8 | deconv3x3x16 dilation2 outpad1",
            "layer 1 'deconv3x3x16 dilation2 outpad1' at column 9: outpad 1 is not smaller "
            "than the stride 1, which Keras' Conv2DTranspose requires of output_padding",
        ),
    ],
)
def test_what_keras_cannot_express_is_an_error_at_the_layer(spec: str, message: str) -> None:
    with pytest.raises(KerasLayerError) as info:
        analyze(spec).to_keras_code()
    assert info.value.render().startswith(message)
    result = CliRunner().invoke(cli, ["keras", spec])
    assert result.exit_code == 2
    assert result.output.startswith("error: " + message)


def test_symbols_need_values() -> None:
    with pytest.raises(KerasError, match=r"symbols \(n, f\).*give values for n, f \(n=32, f=32\)"):
        analyze("nxnx3 | conv{f}x{f}x8").to_keras_code()
    result = CliRunner().invoke(cli, ["keras", "nxnx3 | conv{f}x{f}x8"])
    assert result.exit_code == 2
    assert result.output.strip().endswith("give values for n, f with --at n=32,f=32")
    result = CliRunner().invoke(cli, ["keras", "nxnx3 | conv{f}x{f}x8", "--at", "n=9,f=4"])
    assert result.exit_code == 0, result.output
    assert 'layers.Conv2D(8, 4, name="conv_1")' in result.output
    assert "with --at n=9,f=4" in result.output


def test_spec_text_in_comments_cannot_break_the_code() -> None:
    spec = '# a comment with """ and \\ in it\n28x28x1\nconv3x3x4  # trailing "note\r\nrelu'
    compile(analyze(spec).to_keras_code(), "<generated>", "exec")


#: Runs each generated file (not as __main__) on the torch backend and reports, per row, the
#: output shape of one forward pass and the row's trainable and non-trainable weights, found
#: by the layer names the library gives (argv: a JSON list of [path, [[names of a row]...]]).
DRIVER = textwrap.dedent(
    """
    import json, math, os, runpy, sys
    os.environ["KERAS_BACKEND"] = "torch"
    import warnings
    warnings.simplefilter("ignore")
    import keras, numpy as np

    def size(weights):
        return sum(math.prod(w.shape) for w in weights)

    out = {}
    for path, rows in json.loads(sys.stdin.read()):
        ns = runpy.run_path(path)
        model = ns["build_model"]()
        probe = keras.Model(model.inputs, [model.get_layer(row[-1]).output for row in rows])
        x = np.random.default_rng(0).standard_normal((2, *ns["INPUT_SHAPE"]))
        ys = probe(x.astype("float32"))
        ys = ys if isinstance(ys, (list, tuple)) else [ys]
        found = []
        for row, y in zip(rows, ys):
            layers = [model.get_layer(name) for name in row]
            found.append([
                list(y.shape),
                size(w for l in layers for w in l.trainable_weights),
                size(w for l in layers for w in l.non_trainable_weights),
            ])
        out[path] = {
            "params": model.count_params(),
            "trainable": size(model.trainable_weights),
            "non_trainable": size(model.non_trainable_weights),
            "names": sorted(l.name for l in model.layers
                            if not isinstance(l, keras.layers.InputLayer)),
            "rows": found,
        }
    print(json.dumps(out))
    """
)


def keras_report(files: dict[str, tuple[Path, Any]]) -> dict[str, Any]:
    """Run :data:`DRIVER` on generated files (name -> (path, analysis)); Keras' findings."""
    cases = [
        [
            str(path),
            [
                [layer.layer_name(layer_base(row)) for layer in form.layers]
                for row, form in keras_forms(analysis)
            ],
        ]
        for path, analysis in files.values()
    ]
    result = subprocess.run(
        [sys.executable, "-c", DRIVER],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        env={**os.environ, "KERAS_BACKEND": "torch"},
        timeout=1800,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def assert_keras_agrees(files: dict[str, tuple[Path, Any]]) -> None:
    """Keras' count_params, trainable split, layer names and every row's output shape and
    counts equal the calculator's, for every generated file."""
    report = keras_report(files)
    for name, (path, analysis) in files.items():
        got = report[str(path)]
        totals = analysis.totals
        assert got["params"] == totals.params, name
        assert (got["trainable"], got["non_trainable"]) == (
            totals.trainable,
            totals.non_trainable,
        ), name
        forms = keras_forms(analysis)
        names = sorted(
            layer.layer_name(layer_base(row)) for row, form in forms for layer in form.layers
        )
        assert got["names"] == names, name
        for row, (shape, trainable, non_trainable) in zip(analysis.rows, got["rows"]):
            want = [2, *(int(d) for d in row.output_shape.dims)]
            assert (shape, trainable, non_trainable) == (
                want,
                row.trainable,
                row.non_trainable,
            ), f"{name}: row {row.index} {row.spec!r} on {row.input_shape}"


def _generate(folder: Path, named: dict[str, str]) -> dict[str, tuple[Path, Any]]:
    files = {}
    for name, spec in named.items():
        analysis = analyze(spec)
        path = folder / f"{name}.py"
        path.write_text(analysis.to_keras_code())
        files[name] = (path, analysis)
    return files


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Any]]:
    folder = tmp_path_factory.mktemp("keras")
    return _generate(folder, {**_all_specs(), **_kind_examples()})


@pytest.mark.slow
def test_keras_agrees_on_every_example_and_kind(generated: dict[str, tuple[Path, Any]]) -> None:
    assert_keras_agrees(generated)


@pytest.mark.slow
def test_generated_code_is_ruff_clean(generated: dict[str, tuple[Path, Any]]) -> None:
    result = subprocess.run(
        [
            sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache",
            "--select", "E,F,W,I,UP,B", "--line-length", "88",
            *(str(path) for path, _ in generated.values()),
        ],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_generated_file_runs_as_a_script(generated: dict[str, tuple[Path, Any]]) -> None:
    path, _ = generated["lenet"]
    env = {key: value for key, value in os.environ.items() if key != "KERAS_BACKEND"}
    result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "(1, 10)"
    assert "Total params: 61,706" in result.stdout  # Keras' own summary


#: Drawn specs Keras checks: a third of the profile's examples (50 by default).
DRAWN = max(10, settings().max_examples // 3)


@pytest.mark.slow
@settings(max_examples=1, phases=[Phase.explicit, Phase.generate])
@given(data=st.data())
def test_keras_agrees_on_drawn_specs(
    data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Hypothesis-drawn specs, all run by one Keras process (one per spec would take
    minutes); as many as a third of the profile's examples, none shrunk (each try would
    start Keras again): a failure names its spec."""
    count = DRAWN
    drawn = {f"drawn_{i}": data.draw(specs(max_items=5)).text for i in range(count)}
    kept = {name: text for name, text in drawn.items() if expressible(text)}
    for text in kept.values():
        analyze(text).to_keras_code()  # an error for another reason fails here, with its text
    assert len(kept) >= count // 2, "most drawn specs are expressible"
    files = _generate(tmp_path_factory.mktemp("drawn"), kept)
    try:
        assert_keras_agrees(files)
    except AssertionError as err:
        raise AssertionError(f"{err}\nspecs: {json.dumps(kept, indent=1)}") from err
