"""``shapecalc conv`` and ``shapecalc pool`` end to end: output forms and one-line errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from test_numeric import (
    COURSE_IMAGE,
    EMBOSS,
    POOL_IMAGE,
    RAMP_IMAGE,
    STEP_IMAGE,
    VERTICAL_EDGE,
)

from shapecalc.cli import main


def shapecalc(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, str, str]:
    """Run the console entry point in-process: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["shapecalc", *args])
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")  # the working on one line per cell
    with pytest.raises(SystemExit) as done:
        main()
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    return lambda *args: shapecalc(capsys, monkeypatch, *args)


def test_course_examples_as_json(run: Run) -> None:
    code, out, _ = run("conv", "--input", COURSE_IMAGE, "--kernel", VERTICAL_EDGE, "--json")
    assert code == 0
    assert json.loads(out) == {
        "output": [[-5, -4, 0, 8], [-10, -2, 2, 3], [0, -2, -4, -7], [-3, -2, -3, -16]]
    }
    assert '  "output": [\n    [-5, -4, 0, 8],\n' in out  # one matrix row per line
    code, out, _ = run("conv", "-i", STEP_IMAGE, "-k", VERTICAL_EDGE, "--json")
    assert json.loads(out) == {"output": [[0, 30, 30, 0]] * 4}
    code, out, _ = run("conv", "-i", RAMP_IMAGE, "-k", EMBOSS, "--json", "--explain")
    doc = json.loads(out)
    assert doc["output"][0][:2] == [78, 87]
    assert doc["explain"][0][0].startswith("35*(-2) + 40*(-1) + 41*0 + ")


def test_terminal_grid_and_working(run: Run) -> None:
    code, out, _ = run("conv", "-i", RAMP_IMAGE, "-k", EMBOSS, "--explain")
    assert code == 0
    lines = out.splitlines()
    assert lines[1].split("│")[1:3] == ["  78 ", "  87 "]  # right-aligned grid cells
    assert (
        "(1,1)  35·(−2) + 40·(−1) + 41·0 + 40·(−1) + 40·1 + 42·1 + 42·0 + 46·1 + 50·2 = 78" in out
    )


def test_markdown(run: Run) -> None:
    code, out, _ = run(
        "pool", "-i", POOL_IMAGE, "--size", "2", "--mode", "avg", "--markdown", "--explain"
    )
    assert code == 0
    assert out == (
        "|   |   |\n"
        "|---:|---:|\n"
        "| 3.75 | 1.25 |\n"
        "| 4 | 2 |\n"
        "\n"
        "- (1,1): (1 + 3 + 2 + 9)/4 = 3.75\n"
        "- (1,2): (2 + 1 + 1 + 1)/4 = 1.25\n"
        "- (2,1): (1 + 4 + 5 + 6)/4 = 4\n"
        "- (2,2): (2 + 3 + 1 + 2)/4 = 2\n"
    )


def test_several_output_channels_are_a_list_of_matrices(run: Run) -> None:
    # by hand: 1+4 + 6+7 = 18 (+1 bias), 1+2+3+4 = 10 (-0.5 bias)
    args = ["-i", "1 2; 3 4 / 5 6; 7 8", "-k", "1 0; 0 1 / 0 1; 1 0", "-k", "1 1; 1 1 / 0 0; 0 0"]
    code, out, _ = run("conv", *args, "--bias", "1 -0.5", "--json")
    assert code == 0 and json.loads(out) == {"output": [[[19]], [[9.5]]]}
    code, out, _ = run("conv", *args)
    assert "channel 1" in out and "channel 2" in out
    code, out, _ = run("pool", "-i", "1 2; 3 4 / 8 7; 6 5", "--size", "2", "--json")
    assert json.loads(out) == {"output": [[[4]], [[8]]]}


def test_pairs_flip_and_files(run: Run, tmp_path: Path) -> None:
    image = tmp_path / "image.csv"
    image.write_text("1,2,3\n4,5,6\n7,8,9\n")
    code, out, _ = run("conv", "-i", str(image), "-k", "1", "--stride", "1,2", "--json")
    assert json.loads(out) == {"output": [[1, 3], [4, 6], [7, 9]]}
    kernel = tmp_path / "kernel"
    kernel.write_text("1 2\n3 4\n")
    # flipped to 4 3 / 2 1: 1·4 + 2·3 + 4·2 + 5·1 = 23
    code, out, _ = run("conv", "-i", str(image), "-k", f"@{kernel}", "--flip", "--json")
    assert json.loads(out)["output"][0][0] == 23
    code, out, _ = run(
        "pool", "-i", str(image), "--size", "2", "--stride", "1", "--pad", "1,0", "--json"
    )
    # rows padded with -inf above and below: windows rows (-1,0), (0,1), (1,2), (2,3)
    assert json.loads(out) == {"output": [[2, 3], [5, 6], [8, 9], [8, 9]]}


def test_same_padding(run: Run) -> None:
    # by hand: the 2x2 kernel of ones pads one zero row and column after (bottom, right)
    code, out, _ = run(
        "conv", "-i", "1 2 3; 4 5 6; 7 8 9", "-k", "1 1; 1 1", "--pad", "same", "--json"
    )
    assert (code, json.loads(out)) == (0, {"output": [[12, 16, 9], [24, 28, 15], [15, 17, 9]]})


def test_npy_kernel_bank(run: Run, tmp_path: Path) -> None:
    np.save(tmp_path / "w.npy", np.array([[[[1]]], [[[2]]]]))  # (C_out=2, C_in=1, 1, 1)
    code, out, _ = run("conv", "-i", "1 2", "-k", str(tmp_path / "w.npy"), "--json")
    assert code == 0 and json.loads(out) == {"output": [[[1, 2]], [[2, 4]]]}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["conv", "-i", "1 2 3; 4 5", "-k", "1"], "--input: row 2 has 2 numbers but row 1 has 3"),
        (
            ["conv", "-i", "1 2; 3 4", "-k", "1 x"],
            "--kernel: 'x' in row 1, column 2 is not a number",
        ),
        (
            ["conv", "-i", "1 2; 3 4", "-k", VERTICAL_EDGE],
            "kernel 3x3 is larger than the padded input 2x2; add padding or use a smaller kernel",
        ),
        (
            ["conv", "-i", "1 2; 3 4 / 5 6; 7 8", "-k", "1"],
            "the kernel has 1 input channel but the input has 2 channels; give one kernel matrix "
            "per input channel, separated by '/'",
        ),
        (
            ["conv", "-i", "1", "-k", "1", "-k", "1 / 1"],
            "kernel 2 has 2 input channels but the input has 1 channel; give one kernel matrix per input channel, separated by '/'",
        ),
        (["conv", "-i", "1", "-k", "1", "--stride", "0"], "stride must be positive, got 0"),
        (["pool", "-i", "1", "--size", "0"], "size must be positive, got 0"),
        (["conv", "-i", " ", "-k", "1"], "--input is empty"),
        (
            ["conv", "-i", "/nonexistent/image.csv", "-k", "1"],
            "--input: cannot read '/nonexistent/image.csv': No such file or directory",
        ),
        (
            ["conv", "-i", "1", "-k", "@/nonexistent/k"],
            "--kernel: cannot read '/nonexistent/k': No such file or directory",
        ),
        (
            ["conv", "-i", "1", "-k", "1", "--stride", "two"],
            "Invalid value for '--stride': 'two' is not an integer or a pair height,width (as in 2,1)",
        ),
        (
            ["conv", "-i", "1", "-k", "1", "--pad", "sam"],
            "Invalid value for '--pad': 'sam' is not an integer, a pair height,width or 'same'",
        ),
        (
            ["conv", "-i", "1", "-k", "1", "--json", "--markdown"],
            "choose one of --json and --markdown",
        ),
        (
            ["pool", "-i", "1 2", "--size", "2", "--pad", "2"],
            "pad 2 is more than half the window 2 (PyTorch requires pad <= k/2)",
        ),
        (["conv", "-i", "1 2"], "Missing option '-k' / '--kernel'."),
    ],
)
def test_bad_input_is_one_line_exit_2(run: Run, args: list[str], message: str) -> None:
    code, out, err = run(*args)
    assert (code, out, err) == (2, "", f"error: {message}\n")


def test_bad_npy_rank_and_missing_numpy(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "v.npy"
    np.save(path, np.arange(3))
    code, out, err = run("pool", "-i", str(path), "--size", "1")
    assert (code, err) == (
        2,
        f"error: --input: {str(path)!r} has 1 dim; expected 2 (H, W) or 3 (C, H, W)\n",
    )
    monkeypatch.setitem(sys.modules, "numpy", None)  # as if numpy were not installed
    code, out, err = run("pool", "-i", str(path), "--size", "1")
    assert (code, err) == (
        2,
        "error: --input: reading .npy files needs numpy: pip install numpy\n",
    )
