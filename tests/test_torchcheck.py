"""``shapecalc check`` / ``--check``: the cross-check against a PyTorch forward pass.

The agreeing cases assert numbers worked out by hand from PyTorch's documented formulas; the
disagreeing ones swap a layer's torch module for a wrong one, so the check must notice.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from shapecalc import Shape, TorchError, analyze, check
from shapecalc.cli import cli
from shapecalc.layers import conv, pool
from shapecalc.symbolic import substitute
from shapecalc.torchmodule import TorchModule

torch = pytest.importorskip("torch", reason="the cross-check needs torch (CI installs it)")

from shapecalc import torchcheck  # noqa: E402

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(*args: str) -> tuple[int, str]:
    # Wide, so that no cell of the table wraps.
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": "250"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_agreeing_rows_carry_torchs_numbers() -> None:
    # By hand: conv3x3x16 'same' keeps 28x28 and has (3*3*1 + 1)*16 = 160 weights; maxpool2
    # halves; batchnorm on 8 channels has 2*8 trainable (gamma, beta) and 2*8 running stats.
    result = check("28x28x1 | conv3x3x16 same | maxpool2 | conv1x1x8 | bn", batch=2)
    assert result.ok
    (point,) = result.points
    got = [(row.torch.output_shape, row.torch.trainable, row.torch.non_trainable)
           for row in point.layers if row.torch is not None]
    assert got == [
        ((28, 28, 16), 160, 0),
        ((14, 14, 16), 0, 0),
        ((14, 14, 8), 136, 0),
        ((14, 14, 8), 16, 16),
    ]


def test_num_batches_tracked_is_not_counted() -> None:
    """BatchNorm's counter buffer is a step count, not a statistic (the calculator's 2C+2C)."""
    bn = torch.nn.BatchNorm2d(5)
    assert "num_batches_tracked" in dict(bn.named_buffers())
    assert torchcheck.non_trainable_count(bn) == 10
    assert torchcheck.trainable_count(bn) == 10


def test_table_has_a_check_column() -> None:
    code, out = run("check", "28x28x1 | conv3x3x16 same | maxpool2")
    assert code == 0
    assert "Check" in out
    assert out.count("✓") == 2
    assert "2 of 2 layers agree with torch" in out


def test_check_flag_on_the_main_command_and_batch() -> None:
    code, out = run("28x28x1 | conv3x3x16 stride2 same", "--check", "--batch", "3")
    assert code == 0
    assert "✓" in out and "batch 3" in out


def test_json_has_the_check_object() -> None:
    code, out = run("check", "28x28x1 | conv3x3x16 same | maxpool2", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["totals"]["params"] == 160  # the analysis document is all there
    chk = doc["check"]
    assert chk["ok"] is True and chk["device"] == "cpu" and chk["batch"] == 1
    assert chk["torch_version"] == torch.__version__
    (point,) = chk["points"]
    assert point["at"] == {}
    assert point["layers"][0] == {
        "index": 1,
        "ok": True,
        "output_shape": [28, 28, 16],
        "trainable": 160,
        "non_trainable": 0,
        "error": None,
    }


def _wrong_filters(layer: conv.Conv, inp: object) -> TorchModule:
    # A deliberately wrong mapping: one filter more than the spec says.
    return TorchModule("Conv2d", (int(inp.channels), int(layer.filters) + 1, 3))  # type: ignore[attr-defined]


def test_a_mismatch_exits_1_and_names_the_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conv.Conv, "torch_module", _wrong_filters)
    code, out = run("check", "8x8x1 | relu | conv3x3x4 | flatten")
    assert code == 1
    # Both values side by side: 6x6x4 and 40 weights here, 6x6x5 and 50 in torch.
    assert "✗ shape 6x6x4 vs torch 6x6x5; trainable 40 vs torch 50" in out
    assert "error: layer 2 'conv3x3x4' disagrees with torch" in out
    code, out = run("check", "8x8x1 | relu | conv3x3x4 | flatten", "--json")
    assert code == 1
    doc = json.loads(out[: out.rindex("}") + 1])
    assert doc["check"]["ok"] is False
    assert [layer["ok"] for layer in doc["check"]["points"][0]["layers"]] == [True, False, False]


def test_a_spec_torch_refuses_is_a_mismatch_with_torchs_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # torch refuses padding of more than half the window; the check must say so, not pass.
    monkeypatch.setattr(
        pool.MaxPool,
        "torch_module",
        lambda layer, inp: TorchModule("MaxPool2d", (2,), (("padding", 2),)),
    )
    result = check("8x8x1 | maxpool2 | relu")
    assert not result.ok
    first, second = result.points[0].layers
    assert first.torch is None and first.error is not None
    assert "pad should be at most half of effective kernel size" in first.error
    assert second.error is not None and second.error.startswith("not run")
    code, out = run("check", "8x8x1 | maxpool2 | relu")
    assert code == 1
    assert "✗ torch: RuntimeError: pad should be at most half" in out
    assert "✗ torch: not run: torch refused layer 1" in out
    assert "error: layer 1 'maxpool2' disagrees with torch: torch: RuntimeError" in out


def test_symbolic_specs_are_checked_at_valid_points() -> None:
    spec = "nxnx3 | conv{f}x{f}x8 pad{p} | maxpool2 stride{s}"
    symbolic = analyze(spec)
    result = check(spec)
    assert result.ok
    assert len(result.points) == 3
    assert len({tuple(sorted(p.at.items())) for p in result.points}) == 3
    for point in result.points:
        assert set(point.at) == {"n", "f", "p", "s"}
        # Each point satisfies every recorded validity condition.
        for constraint in symbolic.constraints:
            if constraint.expr is not None:
                assert substitute(constraint.expr, point.at) >= 0, constraint.text
    code, out = run("check", spec)
    assert code == 0
    assert out.count("✓") == 6
    at = result.points[1].at
    assert f"at n={at['n']}, f={at['f']}, p={at['p']}, s={at['s']}" in out
    code, out = run("check", spec, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["symbols"] == ["n", "f", "p", "s"]
    assert [p["at"] for p in doc["check"]["points"]] == [p.at for p in result.points]
    for point in doc["check"]["points"]:
        n, f, p, s = (point["at"][k] for k in "nfps")
        side = n + 2 * p - f + 1  # by hand: the conv, then the pool's floor formula
        assert point["layers"][1]["output_shape"] == [(side - 2) // s + 1] * 2 + [8]


def test_at_values_are_the_point_checked() -> None:
    result = check("nxnx3 | conv{f}x{f}x8", n=9, f=4)
    assert [p.at for p in result.points] == [{"n": 9, "f": 4}]
    assert result.points[0].layers[0].torch.output_shape == (6, 6, 8)  # type: ignore[union-attr]
    # Some values given: the rest are sampled.
    partial = check("nxnx3 | conv{f}x{f}x8", n=9)
    assert all(p.at["n"] == 9 and p.at["f"] <= 9 for p in partial.points)


def test_points_meet_one_symbol_bounds() -> None:
    # n >= 100 lies beyond the usual sample values: the bound itself is offered.
    result = check("nxnx1 | conv100x100x2", device="meta")
    assert result.ok
    assert all(p.at["n"] >= 100 for p in result.points)


def test_no_affordable_point_is_a_clear_error() -> None:
    # n >= 3000 with 3000x3000x3x8 weights: every valid point is over the CPU budget.
    code, out = run("check", "nxnx3 | conv3000x3000x8")
    assert code == 2
    assert out.startswith("error: no sample point found") and "n >= 3000" in out
    assert out.count("\n") == 1
    assert check("nxnx3 | conv3000x3000x8", device="meta").ok  # meta allocates nothing


@pytest.mark.parametrize(
    ("spec", "elements"),
    [
        # 100000·100000·3 input + 99998²·8 output + 224 weights
        ("100000x100000x3 | conv3x3x8", 3 * 10**10 + 8 * 99_998**2 + 224),
        # 1 input + 2·10^12 weights and biases + 10^12 outputs: torch would fail to allocate,
        # which is no mismatch
        ("1x1x1 | conv1x1x1000000000000", 1 + 3 * 10**12),
    ],
)
def test_a_concrete_spec_too_large_for_the_cpu_is_refused(spec: str, elements: int) -> None:
    code, out = run("check", spec)
    assert code == 2
    assert out == (
        f"error: checking this spec on cpu needs {elements:,} tensor elements "
        "(over 1,000,000,000); use --device meta, which allocates none\n"
    )
    assert check(spec, device="meta").ok


def test_meta_device_checks_vgg16_without_allocating() -> None:
    result = check((EXAMPLES / "vgg16.shape").read_text(), device="meta")
    assert result.ok
    assert len(result.points[0].layers) == 39
    assert sum(row.torch.trainable for row in result.points[0].layers if row.torch) == 138_357_544


@pytest.mark.skipif(
    not torch.cuda.is_available(), reason="no CUDA device on this machine (CPU build of torch)"
)
def test_cuda_device() -> None:
    assert check("28x28x1 | conv3x3x16 same | maxpool2 | flatten | dense10", device="cuda").ok


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
@pytest.mark.slow
def test_cuda_unavailable_is_one_line_exit_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "shapecalc", "check", "28x28x1 | relu", "--device", "cuda"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "CUDA is not available" in result.stderr
    with pytest.raises(TorchError):
        check("28x28x1 | relu", device="cuda")


@pytest.mark.parametrize("other", ["--markdown", "--latex", "--explain"])
def test_check_with_other_views_is_a_usage_error(other: str) -> None:
    code, out = run("28x28x1 | relu", "--check", other)
    assert code == 2
    assert "--check shows the table or --json" in out


BLOCK_TORCH = textwrap.dedent(
    """
    import importlib.abc, sys

    class NoTorch(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "torch" or name.startswith("torch."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, NoTorch())
    sys.argv = ["shapecalc", *sys.argv[1:]]
    from shapecalc.cli import main
    main()
    """
)


def _without_torch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCK_TORCH, *args], capture_output=True, text=True
    )


@pytest.mark.slow
def test_without_torch_the_check_says_how_to_install_it() -> None:
    result = _without_torch("check", "28x28x1 | relu")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert 'pip install "shapecalc-cnn[torch]" (from a clone: pip install ".[torch]")' in (
        result.stderr
    )
    assert "torch==2.13.0" in result.stderr
    assert _without_torch("28x28x1 | relu", "--check").returncode == 2


@pytest.mark.slow
def test_without_torch_the_code_is_still_written() -> None:
    result = _without_torch("torch", "28x28x1 | conv3x3x4")
    assert result.returncode == 0, result.stderr
    assert "nn.Conv2d(1, 4, kernel_size=(3, 3))" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--batch", "0"], "--batch"),
        (["--device", "gpu"], "--device"),
    ],
)
@pytest.mark.slow
def test_bad_check_options_exit_2(args: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "shapecalc", "check", "28x28x1 | relu", *args],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("dims", [(784,), (100, 8), (28, 27, 3), (16, 12, 10, 4)])
def test_torch_order_round_trips(dims: tuple[int, ...]) -> None:
    shape = Shape(dims)
    assert Shape.from_torch_order(shape.torch_order(5)) == shape
    assert torch.zeros(shape.torch_order(2)).shape[1] == dims[-1]  # channels second in torch


@pytest.mark.slow
def test_main_in_process_returns_even_after_torch_is_imported() -> None:
    """Only the program skips teardown (console_main); main() called in-process raises
    SystemExit as usual, else a test runner that imported torch would be ended by it, silently
    and with code 0. Run apart, so that a regression cannot end this very test run."""
    code = textwrap.dedent(
        """
        import sys
        import torch
        from shapecalc.cli import main
        sys.argv = ["shapecalc", "10 | relu"]
        try:
            main()
        except SystemExit as done:
            print("returned", done.code)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.splitlines()[-1] == "returned 0"


@pytest.mark.slow
def test_the_program_checks_on_meta_without_importing_the_compiler() -> None:
    """The program runs torch's meta kernels directly (run_meta_kernels_directly), so a cold
    meta check does not import torch._dynamo; every layer kind and every example still agrees
    with torch, so the kernels run directly compute what torch's wrapped ones do."""
    code = textwrap.dedent(
        """
        import pathlib, sys
        from shapecalc import analyze, torchcheck
        from shapecalc.layers import REGISTRY
        changed = torchcheck.run_meta_kernels_directly()
        specs = [f"{ex.input} | {ex.layer}" for cls in set(REGISTRY.values()) for ex in cls.examples]
        specs += [p.read_text() for p in sorted(pathlib.Path(sys.argv[1]).glob("*.shape"))]
        bad = [s for s in specs if not analyze(s).check(device="meta").ok]
        print(changed, len(specs), bad, "torch._dynamo" in sys.modules)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(EXAMPLES)], capture_output=True, text=True, check=True
    )
    changed, count, bad, dynamo = proc.stdout.split(" ", 3)
    assert int(changed) > 0
    assert int(count) > 50
    assert (bad, dynamo.strip()) == ("[]", "False")
    program = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "shapecalc", "check", "--device", "meta",
         "-f", str(EXAMPLES / "resnet50.shape")],
        capture_output=True,
        text=True,
    )
    assert program.returncode == 0
    assert "agree with torch" in program.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in program.stderr.splitlines()}
    assert "torch" in imported
    assert "torch._dynamo" not in imported


def test_a_torch_laid_out_otherwise_only_loses_the_speed_up(monkeypatch: pytest.MonkeyPatch) -> None:
    def moved(*_: object) -> int:
        raise AttributeError("module 'torch' has no attribute '_compile'")

    monkeypatch.setattr(torchcheck, "_seed_dynamo_disable", moved)
    assert torchcheck.run_meta_kernels_directly() == 0
