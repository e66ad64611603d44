"""The command line, through click's CliRunner and as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import fuzzing
import pytest
from click.testing import CliRunner

from shapecalc.cli import cli, main

SPEC = "28x28x1 | conv3x3x16 same | maxpool2 | flatten | dense10"


def run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_table() -> None:
    code, out = run(SPEC)
    assert code == 0
    for text in ("conv3x3x16 same", "28x28x16", "14x14x16", "3136", "31,370", "31,530"):
        assert text in out
    assert "Params size (float32)" in out


@pytest.mark.parametrize("args", [["--json", SPEC], [SPEC, "--json"], ["calc", SPEC, "--json"]])
def test_options_before_or_after_the_spec(args: list[str]) -> None:
    code, out = run(*args)
    assert code == 0
    assert json.loads(out)["totals"]["params"] == 31530


def test_markdown() -> None:
    code, out = run(SPEC, "--markdown")
    assert code == 0 and out.startswith("| # | Layer | Output shape | Params |")


def test_spec_from_file_and_stdin(tmp_path: Path) -> None:
    path = tmp_path / "net.shape"
    path.write_text("# comment\n28x28x1\nconv3x3x16 same\nmaxpool2 | flatten\ndense10\n")
    code, out = run("-f", str(path), "--json")
    assert code == 0 and json.loads(out)["totals"]["params"] == 31530
    code, out = run("-", "--json", input=SPEC)
    assert code == 0 and json.loads(out)["output"] == [10]


def test_at_values() -> None:
    spec = "nxnx3 | conv{f}x{f}x8 pad{p} | maxpool2"
    code, out = run(spec, "--at", "n=28,f=3", "--at", "p=1")
    assert code == 0
    assert "14x14x8" in out and "Formula" in out and "n=28, f=3, p=1" in out
    code, out = run(spec, "--at", "n=28,f=3,p=1", "--json")
    layer = json.loads(out)["layers"][1]
    assert layer["output_shape"] == [14, 14, 8]
    assert layer["formula"][0] == "floor((n + 2*p - f + 1)/2)"


def test_symbolic_table_shows_formulas_and_conditions() -> None:
    code, out = run("nxnx3 | conv{f}x{f}x8 pad{p} | maxpool2")
    assert code == 0
    assert "(3*f**2 + 1)*8" in out
    assert "Valid when" in out and "n + 2*p >= f + 1" in out


def test_unknown_layer_error_exits_2_with_caret() -> None:
    code, out = run("28x28x1 | cnv3x3x16 same")
    assert code == 2
    assert out == (
        "error: unknown layer 'cnv3x3x16' at column 11 — did you mean 'conv'?\n"
        "  28x28x1 | cnv3x3x16 same\n"
        "            ^^^^^^^^^\n"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["28x28x1 | conv3x3x16 | dense10"],
        ["28x28 | conv3x3x16"],
        ["28x28x1 | __import__('os').system('true')"],
        ["nxnx3 | conv3x3x8", "--at", "q=1"],
        ["nxnx3 | conv3x3x8", "--at", "n"],
        ["--json", "--markdown", SPEC],
        [],
        ["calc"],
        ["-f", "/nonexistent/net.shape"],
        [SPEC, "-f", "x.shape"],
    ],
)
def test_bad_input_exits_2_without_traceback(args: list[str]) -> None:
    code, out = run(*args)
    assert code == 2 if args else code in (0, 2)
    assert "Traceback" not in out


def test_layers_lists_every_keyword() -> None:
    from shapecalc.layers import REGISTRY

    code, out = run("layers", "--json")
    assert code == 0
    listed = json.loads(out)
    words = {e["keyword"] for e in listed} | {a for e in listed for a in e["aliases"]}
    assert words == set(REGISTRY)
    code, out = run("layers")
    assert code == 0 and "conv" in out and "maxpool" in out


@pytest.mark.slow
def test_python_dash_m_and_exit_code_as_a_process() -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "shapecalc", SPEC, "--json"], capture_output=True, text=True
    )
    assert ok.returncode == 0 and json.loads(ok.stdout)["output"] == [10]
    bad = subprocess.run(
        [sys.executable, "-m", "shapecalc", "28x28x1 | conv9x9x3 stride0"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.startswith("error: stride must be positive, got 0 at column 27")
    assert "Traceback" not in bad.stderr


@pytest.mark.slow
def test_no_color_when_piped() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "shapecalc", SPEC], capture_output=True, text=True
    ).stdout
    assert "\x1b[" not in out and "31,530" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-f", "/nonexistent/net.shape"],
            "error: cannot read /nonexistent/net.shape: No such file",
        ),
        (["--bogus", SPEC], "error: No such option '--bogus'"),
        (["nxnx3 | relu", "--at", "n=1,n=2"], "n is given twice"),
        (["nxnx3 | relu", "--at", "n=1", "--at", "n=2"], "n is given twice"),
        (["layers", "cnv"], "no layer 'cnv'; did you mean 'conv'?"),
        (["-5x28x1 | relu", "--json"], "dimensions must be positive, found '-5x28x1' at column 1"),
    ],
)
@pytest.mark.slow
def test_usage_errors_are_one_line_with_exit_2(args: list[str], message: str) -> None:
    proc = fuzzing.run_program(*args)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr
    first_line = proc.stderr.splitlines()[0]
    assert message in first_line


@pytest.mark.slow
def test_stdin_that_is_not_utf8() -> None:
    proc = fuzzing.run_program("-", stdin=b"\xff\xfe28x28x1 | relu")
    assert proc.returncode == 2
    assert proc.stderr == "error: standard input is not UTF-8 text\n"


def test_layers_filters_by_keyword_or_alias() -> None:
    code, out = run("layers", "gap", "fc", "--json")
    assert code == 0
    assert [e["keyword"] for e in json.loads(out)] == ["globalavgpool", "dense"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # /dev/zero reports a size of 0: the cap must hold by reading, not by stat()
        (["-f", "/dev/zero"], "error: /dev/zero is larger than 1 MB; spec files are at most 1 MB"),
        (
            ["conv", "-i", "@/dev/zero", "-k", "1"],
            "error: --input: '/dev/zero' is larger than 10 MB; at most 10 MB are read",
        ),
    ],
)
@pytest.mark.slow
def test_file_size_caps_hold_for_files_without_a_size(args: list[str], message: str) -> None:
    proc = fuzzing.run_program(*args)
    assert proc.returncode == 2
    assert proc.stderr == message + "\n"


@pytest.mark.slow
def test_npy_values_beyond_the_exponent_limit_are_refused(tmp_path: Path) -> None:
    import numpy as np

    path = tmp_path / "huge.npy"
    np.save(path, np.array([[np.longdouble("1e4900"), 1], [1, 1]]))
    proc = fuzzing.run_program("conv", "-i", str(path), "-k", "1")
    assert proc.returncode == 2
    assert (
        proc.stderr
        == f"error: --input: {str(path)!r} holds values beyond 10**100 or below 10**-100\n"
    )


@pytest.mark.slow
def test_wide_grids_print_whole_numbers() -> None:
    # 16 four-digit numbers need 16·7 + 1 = 113 columns boxed: at 80 (piped) they print as plain
    # aligned rows, every number whole
    rows = "; ".join(" ".join(str(1000 + 16 * r + c) for c in range(16)) for r in range(2))
    proc = fuzzing.run_program("conv", "-i", rows, "-k", "1")
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == [
        " ".join(str(1000 + 16 * r + c) for c in range(16)) for r in range(2)
    ]


@pytest.mark.slow
def test_explain_is_capped() -> None:
    ones = "; ".join(" ".join("1" for _ in range(120)) for _ in range(120))
    proc = fuzzing.run_program("conv", "-i", ones, "-k", "1 1 1; 1 1 1; 1 1 1", "--explain")
    assert proc.returncode == 2
    # 118·118 cells of 9 products each (_main reads bytes as latin-1: decode them as UTF-8)
    assert proc.stderr.encode("latin-1").decode("utf-8") == (
        f"error: --explain would print {118 * 118 * 9:,} terms; at most 100,000 — use smaller "
        "matrices or leave out --explain\n"
    )


def test_ctrl_c_exits_130_not_a_checks_1(monkeypatch: pytest.MonkeyPatch) -> None:
    import shapecalc.network

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(shapecalc.network, "analyze", interrupted)
    monkeypatch.setattr(sys, "argv", ["shapecalc", "10 | relu"])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 130


@pytest.mark.slow
def test_a_closed_standard_input_is_a_usage_error() -> None:
    """Started with file descriptor 0 closed, Python has no sys.stdin at all."""
    proc = subprocess.run(
        [sys.executable, "-m", "shapecalc", "-"],
        capture_output=True,
        text=True,
        preexec_fn=lambda: os.close(0),
    )
    assert (proc.returncode, proc.stderr) == (
        2,
        "error: no standard input to read the spec from\n",
    )
