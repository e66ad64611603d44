"""``shapecalc conv --transposed`` and ``deconv`` on the command line (CliRunner)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from shapecalc.cli import cli


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_transposed_convolution_with_its_working() -> None:
    # Each input cell adds its value times the kernel, 2 apart: 1*[1 2; 3 4] at (1,1), 2*[...]
    # at (1,3), overlapping in no cell with stride 2 and a 2x2 kernel.
    code, out = run(
        "conv", "-i", "1 2; 3 4", "-k", "1 2; 3 4", "--transposed", "--stride", "2", "--explain"
    )
    assert code == 0, out
    for line in ("│ 1 │ 2 │ 2 │  4 │", "│ 3 │ 4 │ 6 │  8 │", "│ 9 │ 12 │ 12 │ 16 │"):
        assert " ".join(line.split()) in " ".join(out.split())
    assert "(1,1)  1·1 = 1" in out and "(4,4)  4·4 = 16" in out


def test_transposed_overlaps_add_and_pad_crops() -> None:
    code, out = run("conv", "-i", "1 2 3", "-k", "1 1 1", "--transposed", "--json", "--explain")
    assert code == 0, out
    assert json.loads(out) == {
        "output": [[1, 3, 6, 5, 3]],
        "explain": [["1*1 = 1", "1*1 + 2*1 = 3", "1*1 + 2*1 + 3*1 = 6", "2*1 + 3*1 = 5",
                     "3*1 = 3"]],
    }  # fmt: skip
    code, out = run("conv", "-i", "1 2 3", "-k", "1 1 1", "--transposed", "--pad", "0,1", "--json")
    assert json.loads(out) == {"output": [[3, 6, 5]]}


def test_outpad_and_keras_same() -> None:
    code, out = run(
        "conv", "-i", "1 2", "-k", "1 1", "--transposed", "--stride", "2", "--outpad", "0,1",
        "--bias", "10", "--json", "--explain",
    )  # fmt: skip
    assert code == 0, out
    # the extra column past the full output gets only the bias
    assert json.loads(out) == {
        "output": [[11, 11, 12, 12, 10]],
        "explain": [["1*1 + 10 = 11", "1*1 + 10 = 11", "2*1 + 10 = 12", "2*1 + 10 = 12",
                     "0 + 10 = 10"]],
    }  # fmt: skip
    code, out = run("conv", "-i", "1 2 3", "-k", "1 1 1", "--transposed", "--pad", "same", "--json")
    assert json.loads(out) == {"output": [[3, 6, 5]]}


def test_bad_transposed_input_is_one_line() -> None:
    code, out = run("conv", "-i", "1 2", "-k", "1 1", "--transposed", "--outpad", "1")
    assert code == 2
    assert out.strip() == (
        "error: outpad 1 is not smaller than the stride 1 or the dilation 1; "
        "torch requires outpad < stride or outpad < dilation"
    )
    code, out = run("conv", "-i", "1 2", "-k", "1 1", "--outpad", "1")
    assert code == 2 and "--outpad goes with --transposed" in out


def test_deconv_spec_with_rf_and_explain() -> None:
    code, out = run("28x28x3 | conv3x3x8 | upsample2 | conv3x3x8", "--columns", "rf")
    assert code == 0
    assert "9/2 s1/2 p1/2" in out and "all" not in out
    code, out = run("16x16x8 | deconv4x4x3 stride2 pad1", "--explain")
    assert code == 0
    assert "H: (n − 1)·s − 2p + k = (16 − 1)·2 − 2·1 + 4 = 32" in out
    code, out = run("solve", "nxnx3 | deconv4x4x8 stride2 pad1", "--out", "32x32x8")
    assert code == 0 and "n = 16" in out, out
