"""``shapecalc torch``: the emitted PyTorch module runs, is ruff-clean, and agrees with the
calculator (and with torchinfo, an independent counter)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from shapecalc import TorchError, analyze
from shapecalc.cli import cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

#: Specs beyond examples/ that exercise every kind of emitted argument: asymmetric 'same'
#: padding before a conv and a max pool (-inf), 1D and 3D, tuples, floats, flags.
SPECS = {
    "same_asym": "28x28x3 | conv4x4x16 same stride2 | maxpool3 same stride2 | bn | gap | dense10",
    "one_d": "100x8 | conv5x16 pad2 dilation2 nobias | avgpool3 same stride2 | lrn3 | flatten",
    "three_d": "9x10x11x4 | conv3x3x3x8 groups2 stride2x1x1 pad1 | maxpool2 ceil | upsample2x1x1"
    " | adaptivemaxpool2 | bn | silu | dropout0.25 | flatten | dense3 nobias | softmax",
    "depthwise": "32x32x8 | conv3x3x8 dw same | zeropad1x2 | avgpool2 pad1 ceil | globalmaxpool",
    # Branches: a named block holding a res with a shortcut, a concat on a 1D signal.
    "branches": "b(c) = res(conv3x{c} pad1 | relu6 ; conv1x{c})\n100x8 | b(8)x2"
    " | concat(conv3x4 pad1 ; avgpool3 s1 pad1 ; identity) | res(bn) | gap | dense3",
}


def _all_specs() -> dict[str, str]:
    specs = {p.stem: p.read_text() for p in sorted(EXAMPLES.glob("*.shape"))}
    return {**specs, **SPECS}


#: Runs each generated file (not as __main__), builds its Net on the meta device (no weights
#: are allocated, so VGG-16 costs nothing) and reports parameter counts and the output shape.
DRIVER = textwrap.dedent(
    """
    import json, runpy, sys
    import torch

    out = {}
    for path in sys.argv[1:]:
        ns = runpy.run_path(path)
        with torch.device("meta"):
            model = ns["Net"]()
        y = model(torch.empty(2, *ns["INPUT_SHAPE"], device="meta"))
        out[path] = {
            "params": sum(p.numel() for p in model.parameters()),
            "trainable": sum(p.numel() for p in model.parameters() if p.requires_grad),
            "stats": sum(b.numel() for n, b in model.named_buffers() if n.endswith(("running_mean", "running_var"))),
            "children": len(model),
            "shape": list(y.shape),
        }
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("generated")
    files = {}
    for name, spec in _all_specs().items():
        path = folder / f"{name}.py"
        path.write_text(analyze(spec).to_torch_code())
        files[name] = path
    return files


@pytest.mark.slow
def test_generated_code_runs_and_agrees(generated: dict[str, Path]) -> None:
    pytest.importorskip("torch", reason="running the generated code needs torch (CI has it)")
    result = subprocess.run(
        [sys.executable, "-c", DRIVER, *map(str, generated.values())],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    specs = _all_specs()
    for name, path in generated.items():
        got = report[str(path)]
        analysis = analyze(specs[name])
        assert got["trainable"] == got["params"] == analysis.totals.trainable, name
        assert got["stats"] == analysis.totals.non_trainable, name
        # One child per layer of the spec, or per block (res, concat, a named block's use).
        top = [r for r in analysis.rows if r.depth == 0]
        top_blocks = [b for b in analysis.blocks if b.depth == 0]
        assert got["children"] == len(top) + len(top_blocks), name
        assert got["shape"] == [2, *analysis.output_shape.torch_order()[1:]], name


@pytest.mark.slow
def test_generated_file_runs_as_a_script(generated: dict[str, Path]) -> None:
    pytest.importorskip("torch", reason="running the generated code needs torch (CI has it)")
    result = subprocess.run(
        [sys.executable, str(generated["lenet"])], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(1, 10)"


@pytest.mark.slow
def test_generated_code_is_ruff_clean(generated: dict[str, Path]) -> None:
    # --isolated: the user's project is not ours; the rule set is the one this repo uses,
    # with long lines included.
    result = subprocess.run(
        [
            sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache",
            "--select", "E,F,W,I,UP,B", "--line-length", "88", *map(str, generated.values()),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_layer_has_a_comment_with_its_output_shape() -> None:
    code = analyze("28x28x1 | conv3x3x16 same | maxpool2 | flatten | dense10").to_torch_code()
    assert "# 1: conv3x3x16 same -> 28x28x16 (N, 16, 28, 28)" in code
    assert "# 2: maxpool2 -> 14x14x16 (N, 16, 14, 14)" in code
    assert "# 4: dense10 -> 10 (N, 10)" in code
    assert "class Net(nn.Sequential):" in code
    assert "INPUT_SHAPE = (1, 28, 28)" in code


def test_asymmetric_same_becomes_an_explicit_pad() -> None:
    # TensorFlow's 'same' for n=28, k=4, s=2: total = (14 - 1)*2 + 4 - 28 = 2 -> (1, 1), which
    # is symmetric and goes into padding=; maxpool3 stride2 on 14: total = 6*2 + 3 - 14 = 1 ->
    # (0, 1), asymmetric: an explicit -inf pad, torch listing the last dim first.
    code = analyze(SPECS["same_asym"]).to_torch_code()
    assert "nn.Conv2d(3, 16, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1))" in code
    assert 'nn.ConstantPad2d((0, 1, 0, 1), float("-inf"))' in code


def test_a_module_of_exactly_the_width_wraps() -> None:
    # Found by the property test: 76 characters at column 12 plus the comma made 89.
    code = analyze("1x1x1x1 | maxpool2 pad1x1x1 ceil").to_torch_code()
    assert max(len(line) for line in code.splitlines()) <= 88
    assert "            nn.MaxPool3d(\n" in code


def test_spec_text_in_comments_cannot_break_the_code() -> None:
    spec = '# a comment with """ and \\ in it\n28x28x1\nconv3x3x4  # trailing "note\r\nrelu'
    code = analyze(spec).to_torch_code()
    compile(code, "<generated>", "exec")


def test_symbols_need_values() -> None:
    with pytest.raises(TorchError) as info:
        analyze("nxnx3 | conv{f}x{f}x8").to_torch_code()
    assert str(info.value) == (
        "the spec has symbols (n, f); torch modules need sizes; give values for n, f (n=32, f=32)"
    )
    result = CliRunner().invoke(cli, ["torch", "nxnx3 | conv{f}x{f}x8"])
    assert result.exit_code == 2
    assert result.output == (
        "error: the spec has symbols (n, f); torch modules need sizes; "
        "give values for n, f with --at n=32,f=32\n"
    )
    result = CliRunner().invoke(cli, ["torch", "nxnx3 | conv{f}x{f}x8", "--at", "n=9,f=4"])
    assert result.exit_code == 0
    assert "nn.Conv2d(3, 8, kernel_size=(4, 4))" in result.output
    assert "# 1: conv{f}x{f}x8 -> 6x6x8 (N, 8, 6, 6)" in result.output
    assert "with --at n=9,f=4" in result.output


@pytest.mark.parametrize("name", sorted(_all_specs()))
def test_torchinfo_agrees_on_totals(name: str) -> None:
    """torchinfo, an independent counter, on the emitted module.

    torchinfo counts parameters, not buffers: its total is the calculator's trainable count
    (the calculator's non-trainable ones are batchnorm running statistics, which are buffers).
    """
    torch = pytest.importorskip("torch", reason="torchinfo needs torch (CI has it)")
    torchinfo = pytest.importorskip("torchinfo", reason="torchinfo is in the test extra")
    analysis = analyze(_all_specs()[name])
    namespace: dict[str, object] = {}
    exec(compile(analysis.to_torch_code(), f"<{name}>", "exec"), namespace)
    with torch.device("meta"):
        model = namespace["Net"]()  # type: ignore[operator]
    size = (1, *namespace["INPUT_SHAPE"])  # type: ignore[misc]
    summary = torchinfo.summary(model, input_size=size, device="meta", verbose=0)
    assert summary.total_params == analysis.totals.trainable
    assert summary.trainable_params == analysis.totals.trainable
