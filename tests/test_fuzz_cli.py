"""The command line fuzzed: random argument lists never produce a traceback, and the exit code
is 0 (ok), 1 (a check found a mismatch) or 2 (usage or spec error).

The argument lists come from tests/fuzzing.py: every command and its real options with good
and bad values, values left out, unknown flags, valid and mutated specs. Hundreds run
in-process through the real entry point (shapecalc.cli.main, which the console script and
``python -m shapecalc`` call); a few dozen run as real processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import fuzzing
import pytest
from click.testing import CliRunner
from hypothesis import assume, event, given

from shapecalc.cli import main

#: What standard input holds when an argument list reads the spec from it ("-").
STDIN = "28x28x1 | conv3x3x8 same | relu\n"




class _Program:
    """:func:`shapecalc.cli.main` as CliRunner calls a click command: the real entry point,
    in-process, with its own error handling (CliRunner's would hide a missing one)."""

    name = "shapecalc"

    def main(self, args: list[str], prog_name: str, **extra: object) -> None:
        saved = sys.argv
        sys.argv = [prog_name, *args]
        try:
            main()
        finally:
            sys.argv = saved


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A working directory with the files the arguments name; drawings are written here."""
    folder = tmp_path_factory.mktemp("cli-fuzz")
    fuzzing.make_cli_files(folder)
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield folder
    finally:
        os.chdir(before)


def _expect_sane(args: list[str], code: int, stdout: str, stderr: str) -> None:
    assert "Traceback" not in stderr + stdout, (args, stderr)
    assert code in (0, 1, 2), (args, code, stderr)
    if code == 1:  # only a PyTorch check that disagrees exits with 1
        assert args[:1] == ["check"] or "--check" in args, (args, stderr)
        assert stderr.startswith("error: "), (args, stderr)
    if code == 2:
        first = stderr.split("\n", 1)[0]
        # One line naming the error; the help only when no argument was given at all.
        assert first.startswith("error: ") or (args == [] and first.startswith("Usage: ")), (
            args,
            stderr,
        )


@fuzzing.examples(300)
@given(args=fuzzing.cli_args())
def test_random_arguments_in_process(workdir: Path, args: list[str]) -> None:
    result = CliRunner().invoke(_Program(), args, input=STDIN, prog_name="shapecalc")  # type: ignore[arg-type]
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        result.exception,
    )
    _expect_sane(args, result.exit_code, result.stdout, result.stderr)
    # Shown by --hypothesis-show-statistics: how the runs spread over commands and outcomes.
    command = args[0] if args and args[0] in fuzzing.OPTIONS else "(calc by default or other)"
    event(f"{command} -> exit {result.exit_code}")


def _passable(arg: str) -> bool:
    """Whether a real process can receive ``arg``: argv holds no NUL byte, and a lone
    surrogate has no bytes to become (the in-process runs above take both)."""
    try:
        return b"\0" not in os.fsencode(arg)
    except UnicodeEncodeError:
        return False


def _program() -> list[str]:
    """The console script beside this interpreter, else ``python -m shapecalc``."""
    script = Path(sys.executable).with_name("shapecalc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "shapecalc"]


@fuzzing.examples(12)
@given(args=fuzzing.cli_args())
@pytest.mark.slow
def test_random_arguments_as_a_process(workdir: Path, args: list[str]) -> None:
    assume(all(_passable(arg) for arg in args))
    for program in (_program(), [sys.executable, "-m", "shapecalc"]):
        proc = subprocess.run(
            [*program, *args],
            input=STDIN.encode(),
            capture_output=True,
            cwd=workdir,
            timeout=120,
        )
        stderr = proc.stderr.decode("utf-8", "replace")
        _expect_sane(args, proc.returncode, proc.stdout.decode("utf-8", "replace"), stderr)


@pytest.mark.parametrize(
    "args",
    [
        ["28x28x1 | relu", "--at", "n=²"],  # '²'.isdigit() is true, int('²') fails
        ["solve", "300x300x3 | conv5x5x{c}", "--params", "²"],
        # int() refuses more than 4,300 digits with a ValueError
        ["solve", "nxnx3 | relu", "--out", "9" * 5000 + "x3"],
        ["draw", "28x28x1 | conv3x3x8 | relu", "-o", "nodir/out.svg"],
        ["draw", "28x28x1 | conv3x3x8 | relu", "-o", "."],
        ["-f", "big.shape"],
        ["-f", "latin1.shape"],
        ["-f", "."],
        ["calc", "--check", "28x28x1 | conv3x3x8", "--device", "meta", "--batch", "0"],
    ],
)
@pytest.mark.slow
def test_bad_arguments_are_one_line_errors(workdir: Path, args: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "shapecalc", *args], capture_output=True, text=True, cwd=workdir
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().split("\n")) == 1, proc.stderr
