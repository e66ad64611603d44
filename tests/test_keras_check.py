"""``shapecalc check --framework keras``: the cross-check against Keras 3 itself.

Keras runs in this process on the torch backend, which :mod:`shapecalc.kerasbackend` sets
before Keras' first import (every test here is slow: the first one imports Keras). The
emitted code's own agreement with the calculator is tests/test_keras_code.py's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from shapecalc import KerasError, analyze
from shapecalc.cli import cli
from shapecalc.kerascode import KERAS_FORMS, KerasForm, KerasLayer, defined_sources
from shapecalc.layers import conv

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

#: A spec with a pad, a dilation with stride, a defined layer, blocks and a batch norm.
SPEC = (
    "28x28x3 | conv3x3x16 pad1 stride2 dilation2 | bn | relu6 | lrn5 | maxpool3 stride2 pad1"
    " ceil | res(conv3x3x16 same | prelu channelwise) | gap | dense10 nobias | softmax"
)


def test_every_row_agrees_with_keras() -> None:
    result = analyze(SPEC).check(framework="keras", batch=2)
    assert result.ok, result.summary()
    assert result.framework == "keras" and result.batch == 2
    (point,) = result.points
    assert [layer.row.index for layer in point.layers] == list(range(1, 12))
    bn = point.layers[1]
    assert bn.torch is not None and (bn.torch.trainable, bn.torch.non_trainable) == (32, 32)


#: Every example but VGG-16, whose 138 million weights tests/test_keras_code.py builds in
#: Keras already (it checks every example's emitted model, row by row).
CHECKED = [p for p in sorted(EXAMPLES.glob("*.shape")) if p.stem != "vgg16"]


@pytest.mark.parametrize("path", CHECKED, ids=lambda p: p.stem)
def test_examples_agree_with_keras(path: Path) -> None:
    result = analyze(path.read_text()).check(framework="keras")
    assert result.ok, result.summary()


def test_a_symbolic_spec_is_checked_at_sample_points() -> None:
    result = analyze("nxnx3 | conv3x3x{c} same stride2 | maxpool2").check(framework="keras")
    assert result.ok and len(result.points) == 3
    assert all(set(point.at) == {"c", "n"} for point in result.points)


def test_a_wrong_form_is_a_mismatch_naming_keras(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check compares with what Keras computes: a form with one filter too many shows."""

    def wrong(layer: conv.Conv, inp: object) -> KerasForm:
        return KerasForm((KerasLayer("Conv2D", (int(layer.filters) + 1, 3)),))

    monkeypatch.setitem(KERAS_FORMS, conv.Conv, wrong)
    result = analyze("8x8x3 | conv3x3x4 | relu").check(framework="keras")
    assert not result.ok
    assert result.summary() == (
        "layer 1 'conv3x3x4' disagrees with keras: shape 6x6x4 vs keras 6x6x5; "
        "trainable 112 vs keras 140"
    )


def test_what_keras_cannot_express_is_a_failed_row() -> None:
    result = analyze("8x8x8 | relu | deconv3x3x16 groups4 | relu").check(framework="keras")
    assert not result.ok
    rows = result.points[0].layers
    assert rows[0].ok
    assert rows[1].describe() == "keras: Keras' Conv2DTranspose has no groups (groups=4)"
    assert rows[2].error == "not run: keras refused layer 2"


def test_cli_table_json_and_exit_codes() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["check", "--framework", "keras", SPEC])
    assert result.exit_code == 0, result.output
    assert "11 of 11 layers agree with keras (device cpu, batch 1)" in result.output
    result = runner.invoke(cli, ["check", "--framework", "keras", "--json", "--batch", "3", SPEC])
    assert result.exit_code == 0, result.output
    check = json.loads(result.output)["check"]
    assert (check["framework"], check["keras_backend"], check["batch"]) == ("keras", "torch", 3)
    assert check["keras_version"].startswith("3.")
    assert [row["ok"] for row in check["points"][0]["layers"]] == [True] * 11
    result = runner.invoke(cli, ["check", "--framework", "keras", "8x8x8 | deconv3x3x4 groups2"])
    assert result.exit_code == 1
    assert "error: layer 1 'deconv3x3x4 groups2' disagrees with keras" in result.output
    # torch stays the default, with the same document and a framework of its own.
    result = runner.invoke(cli, ["check", "--json", "8x8x3 | conv3x3x4"])
    assert json.loads(result.output)["check"]["framework"] == "torch"


def test_devices_keras_does_not_run_on() -> None:
    with pytest.raises(KerasError, match="not 'meta'"):
        analyze("8x8x3 | relu").check(framework="keras", device="meta")
    result = CliRunner().invoke(cli, ["check", "--framework", "keras", "--device", "meta", "8x8x3"])
    assert result.exit_code == 2
    assert result.output.startswith("error: Keras runs on cpu or cuda, not 'meta'")


def test_defined_classes_are_named_like_no_keras_layer() -> None:
    from shapecalc.kerasbackend import load_keras

    keras = load_keras()
    assert keras.backend.backend() == "torch"
    assert [name for name in defined_sources() if hasattr(keras.layers, name)] == []


@pytest.mark.parametrize(
    "spec", ["2x3x4 | reshape4x6", "24 | reshape2x3x4", "2x3x4 | reshape3x2x4", "8x8x12 | shuffle3"]
)
def test_value_orders_are_torchs(spec: str) -> None:
    """reshape reads values in torch's order and shuffle interleaves as torch's: the Keras
    form computes the same values as the torch module, channels moved last."""
    import numpy as np
    import torch

    from shapecalc.kerascheck import build
    from shapecalc.kerascode import keras_form
    from shapecalc.torchcheck import build_module

    (row,) = analyze(spec).rows
    x = np.arange(np.prod([int(d) for d in row.input_shape.dims]), dtype="float32")
    x = x.reshape(1, *(int(d) for d in row.input_shape.dims))
    y = x
    for layer in keras_form(row.layer, row.input_shape).layers:
        y = np.asarray(build(layer, "probe")(y).detach().cpu())
    rank = len(row.input_shape.dims)
    first = (
        torch.from_numpy(x).permute(0, rank, *range(1, rank)) if rank > 1 else torch.from_numpy(x)
    )
    want = build_module(row.layer, row.input_shape)(first)
    out_rank = len(row.output_shape.dims)
    if out_rank > 1:
        want = want.permute(0, *range(2, out_rank + 1), 1)
    assert np.array_equal(y, want.numpy())


@pytest.mark.slow
def test_keras_first_imported_under_a_replaced_stderr_keeps_the_process_stderr() -> None:
    """absl's log handler keeps the stderr of Keras' first import: imported inside click's
    test runner, it would keep the runner's stream, closed once the command ends."""
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from shapecalc.kerasbackend import load_keras\n"
        "with CliRunner().isolation():\n"
        "    load_keras()\n"
        "import absl.logging\n"
        "print(absl.logging.get_absl_handler().python_handler.stream is sys.__stderr__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "True"
